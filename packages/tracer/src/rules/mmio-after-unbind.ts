import type { AnalysisModel, ResourceRecord } from "../analysis/analysis-model.js";
import type { Finding } from "../model/analysis.js";
import { plural, secs, summarize } from "./describe.js";
import type { Rule } from "./rule.js";
import { readReportBlock } from "./report-block.js";
import { finding } from "./rule-support.js";

/** A fault belongs to the device whose MMIO mappings were released this long before it, at most (ns). */
const WINDOW_NS = 60_000_000_000;

/**
 * A kernel page fault on an address after a device's MMIO mappings (devm_ioremap, pcim_iomap)
 * were released at unbind: driver code reached the hardware of a device that was gone — an
 * ioctl or work item that does not bracket its register access with drm_dev_enter()/exit(),
 * or a remove() that unregisters without drm_dev_unplug() while user space still has the
 * device open (accel/ivpu 4522ad764d7e).
 */
export const mmioAfterUnbind: Rule = {
  id: "mmio-after-unbind",
  severity: "error",
  title: "Hardware registers were accessed after the device's mappings were released",
  help:
    "A register access through an ioremap'ed address faulted after the device was unbound and its MMIO " +
    "mappings released. Paths reachable from user space after unbind (ioctls, mmap faults, commits) must check " +
    "that the device is still there: drm_dev_enter()/drm_dev_exit() around hardware access, drm_dev_unplug() " +
    "(not drm_dev_unregister()) in remove().",
  kernel:
    "arch/x86/mm/fault.c :: page_fault_oops; drivers/gpu/drm/drm_drv.c :: drm_dev_unplug, drm_dev_enter",
  run(model) {
    const out: Finding[] = [];
    const seen = new Map<string, Finding>();
    for (const i of model.reports) {
      const e = model.events[i];
      if (e?.kind !== "report" || e.report !== "page-fault") continue;
      const hit = releasedMappings(model, i);
      if (hit === undefined) continue;
      const key = hit.device;
      const prev = seen.get(key);
      if (prev !== undefined) {
        const d = prev.details as Record<string, string | number | boolean>;
        d.faults = (d.faults as number) + 1;
        continue;
      }
      const who =
        e.task !== undefined ? ` by task ${e.task}${e.pid !== undefined ? `-${e.pid}` : ""}` : "";
      const rip = readReportBlock(model, i).rip;
      const f = finding(
        {
          rule: this.id,
          severity: this.severity,
          device: hit.device,
          resources: hit.maps.map((r) => r.id),
          message:
            `${hit.device}: a kernel access to ${e.addr ?? "an unmapped address"}${who}${rip !== undefined ? ` in ${rip}` : ""} took a page fault at ${secs(e.ts)} (line ${e.line}), ` +
            `${secs(e.ts - hit.at)} after the device's MMIO mappings were released at unbind (${summarize(hit.maps)}): ` +
            `hardware access after unbind — bracket it with drm_dev_enter()/drm_dev_exit() and use drm_dev_unplug() in remove().`,
          atNs: e.ts,
          epoch: hit.epoch,
          details: {
            faults: 1,
            addr: e.addr ?? "",
            mappings: plural(hit.maps.length, "mapping"),
            ...(rip !== undefined ? { rip } : {}),
          },
        },
        { line: e.line, ...(e.src !== undefined ? { src: e.src } : {}) },
      );
      seen.set(key, f);
      out.push(f);
    }
    return out;
  },
};

/** The latest unbind before `index` that released iomap resources, within the window. */
function releasedMappings(
  model: AnalysisModel,
  index: number,
): { device: string; maps: ResourceRecord[]; at: number; epoch: number } | undefined {
  const ts = model.events[index]?.ts ?? 0;
  let best:
    | { device: string; maps: ResourceRecord[]; at: number; epoch: number; endIndex: number }
    | undefined;
  for (const d of model.devices.values()) {
    for (const ep of d.epochs) {
      if (ep.end !== "unbind" || ep.endIndex < 0 || ep.endIndex > index) continue;
      const maps = ep.resources.filter(
        (r) => r.kind === "iomap" && r.end === "released" && r.endIndex <= index,
      );
      if (maps.length === 0) continue;
      const at = Math.max(...maps.map((r) => r.endedNs ?? 0));
      if (ts - at > WINDOW_NS) continue;
      // Still mapped again by a later probe of the same device: the fault is not about this unbind.
      if (d.epochs.some((x) => x.startIndex > ep.endIndex && x.startIndex < index)) continue;
      if (best === undefined || ep.endIndex > best.endIndex)
        best = { device: d.name, maps, at, epoch: ep.index, endIndex: ep.endIndex };
    }
  }
  return best;
}
