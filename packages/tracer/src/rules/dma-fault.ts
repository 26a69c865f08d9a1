import type { AnalysisModel, DeviceRecord, EpochRecord, ResourceRecord } from "../analysis/analysis-model.js";
import type { Finding } from "../model/analysis.js";
import { plural, secs, summarize } from "./describe.js";
import type { Rule } from "./rule.js";
import { epochLabel, finding, lowerIfLost } from "./rule-support.js";

const DMA_KINDS = new Set(["dma-coherent", "dma-pool"]);

/**
 * IOMMU faults (Intel DMAR `[DMA Read/Write …] Request device [bb:dd.f] fault addr …`, AMD-Vi
 * `IO_PAGE_FAULT`): the device issued a DMA to an address that is not mapped for it. Each
 * device's faults are one finding, placed in the device's lifecycle: while bound (a buffer or
 * ring the driver freed or unmapped while the device still used it — close() without stopping
 * the engine — or a descriptor fetch past the end of its ring) or after unbind (the device was
 * never quiesced: bus mastering left on).
 */
export const dmaFault: Rule = {
  id: "dma-fault",
  severity: "error",
  title: "The device DMA'd to memory not mapped for it (IOMMU fault)",
  help:
    "The IOMMU refused a DMA from the device. Either the driver freed or unmapped memory the device still " +
    "uses (stop the engine and clear bus mastering — pci_clear_master() — before freeing rings and buffers, as " +
    "r8169's f658b90977d2 does), or the device reads past the end of a buffer (descriptor prefetch past the last " +
    "ring entry: pad the allocation, as xHCI's TRB overfetch quirk does). Without an IOMMU the same DMA silently " +
    "corrupts whatever owns that memory now.",
  kernel: "drivers/iommu/intel/dmar.c :: dmar_fault_do_one; drivers/iommu/amd/iommu.c :: amd_iommu_report_page_fault",
  run(model) {
    const byDev = new Map<string, number[]>();
    for (const i of model.reports) {
      const e = model.events[i];
      if (e?.kind !== "report" || e.report !== "iommu-fault") continue;
      const dev = e.dev ?? "";
      const list = byDev.get(dev);
      if (list === undefined) byDev.set(dev, [i]);
      else list.push(i);
    }
    const out: Finding[] = [];
    for (const [device, idx] of byDev) {
      const first = model.events[idx[0] as number];
      if (first?.kind !== "report") continue;
      const addrs = new Set<string>();
      let reads = 0;
      let writes = 0;
      for (const i of idx) {
        const e = model.events[i];
        if (e?.kind !== "report") continue;
        if (e.addr !== undefined) addrs.add(e.addr);
        if (e.text.includes("DMA Read")) reads++;
        else writes++;
      }
      const rec = model.devices.get(device);
      const epoch = rec === undefined ? undefined : epochAt(rec, idx[0] as number);
      const state = stateAt(rec, epoch, idx[0] as number, first.ts);
      const freed = rec === undefined ? [] : dmaReleasedBefore(rec, idx[0] as number);
      const step = lastMarker(model, idx[0] as number);
      const dirs = [reads > 0 ? plural(reads, "read") : "", writes > 0 ? plural(writes, "write") : ""].filter((s) => s !== "").join(" and ");
      const { severity } = lowerIfLost(model, this.severity, first.ts - 1_000_000, first.ts);
      const details: Record<string, string | number | boolean> = { faults: idx.length, reads, writes, firstAddr: first.addr ?? "" };
      if (step !== undefined) details.step = step;
      out.push(
        finding(
          {
            rule: this.id,
            severity,
            device,
            resources: freed.map((r) => r.id),
            message:
              `${device === "" ? "(unknown device)" : device}: the IOMMU refused ${dirs} by the device (${plural(idx.length, "fault")} at ${plural(addrs.size, "page")}, first ${first.addr ?? "?"} at ${secs(first.ts)}, line ${first.line}) ${state}` +
              (step !== undefined ? `, after "${step}"` : "") +
              `: the device is still bus-mastering to memory that is not mapped for it — freed or unmapped while in use, or past the end of a buffer` +
              (freed.length > 0 ? `. DMA memory of the device released before: ${summarize(freed)}.` : "."),
            atNs: first.ts,
            details,
            ...(epoch !== undefined ? { epoch: epoch.index } : {}),
          },
          { line: first.line, ...(first.src !== undefined ? { src: first.src } : {}) },
        ),
      );
    }
    return out;
  },
};

function epochAt(rec: DeviceRecord, index: number): EpochRecord | undefined {
  let best: EpochRecord | undefined;
  for (const ep of rec.epochs) if (ep.startIndex <= index && (best === undefined || ep.startIndex > best.startIndex)) best = ep;
  return best;
}

function stateAt(rec: DeviceRecord | undefined, epoch: EpochRecord | undefined, index: number, ts: number): string {
  if (rec === undefined || epoch === undefined) return "";
  if (epoch.endIndex >= 0 && epoch.endIndex < index) return `after the driver let go of it (${epochLabel(epoch)})`;
  if (epoch.releaseStartIndex !== undefined && epoch.releaseStartIndex <= index) return `while its devres were being released (${epochLabel(epoch)})`;
  void ts;
  return `while the driver was bound (${epochLabel(epoch)})`;
}

function dmaReleasedBefore(rec: DeviceRecord, index: number): ResourceRecord[] {
  return rec.resources.filter((r) => DMA_KINDS.has(r.kind) && r.endIndex >= 0 && r.endIndex < index).slice(-6);
}

function lastMarker(model: AnalysisModel, index: number): string | undefined {
  const ts = model.events[index]?.ts ?? 0;
  let best: string | undefined;
  for (const m of model.markers) if (m.ts <= ts) best = m.text;
  return best;
}
