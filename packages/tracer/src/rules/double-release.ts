import type { AnalysisModel, ResourceRecord } from "../analysis/analysis-model.js";
import type { Finding } from "../model/analysis.js";
import type { KernelReportEvent } from "../model/events.js";
import { describe, secs } from "./describe.js";
import type { Rule } from "./rule.js";
import { deviceOfReport, freedResource, liveResource, readReportBlock } from "./report-block.js";
import { finding, lowerIfLost } from "./rule-support.js";

/** A memory-safety report belongs to the device whose devres event precedes it this closely (ns). */
const REPORT_WINDOW_NS = 50_000_000;

const DOUBLE_FREE_REPORTS = new Set<KernelReportEvent["report"]>([
  "kasan-double-free",
  "kasan-invalid-free",
  "irq-double-free",
]);

/**
 * A node released or removed twice with no ADD in between, or the kernel reporting a double
 * free (KASAN `double-free`, `Trying to free already-free IRQ` from kernel/irq/manage.c ::
 * __free_irq) right after a device's devres activity: the classic mix of devm and manual
 * teardown (free_irq() in remove() and then devm's own free_irq()).
 */
export const doubleRelease: Rule = {
  id: "double-release",
  severity: "error",
  title: "A resource was released twice",
  help:
    "The same node was released (or removed) a second time without being added again, or the kernel reported " +
    "a double free during the device's teardown. Typical cause: remove() frees something by hand (free_irq, " +
    "kfree, dma_free_coherent) that devres frees again at unbind. Drop the manual free or use devm_free_*().",
  kernel: "drivers/base/devres.c :: release_nodes; kernel/irq/manage.c :: __free_irq",
  run(model) {
    const out: Finding[] = [];
    for (const a of model.anomalies) {
      if (a.kind !== "double-release") continue;
      const e = model.events[a.eventIndex];
      if (e === undefined) continue;
      const r = a.resource;
      const op = e.kind === "devres" || e.kind === "drmres" ? e.op : "REL";
      const first =
        r.endLine !== undefined ? `line ${r.endLine} (${secs(r.endedNs ?? r.addedNs)})` : "earlier";
      const { severity, lost } = lowerIfLost(model, this.severity, r.endedNs ?? r.addedNs, e.ts);
      out.push(
        finding(
          {
            rule: this.id,
            severity,
            device: a.device,
            resources: [r.id],
            message:
              `${a.device}: ${describe(r)} at node ${r.nodeAfterReplace ?? r.node} was ${r.end} at ${first} and ${op === "REM" ? "removed" : "released"} ` +
              `again at line ${e.line} (${secs(e.ts)}) with no ADD in between` +
              (a.list === "drmm" ? " (drm managed list)." : ".") +
              (lost > 0 ? ` The trace lost ${lost} events in between; an ADD may be missing.` : ""),
            atNs: e.ts,
            epoch: r.epoch,
            details: { secondLine: e.line },
          },
          { line: e.line, ...(e.src !== undefined ? { src: e.src } : {}) },
        ),
      );
    }
    for (const i of model.reports) {
      const e = model.events[i];
      if (e?.kind !== "report" || !DOUBLE_FREE_REPORTS.has(e.report)) continue;
      // No devres release just before it: read the report itself (allocation stack → the devres
      // node or the probe that allocated the object; a bad kfree of devm memory lands here).
      const owner = ownerOf(model, i, e) ?? ownerFromReport(model, i);
      const kind =
        e.report === "irq-double-free"
          ? "an IRQ that was already free"
          : "memory that was already free";
      const res = owner?.resource;
      out.push(
        finding(
          {
            rule: this.id,
            severity: this.severity,
            device: owner?.device ?? e.dev ?? "",
            resources: res !== undefined ? [res.id] : [],
            message:
              `${owner?.device ?? e.dev ?? "(unknown device)"}: the kernel reported freeing ${kind} at ${secs(e.ts)} (line ${e.line}: ${e.text.trim()})` +
              (res !== undefined ? `, during the release of ${describe(res)}.` : "."),
            atNs: e.ts,
            details: { report: e.report },
          },
          { line: e.line, ...(e.src !== undefined ? { src: e.src } : {}) },
        ),
      );
    }
    return out;
  },
};

/** The device (and resource) a report belongs to: its dev prefix, else the nearest prior devres release. */
function ownerOf(
  model: AnalysisModel,
  index: number,
  e: KernelReportEvent,
): { device: string; resource?: ResourceRecord } | undefined {
  let best: ResourceRecord | undefined;
  for (const r of model.resources) {
    if (r.endIndex < 0 || r.endIndex > index) continue;
    if (e.dev !== undefined && r.device !== e.dev) continue;
    if (e.ts - (r.endedNs ?? 0) > REPORT_WINDOW_NS) continue;
    if (e.report === "irq-double-free" && r.kind !== "irq") continue;
    if (best === undefined || r.endIndex > best.endIndex) best = r;
  }
  if (best !== undefined) return { device: best.device, resource: best };
  return e.dev !== undefined ? { device: e.dev } : undefined;
}

/** Owner from the report's own allocation stack (report-block.ts), when no release preceded it. */
function ownerFromReport(
  model: AnalysisModel,
  index: number,
): { device: string; resource?: ResourceRecord } | undefined {
  const block = readReportBlock(model, index);
  const res = freedResource(model, index, block) ?? liveResource(model, index, block);
  if (res !== undefined) return { device: res.device, resource: res };
  const device = deviceOfReport(model, index, block);
  return device !== undefined ? { device } : undefined;
}
