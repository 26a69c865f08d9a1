import type { AnalysisModel, ResourceRecord } from "../analysis/analysis-model.js";
import type { TraceEvent } from "../model/events.js";

/**
 * The lines the kernel prints after a report's first line, read back from the trace: a KASAN
 * report (mm/kasan/report.c :: print_report — access line, call trace, "Allocated by task" /
 * "Freed by task" stacks, cache description) or an oops. They arrive as one `log` event per
 * line (console events in ftrace, dmesg lines) right after the report event, from the same
 * input; the block ends at KASAN's closing banner or at the next report.
 *
 * The simulator's DMA checker (packages/hw-sim) reports a device access to freed or
 * out-of-bounds DMA memory in the same line shapes, with the device where KASAN names a task:
 * `… in DMA read by <dev> (<what>)` / `Read of size N at addr … by device <dev> (bus address
 * 0x…)` — read back as `dmaAccess` (and never as `access`).
 */
export interface ReportBlock {
  /** `Read`/`Write`/`Free` of `sizeBytes` at `addr` by `task`/`pid`. */
  access?: {
    op: "Read" | "Write" | "Free";
    sizeBytes: number;
    addr: string;
    task: string;
    pid: number;
  };
  /** A device's DMA access (the DMA checker's report): size, CPU address, device, bus address. */
  dmaAccess?: {
    op: "Read" | "Write";
    sizeBytes: number;
    addr: string;
    device: string;
    busAddr?: string;
  };
  /**
   * describe_object_addr's object: `The buggy address belongs to the object at <addr>` /
   * ` which belongs to the <owner> of size N` — owner `cache kmalloc-256`, or from the DMA
   * checker `dma pool <name>`, `coherent DMA buffer`, `streaming DMA mapping`.
   */
  object?: { addr: string; owner?: string; sizeBytes?: number };
  /** `The buggy address is located N bytes inside of|to the right of|to the left of` ` M-byte region [a, b)`. */
  located?: { bytes: number; where: "inside" | "right" | "left"; regionBytes?: number };
  /** The call trace ran in hard-IRQ context (`<IRQ>` … `</IRQ>`). */
  inIrq: boolean;
  /** Call trace frames, innermost first (`%pS` text, module suffix kept). */
  callTrace: string[];
  allocated?: { pid: number; frames: string[] };
  freed?: { pid: number; frames: string[] };
  /** The faulting instruction of an oops (`RIP: 0010:<%pS>`). */
  rip?: string;
  /** `kmalloc-256` and its object size, bytes. */
  cache?: { name: string; sizeBytes: number };
  /** Index of the last event that belonged to the block. */
  endIndex: number;
}

const BANNER = /^=+$/;
const FRAME = /^\s*([A-Za-z_.$][\w.$]*\+0x[0-9a-f]+\/0x[0-9a-f]+(?: \[[\w-]+\])?)\s*$/;
const MAX_LINES = 200;

export function readReportBlock(model: AnalysisModel, index: number): ReportBlock {
  const head = model.events[index] as TraceEvent;
  const via = "via" in head ? head.via : undefined;
  const out: ReportBlock = { inIrq: false, callTrace: [], endIndex: index };
  let section: "head" | "trace" | "alloc" | "free" | "tail" = "head";
  let frames: string[] | null = null;
  for (let i = index + 1, n = 0; i < model.events.length && n < MAX_LINES; i++) {
    const e = model.events[i] as TraceEvent;
    if (e.kind === "report") break;
    if (e.kind !== "log" || e.via !== via || e.src !== head.src) continue;
    n++;
    out.endIndex = i;
    const t = e.text;
    if (BANNER.test(t.trim())) break;
    let m = /^(Read|Write) of size (\d+) at addr ([0-9a-fx]+) by task (.+)\/(\d+)$/.exec(t);
    if (m) {
      out.access = {
        op: m[1] as "Read" | "Write",
        sizeBytes: Number(m[2]),
        addr: m[3] as string,
        task: m[4] as string,
        pid: Number(m[5]),
      };
      continue;
    }
    m =
      /^(Read|Write) of size (\d+) at addr ([0-9a-fx]+) by device (\S+)(?: \(bus address (0x[0-9a-f]+)\))?$/.exec(
        t,
      );
    if (m) {
      out.dmaAccess = {
        op: m[1] as "Read" | "Write",
        sizeBytes: Number(m[2]),
        addr: m[3] as string,
        device: m[4] as string,
      };
      if (m[5] !== undefined) out.dmaAccess.busAddr = m[5];
      continue;
    }
    m = /^Free of addr ([0-9a-fx]+) by task (.+)\/(\d+)$/.exec(t);
    if (m) {
      out.access = {
        op: "Free",
        sizeBytes: 0,
        addr: m[1] as string,
        task: m[2] as string,
        pid: Number(m[3]),
      };
      continue;
    }
    const rip = /^RIP: [0-9a-f]{4}:(\S+(?: \[[\w-]+\])?)/.exec(t);
    if (rip) {
      out.rip = rip[1] as string;
      continue;
    }
    if (t.startsWith("Call Trace:")) {
      section = "trace";
      frames = out.callTrace;
      continue;
    }
    if (/^\s*<IRQ>\s*$/.test(t)) {
      out.inIrq = true;
      continue;
    }
    m = /^(Allocated|Freed) by task (\d+):$/.exec(t);
    if (m) {
      const rec = { pid: Number(m[2]), frames: [] as string[] };
      if (m[1] === "Allocated") {
        out.allocated = rec;
        section = "alloc";
      } else {
        out.freed = rec;
        section = "free";
      }
      frames = rec.frames;
      continue;
    }
    m = /^The buggy address belongs to the object at ([0-9a-fx]+)/.exec(t);
    if (m) {
      out.object = { addr: m[1] as string };
      section = "tail";
      continue;
    }
    m = /which belongs to the (.+) of size (\d+)/.exec(t);
    if (m) {
      const owner = m[1] as string;
      const size = Number(m[2]);
      const cache = /^cache (\S+)$/.exec(owner);
      if (cache) out.cache = { name: cache[1] as string, sizeBytes: size };
      if (out.object !== undefined) {
        out.object.owner = owner;
        out.object.sizeBytes = size;
      }
      section = "tail";
      continue;
    }
    m = /^The buggy address is located (\d+) bytes (inside|to the right|to the left) of/.exec(t);
    if (m) {
      out.located = {
        bytes: Number(m[1]),
        where: m[2] === "inside" ? "inside" : m[2] === "to the right" ? "right" : "left",
      };
      section = "tail";
      continue;
    }
    m = /^\s*(\d+)-byte region \[/.exec(t);
    if (m && out.located !== undefined) {
      out.located.regionBytes = Number(m[1]);
      continue;
    }
    const f = FRAME.exec(t);
    if (f && frames !== null && section !== "head" && section !== "tail")
      frames.push(f[1] as string);
    else if (t.trim() === "" && (section === "alloc" || section === "free")) frames = null;
  }
  return out;
}

/** Allocator (slab, DMA API, DMA pool), KASAN and stack-dump frames that say nothing about who allocated or freed. */
const PLUMBING =
  /^(?:kasan_|__kasan_|____kasan_|kmalloc|__kmalloc|kmem_cache|__kmem_cache|slab_|__slab|kfree|__kfree|dump_stack|print_report|kasan_report|alloc_dr|__devres_alloc|check_memory_region|__asan|asan_|(?:dma_alloc_attrs|dma_free_attrs|dma_map_page_attrs|dma_unmap_page_attrs|dma_pool_alloc|dma_pool_zalloc|dma_pool_free)\+)/;

/** The first `n` frames of a stack that are not allocator/KASAN plumbing, joined `a ← b`. */
export function siteOf(frames: readonly string[] | undefined, n = 2): string | undefined {
  if (frames === undefined) return undefined;
  const real = frames.filter((f) => !PLUMBING.test(f));
  // Inlined or recursive frames repeat a function: one mention each.
  const fns = real.map(frameFunction);
  const uniq = real.filter((f, i) => fns.indexOf(fns[i] as string) === i);
  return uniq.length === 0 ? undefined : uniq.slice(0, n).join(" ← ");
}

/** Function name of a frame (`rtl_init_one+0x1a/0x80 [sim_r8169]` → `rtl_init_one`). */
export function frameFunction(frame: string): string {
  const plus = frame.indexOf("+");
  return (plus < 0 ? frame : frame.slice(0, plus)).trim();
}

/** Frames of devres' own teardown: memory freed here was released by devres_release_all(). */
const DEVRES_FREE =
  /^(release_nodes|devres_release_all|devres_release_group|device_unbind_cleanup)\b/;

/**
 * The devres (or drmm) node whose release freed the object: released before the report, its
 * kmalloc call site (the devm caller) among the first frames of the "Allocated by" stack; when
 * the free stack is devres' own, the latest memory node released before the report.
 */
export function freedResource(
  model: AnalysisModel,
  index: number,
  block: ReportBlock,
): ResourceRecord | undefined {
  const allocFns = new Set((block.allocated?.frames ?? []).slice(0, 8).map(frameFunction));
  const viaDevres = (block.freed?.frames ?? []).some((f) => DEVRES_FREE.test(f));
  let byName: ResourceRecord | undefined;
  let latest: ResourceRecord | undefined;
  for (const r of model.resources) {
    if (r.endIndex < 0 || r.endIndex > index || r.end === "live") continue;
    if (r.kind !== "memory") continue;
    if (r.allocSite !== undefined && allocFns.has(frameFunction(r.allocSite))) {
      if (byName === undefined || r.endIndex > byName.endIndex) byName = r;
    }
    if (viaDevres && r.end === "released" && (latest === undefined || r.endIndex > latest.endIndex))
      latest = r;
  }
  return byName ?? latest;
}

/** The device of an object that was not a devres node: the probe whose task allocated it. */
export function deviceOfReport(
  model: AnalysisModel,
  index: number,
  block: ReportBlock,
): string | undefined {
  const pid = block.allocated?.pid;
  let best: { device: string; start: number } | undefined;
  for (const d of model.devices.values()) {
    for (const ep of d.epochs) {
      if (ep.startIndex < 0 || ep.startIndex > index) continue;
      if (pid !== undefined && ep.probePid !== pid) continue;
      if (best === undefined || ep.startIndex > best.start)
        best = { device: d.name, start: ep.startIndex };
    }
  }
  return best?.device;
}

/**
 * The devres node a report's object is, when it was never released (a bad kfree of devm
 * memory): the latest memory node ADDed before the report from a function on the allocation stack.
 */
export function liveResource(
  model: AnalysisModel,
  index: number,
  block: ReportBlock,
): ResourceRecord | undefined {
  const allocFns = new Set((block.allocated?.frames ?? []).slice(0, 8).map(frameFunction));
  let best: ResourceRecord | undefined;
  for (const r of model.resources) {
    if (r.addIndex < 0 || r.addIndex > index || r.kind !== "memory" || r.allocSite === undefined)
      continue;
    if (!allocFns.has(frameFunction(r.allocSite))) continue;
    if (best === undefined || r.addIndex > best.addIndex) best = r;
  }
  return best;
}
