import type { Finding } from "../model/analysis.js";
import type { KernelReportEvent } from "../model/events.js";
import { describe, plural, secs } from "./describe.js";
import {
  deviceOfReport,
  frameFunction,
  freedResource,
  readReportBlock,
  siteOf,
} from "./report-block.js";
import type { Rule } from "./rule.js";
import { finding, lowerIfLost } from "./rule-support.js";

const UAF_REPORTS = new Set<KernelReportEvent["report"]>([
  "kasan-use-after-free",
  "kasan-out-of-bounds",
]);

/**
 * An access to freed (or out-of-bounds) memory the kernel's KASAN reported, tied to what it hit:
 * the access (function, read/write, size, hard-IRQ or task context), the allocation and free
 * stacks of the object, the device, and — when the object was a devres node — the resource and
 * the release that freed it. Typical causes: an interrupt handler registered with
 * devm_request_irq() before the memory it uses (devres frees that memory first at unbind), a
 * reference dropped twice (drm_dev_put in remove() plus the devm action's put).
 */
export const useAfterFree: Rule = {
  id: "use-after-free",
  severity: "error",
  title: "Freed memory was accessed (KASAN)",
  help:
    "KASAN caught a read or write of memory that had already been freed. The finding names the access, the " +
    "allocation and free sites and, for devres memory, the resource and the release burst that freed it. Order the " +
    "teardown so nothing can still run against freed state: free the IRQ (or mask the device) before the memory its " +
    "handler uses, or allocate that memory before requesting the IRQ; do not put a reference that devres puts too.",
  kernel: "mm/kasan/report.c :: print_report; drivers/base/devres.c :: release_nodes",
  run(model) {
    type Group = { f: Finding; count: number };
    const groups = new Map<string, Group>();
    for (const i of model.reports) {
      const e = model.events[i];
      if (e?.kind !== "report" || !UAF_REPORTS.has(e.report)) continue;
      const block = readReportBlock(model, i);
      // A device's DMA (the DMA checker's report): dma-fault's finding, not a CPU access.
      if (block.dmaAccess !== undefined) continue;
      const res = freedResource(model, i, block);
      const device = res?.device ?? deviceOfReport(model, i, block) ?? e.dev ?? "";
      // The `%pS` after " in " (with its `[module]`), as print_error_description printed it.
      const fn = / in (.+)$/.exec(e.text)?.[1]?.trim() ?? e.func ?? "(unknown)";
      const allocSite = siteOf(block.allocated?.frames);
      const freeSite = siteOf(block.freed?.frames, 3);
      const key = `${device}|${frameFunction(fn)}|${allocSite ?? ""}|${freeSite ?? ""}`;
      const g = groups.get(key);
      if (g !== undefined) {
        g.count++;
        continue;
      }
      const ctx = block.inIrq
        ? "a hard-IRQ handler"
        : block.access !== undefined
          ? `task ${block.access.task}/${block.access.pid}`
          : "the kernel";
      const acc = block.access;
      const what =
        acc === undefined
          ? "accessed"
          : acc.op === "Free"
            ? "freed"
            : `${acc.op === "Read" ? "read" : "wrote"} ${plural(acc.sizeBytes, "byte")} of`;
      const kind =
        e.report === "kasan-out-of-bounds" ? "memory past the end of an object" : "freed memory";
      const obj =
        res !== undefined
          ? `${describe(res)}, released at ${secs(res.endedNs ?? res.addedNs)}`
          : block.cache !== undefined
            ? `a ${block.cache.sizeBytes}-byte ${block.cache.name} object`
            : "an object";
      const { severity } = lowerIfLost(model, this.severity, e.ts - 1_000_000, e.ts);
      const details: Record<string, string | number | boolean> = {
        report: e.report,
        access: fn,
        context: block.inIrq ? "hardirq" : "task",
      };
      if (allocSite !== undefined) details.allocSite = allocSite;
      if (freeSite !== undefined) details.freeSite = freeSite;
      if (acc !== undefined) details.addr = acc.addr;
      const f = finding(
        {
          rule: this.id,
          severity,
          device,
          resources: res !== undefined ? [res.id] : [],
          message:
            `${device === "" ? "(unknown device)" : device}: ${ctx} (${fn}) ${what} ${kind} — ${obj}` +
            (allocSite !== undefined ? `; allocated by ${allocSite}` : "") +
            (block.allocated !== undefined ? ` (task ${block.allocated.pid})` : "") +
            (freeSite !== undefined ? `, freed by ${freeSite}` : "") +
            (block.freed !== undefined ? ` (task ${block.freed.pid})` : "") +
            ` (KASAN at ${secs(e.ts)}, line ${e.line}).`,
          atNs: e.ts,
          details,
          ...(res !== undefined ? { epoch: res.epoch } : {}),
        },
        { line: e.line, ...(e.src !== undefined ? { src: e.src } : {}) },
      );
      groups.set(key, { f, count: 1 });
    }
    return [...groups.values()].map(({ f, count }) => {
      if (count > 1) {
        f.message += ` KASAN reported the same access ${count} times.`;
        (f.details as Record<string, string | number | boolean>).reports = count;
      }
      return f;
    });
  },
};
