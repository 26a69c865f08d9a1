import type {
  AnalysisModel,
  DeviceRecord,
  EpochRecord,
  ResourceRecord,
} from "../analysis/analysis-model.js";
import type { Finding } from "../model/analysis.js";
import { describe, plural, secs, summarize } from "./describe.js";
import { frameFunction, readReportBlock, siteOf, type ReportBlock } from "./report-block.js";
import type { Rule } from "./rule.js";
import { epochLabel, finding, lowerIfLost } from "./rule-support.js";

const DMA_KINDS = new Set(["dma-coherent", "dma-pool"]);

/** A DMA checker report (KASAN-worded, `… by device <dev>`) read back from the trace. */
interface CheckerReport {
  index: number;
  block: ReportBlock & { dmaAccess: NonNullable<ReportBlock["dmaAccess"]> };
  /** KASAN bug type of the first line (`use-after-free`, `out-of-bounds`). */
  type: string;
  /** What the device was doing (`rx descriptor fetch`), from `… by <dev> (<what>)`. */
  purpose?: string;
}

/**
 * IOMMU faults (Intel DMAR `[DMA Read/Write …] Request device [bb:dd.f] fault addr …`, AMD-Vi
 * `IO_PAGE_FAULT`): the device issued a DMA to an address that is not mapped for it. Each
 * device's faults are one finding, placed in the device's lifecycle: while bound (a buffer or
 * ring the driver freed or unmapped while the device still used it — close() without stopping
 * the engine — or a descriptor fetch past the end of its ring) or after unbind (the device was
 * never quiesced: bus mastering left on).
 *
 * A DMA checker's report of the same device (the simulator's, in KASAN's line shapes with
 * `by device <dev>`) is folded in: it names what the access hit — the buffer or pool block, the
 * access, who allocated and who freed it — and stands on its own when the IOMMU let the access
 * through (a free block of a pool whose page stays mapped, or no IOMMU translation).
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
  kernel:
    "drivers/iommu/intel/dmar.c :: dmar_fault_do_one; drivers/iommu/amd/iommu.c :: amd_iommu_report_page_fault",
  run(model) {
    const byDev = new Map<string, { faults: number[]; checks: CheckerReport[] }>();
    const entry = (dev: string): { faults: number[]; checks: CheckerReport[] } => {
      let v = byDev.get(dev);
      if (v === undefined) {
        v = { faults: [], checks: [] };
        byDev.set(dev, v);
      }
      return v;
    };
    for (const i of model.reports) {
      const e = model.events[i];
      if (e?.kind !== "report") continue;
      if (e.report === "iommu-fault") entry(e.dev ?? "").faults.push(i);
      else if (e.report.startsWith("kasan-")) {
        const block = readReportBlock(model, i);
        if (block.dmaAccess === undefined) continue;
        const head = / KASAN: (\S+) in DMA (?:read|write) by \S+(?: \((.*)\))?$/.exec(e.text);
        const c: CheckerReport = {
          index: i,
          block: block as CheckerReport["block"],
          type: head?.[1] ?? e.report.slice(6),
        };
        if (head?.[2] !== undefined) c.purpose = head[2];
        entry(block.dmaAccess.device).checks.push(c);
      }
    }
    const out: Finding[] = [];
    for (const [device, { faults, checks }] of byDev) {
      const firstIndex = Math.min(faults[0] ?? Infinity, checks[0]?.index ?? Infinity);
      const first = model.events[firstIndex];
      if (first?.kind !== "report") continue;
      const rec = model.devices.get(device);
      const epoch = rec === undefined ? undefined : epochAt(rec, firstIndex);
      const state = stateAt(rec, epoch, firstIndex);
      const freed = rec === undefined ? [] : dmaReleasedBefore(rec, firstIndex);
      const step = lastMarker(model, firstIndex);
      const check = checks[0];
      const hit = check === undefined || rec === undefined ? undefined : resourceHit(rec, check);
      const { severity } = lowerIfLost(model, this.severity, first.ts - 1_000_000, first.ts);
      const details: Record<string, string | number | boolean> = { faults: faults.length };
      const name = device === "" ? "(unknown device)" : device;
      const when =
        (state !== "" ? ` ${state}` : "") + (step !== undefined ? `, after "${step}"` : "");
      let message: string;
      if (faults.length > 0) {
        const addrs = new Set<string>();
        let reads = 0;
        let writes = 0;
        for (const i of faults) {
          const e = model.events[i];
          if (e?.kind !== "report") continue;
          if (e.addr !== undefined) addrs.add(e.addr);
          if (e.text.includes("DMA Read")) reads++;
          else writes++;
        }
        const f0 = model.events[faults[0] as number];
        const firstAddr = f0?.kind === "report" ? (f0.addr ?? "?") : "?";
        Object.assign(details, { reads, writes, firstAddr });
        const dirs = [
          reads > 0 ? plural(reads, "read") : "",
          writes > 0 ? plural(writes, "write") : "",
        ]
          .filter((s) => s !== "")
          .join(" and ");
        message =
          `${name}: the IOMMU refused ${dirs} by the device (${plural(faults.length, "fault")} at ${plural(addrs.size, "page")}, first ${firstAddr} at ${secs(f0?.ts ?? first.ts)}, line ${f0?.line ?? first.line})${when}: ` +
          (check !== undefined
            ? `the DMA checker's report (line ${model.events[check.index]?.line ?? "?"}) names what it hit: ${describeCheck(check)}`
            : `the device is still bus-mastering to memory that is not mapped for it — freed or unmapped while in use, or past the end of a buffer`);
      } else {
        const c = check as CheckerReport;
        message =
          `${name}: the DMA checker's report (line ${first.line}) saw ${describeCheck(c)}${when}; ` +
          (c.block.object?.owner?.startsWith("dma pool ") === true
            ? "the IOMMU let it through: a pool's page stays mapped while any of its blocks is in use"
            : "the IOMMU let it through (no translation for the device): the bytes landed in memory the device does not own");
      }
      if (checks.length > 1)
        message += `; ${plural(checks.length - 1, "other buffer")} reported too: ${checks.slice(1, 4).map(shortCheck).join("; ")}${checks.length > 4 ? "; ..." : ""}`;
      if (hit !== undefined) {
        const what = hit.kind === "dma-pool" ? "The pool is managed" : "The buffer is managed";
        message += `. ${what}: ${describe(hit)}${hit.endIndex >= 0 && hit.endIndex < (check?.index ?? 0) ? `, released at ${secs(hit.endedNs ?? hit.addedNs)}` : ""}`;
      }
      message +=
        freed.length > 0 ? `. DMA memory of the device released before: ${summarize(freed)}.` : ".";
      if (check !== undefined) Object.assign(details, checkDetails(model, check, checks.length));
      if (step !== undefined) details.step = step;
      const resources = hit !== undefined ? [hit, ...freed.filter((r) => r !== hit)] : freed;
      out.push(
        finding(
          {
            rule: this.id,
            severity,
            device,
            resources: resources.map((r) => r.id),
            message,
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

/** What the object was, from the report's `which belongs to the <owner> of size N`. */
function objectText(b: ReportBlock): { text: string; pool?: string } {
  const owner = b.object?.owner;
  const size = b.object?.sizeBytes ?? b.located?.regionBytes;
  const sized = size !== undefined ? `${size}-byte ` : "";
  if (owner?.startsWith("dma pool ") === true) {
    const pool = owner.slice(9);
    return { text: `${sized}block of DMA pool "${pool}"`, pool };
  }
  return { text: `${sized}${owner ?? "buffer"}` };
}

/**
 * `a read of 16 bytes at bus address 0x1000220c0 (rx descriptor fetch), 192 bytes into a freed
 * 256-byte coherent DMA buffer — allocated by f ← g (task 101), freed by h ← i (task 103)`.
 */
function describeCheck(c: CheckerReport): string {
  const a = c.block.dmaAccess;
  const b = c.block;
  const obj = objectText(b);
  const freeBlock = c.type.includes("use-after-free");
  const target = freeBlock
    ? obj.pool !== undefined
      ? `a free ${obj.text}`
      : `a freed ${obj.text}`
    : `a ${obj.text}`;
  const loc = b.located;
  let where: string;
  if (loc === undefined) where = `in ${target}`;
  else if (loc.where === "inside") where = `${plural(loc.bytes, "byte")} into ${target}`;
  else if (loc.where === "right") where = `${plural(loc.bytes, "byte")} past the end of ${target}`;
  else where = `${plural(loc.bytes, "byte")} before ${target}`;
  const region = loc?.regionBytes ?? b.object?.sizeBytes;
  const overrun =
    !freeBlock &&
    loc?.where === "inside" &&
    region !== undefined &&
    loc.bytes + a.sizeBytes > region
      ? `, running ${plural(loc.bytes + a.sizeBytes - region, "byte")} past its end`
      : "";
  const allocSite = siteOf(b.allocated?.frames);
  const freeSite = siteOf(b.freed?.frames);
  const sites = [
    allocSite !== undefined ? `allocated by ${allocSite} (task ${b.allocated?.pid ?? "?"})` : "",
    freeSite !== undefined ? `freed by ${freeSite} (task ${b.freed?.pid ?? "?"})` : "",
  ].filter((s) => s !== "");
  return (
    `a ${a.op === "Read" ? "read" : "write"} of ${plural(a.sizeBytes, "byte")} at bus address ${a.busAddr ?? a.addr}${c.purpose !== undefined ? ` (${c.purpose})` : ""}, ${where}${overrun}` +
    (sites.length > 0 ? ` — ${sites.join(", ")}` : "")
  );
}

/** `use-after-free of a 256-byte coherent DMA buffer allocated by f` for the other reports. */
function shortCheck(c: CheckerReport): string {
  const allocSite = siteOf(c.block.allocated?.frames, 1);
  return `${c.type} of a ${objectText(c.block).text}${allocSite !== undefined ? ` allocated by ${allocSite}` : ""}`;
}

function checkDetails(
  model: AnalysisModel,
  c: CheckerReport,
  count: number,
): Record<string, string | number> {
  const a = c.block.dmaAccess;
  const d: Record<string, string | number> = {
    checkerReports: count,
    checkerLine: model.events[c.index]?.line ?? 0,
    access: `${a.op} ${a.sizeBytes} bytes at ${a.busAddr ?? a.addr}`,
    bugType: c.type,
    target: objectText(c.block).text,
  };
  if (c.purpose !== undefined) d.purpose = c.purpose;
  const pool = objectText(c.block).pool;
  if (pool !== undefined) d.pool = pool;
  const allocSite = siteOf(c.block.allocated?.frames);
  const freeSite = siteOf(c.block.freed?.frames);
  if (allocSite !== undefined) d.allocSite = allocSite;
  if (freeSite !== undefined) d.freeSite = freeSite;
  return d;
}

/**
 * The managed resource the reported memory was, when the trace shows it: the device's DMA pool
 * node live at the report (when it has exactly one), or the dmam node of a buffer allocated
 * through dmam_alloc_attrs — the latest one released before a use-after-free, the only live one
 * for an overrun. Unmanaged buffers have no node (real traces log no DMA mappings before 6.12).
 */
function resourceHit(rec: DeviceRecord, c: CheckerReport): ResourceRecord | undefined {
  const at = c.index;
  const owner = c.block.object?.owner ?? "";
  const liveAt = (r: ResourceRecord): boolean =>
    r.addIndex <= at && (r.endIndex < 0 || r.endIndex > at);
  if (owner.startsWith("dma pool ")) {
    const pools = rec.resources.filter((r) => r.kind === "dma-pool" && liveAt(r));
    return pools.length === 1 ? pools[0] : undefined;
  }
  const managed = (c.block.allocated?.frames ?? [])
    .slice(0, 4)
    .some((f) => frameFunction(f) === "dmam_alloc_attrs");
  if (!managed) return undefined;
  const nodes = rec.resources.filter((r) => r.kind === "dma-coherent");
  if (c.type.includes("use-after-free")) {
    let best: ResourceRecord | undefined;
    for (const r of nodes)
      if (r.endIndex >= 0 && r.endIndex < at && (best === undefined || r.endIndex > best.endIndex))
        best = r;
    return best;
  }
  const live = nodes.filter(liveAt);
  return live.length === 1 ? live[0] : undefined;
}

function epochAt(rec: DeviceRecord, index: number): EpochRecord | undefined {
  let best: EpochRecord | undefined;
  for (const ep of rec.epochs)
    if (ep.startIndex <= index && (best === undefined || ep.startIndex > best.startIndex))
      best = ep;
  return best;
}

function stateAt(
  rec: DeviceRecord | undefined,
  epoch: EpochRecord | undefined,
  index: number,
): string {
  if (rec === undefined || epoch === undefined) return "";
  if (epoch.endIndex >= 0 && epoch.endIndex < index)
    return `after the driver let go of it (${epochLabel(epoch)})`;
  if (epoch.releaseStartIndex !== undefined && epoch.releaseStartIndex <= index)
    return `while its devres were being released (${epochLabel(epoch)})`;
  return `while the driver was bound (${epochLabel(epoch)})`;
}

function dmaReleasedBefore(rec: DeviceRecord, index: number): ResourceRecord[] {
  return rec.resources
    .filter((r) => DMA_KINDS.has(r.kind) && r.endIndex >= 0 && r.endIndex < index)
    .slice(-6);
}

function lastMarker(model: AnalysisModel, index: number): string | undefined {
  const ts = model.events[index]?.ts ?? 0;
  let best: string | undefined;
  for (const m of model.markers) if (m.ts <= ts) best = m.text;
  return best;
}
