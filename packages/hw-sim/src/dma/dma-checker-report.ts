import { rawAddr, sym, symName, type Kernel, type TaskStamp } from "@devscope/core";
import type { DmaFaultReason, DmaFaultRecord, DmaTargetInfo } from "./dma-fault.js";

/**
 * The DMA checker's own report, printed to the kernel log after the IOMMU's fault lines (or on
 * its own when the IOMMU let the access through: a free pool block, whose page stays mapped, or
 * any bad access in passthrough mode). No kernel prints this — KASAN does not see device DMA
 * and the IOMMU knows only pages — so the checker speaks in KASAN's words: the line shapes of
 * mm/kasan/report.c (print_report: `BUG: KASAN: <type> in …`, the access line, print_track's
 * `Allocated by task N:` / `Freed by task N:` stacks, describe_object_addr's object and region),
 * with the device in the places KASAN names a CPU: `in DMA read by <dev> (<what>)` where KASAN
 * has `%pS`, `by device <dev> (bus address …)` where it has `by task comm/pid`. The importer
 * reads the block like a real KASAN report; the analyzer's dma-fault rule folds it into the
 * device's finding (and use-after-free leaves device accesses to it).
 *
 * One report per target (mapping or pool block) and verdict, like KASAN's one report per bad
 * object: the DMAR lines keep counting every fault.
 */
const BANNER = "==================================================================";

/** The KASAN bug type (mm/kasan/report_generic.c :: get_bug_type wording) of a checker verdict. */
const BUG_TYPE: Partial<Record<DmaFaultReason, string>> = {
  "after-free": "use-after-free",
  "pool-free-block": "use-after-free",
  "out-of-bounds": "out-of-bounds",
};

/** The kernel's allocator / free entry points of each kind of DMA memory (the innermost frame of a track). */
const ALLOCATOR: Record<DmaTargetInfo["kind"], { alloc: string; free: string }> = {
  coherent: { alloc: "dma_alloc_attrs", free: "dma_free_attrs" },
  single: { alloc: "dma_map_page_attrs", free: "dma_unmap_page_attrs" },
  "pool-block": { alloc: "dma_pool_alloc", free: "dma_pool_free" },
};

/** What the object is, in describe_object_addr's "which belongs to the cache %s of size %d" shape. */
function objectOwner(t: DmaTargetInfo): string {
  if (t.kind === "pool-block") return `dma pool ${t.pool ?? "?"}`;
  return t.kind === "coherent" ? "coherent DMA buffer" : "streaming DMA mapping";
}

export class DmaCheckerReport {
  private readonly done = new Set<string>();
  /** Reports printed, count. */
  printed = 0;
  /** Bad accesses to a target already reported (not printed again), count. */
  repeated = 0;

  constructor(private readonly k: Kernel) {}

  /**
   * Print the report for a flagged access if the checker has words for it (freed memory, a free
   * pool block, past the end of a mapping or block) and its target was not reported yet.
   * Returns whether a report was printed.
   */
  report(r: DmaFaultRecord): boolean {
    const type = BUG_TYPE[r.reason];
    const t = r.target;
    if (type === undefined || t === undefined) return false;
    const key = `${r.device}|${t.kind}|${t.dma}|${t.allocNs}|${r.reason}`;
    if (this.done.has(key)) {
      this.repeated++;
      return false;
    }
    this.done.add(key);
    this.printed++;
    for (const line of reportLines(r, t, type)) this.k.printk(3, line);
    return true;
  }
}

/** The report's lines, banners included. */
export function reportLines(r: DmaFaultRecord, t: DmaTargetInfo, type: string): string[] {
  const op = r.write ? "Write" : "Read";
  const cpu = t.phys + (r.iova - t.dma);
  const off = cpu - t.phys;
  const region = t.reqBytes;
  const where =
    off < 0
      ? `${-off} bytes to the left of`
      : off >= region
        ? `${off - region} bytes to the right of`
        : `${off} bytes inside of`;
  const calls = ALLOCATOR[t.kind];
  return [
    BANNER,
    `BUG: KASAN: ${type} in DMA ${op.toLowerCase()} by ${r.device} (${r.purpose})`,
    `${op} of size ${r.lenBytes} at addr ${rawAddr(cpu)} by device ${r.device} (bus address 0x${r.iova.toString(16)})`,
    "",
    ...track("Allocated", t.allocated, calls.alloc),
    ...(t.freed !== undefined || t.freeSite !== undefined
      ? track("Freed", t.freed, calls.free)
      : []),
    `The buggy address belongs to the object at ${rawAddr(t.phys)}`,
    ` which belongs to the ${objectOwner(t)} of size ${region}`,
    `The buggy address is located ${where}`,
    ` ${region}-byte region [${rawAddr(t.phys)}, ${rawAddr(t.phys + region)})`,
    BANNER,
  ];
}

/**
 * mm/kasan/report.c :: print_track: `<what> by task <pid>:` and the stack, innermost first (the
 * allocator entry point, then the caller and its callers, each function once), then a blank
 * line; `(stack is not available)` when the checker has no record.
 */
function track(what: string, s: TaskStamp | undefined, entry: string): string[] {
  if (s === undefined) return [`${what} by task 0:`, "(stack is not available)", ""];
  const frames = [sym(entry), s.site, ...s.stack.slice().reverse()];
  const seen = new Set<string>();
  const out: string[] = [];
  for (const f of frames) {
    const fn = symName(f);
    if (seen.has(fn)) continue;
    seen.add(fn);
    out.push(` ${f}`);
  }
  return [`${what} by task ${s.pid}:`, ...out, ""];
}
