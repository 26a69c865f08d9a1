import type { AnalysisInput, LineAccounting, RejectedLine } from "../model/analysis.js";
import type { TraceEvent } from "../model/events.js";
import type { ImportResult } from "../import/types.js";

/**
 * Merging several imported files of one boot into one event stream (`devscope analyze
 * X.ftrace.txt X.dmesg.txt`).
 *
 * Clocks: ftrace stamps events with its trace clock (`global` here), dmesg with the printk
 * clock (local_clock); both count from boot but drift apart by a little. The offset of each
 * extra input against the first trace input is the median difference between lines present
 * in both: trace_marker texts the test script also wrote to /dev/kmsg (`rk: ...`), console
 * lines, and drm managed-resource lines (their node pointers make them unique per boot).
 *
 * Duplicates: with printk:console traced, every kernel log line is in the ftrace file *and*
 * in dmesg. Lines of the extra inputs that the reference already has (same kind and content,
 * in the same order, within DEDUP_WINDOW_NS after alignment) are dropped and counted.
 */

/** A console event can be written long after its printk (slow serial console): ns. */
const DEDUP_WINDOW_NS = 5_000_000_000;
/** At most this many rejected-line samples in the merged accounting. */
const MAX_REJECTED_SAMPLES = 20;

export interface MergedInputs {
  events: TraceEvent[];
  inputs: AnalysisInput[];
  lines: LineAccounting;
  notes: string[];
  startLost: boolean;
}

/** Content key of events that can appear in two inputs of one boot; undefined = never merged. */
function contentKey(e: TraceEvent): string | undefined {
  switch (e.kind) {
    case "drmres":
      return `drmres\u0000${e.dev}\u0000${e.op}\u0000${e.node}\u0000${e.name}\u0000${e.size}`;
    case "drmres_release":
      return `drmres_release\u0000${e.phase}\u0000${e.dev ?? ""}`;
    case "devres":
      return `devres\u0000${e.dev}\u0000${e.op}\u0000${e.node}\u0000${e.name}\u0000${e.size}`;
    case "log":
      return `log\u0000${e.dev ?? ""}\u0000${e.text.trim()}`;
    case "probe_failed":
      return `probe_failed\u0000${e.driver}\u0000${e.dev}\u0000${e.errno}`;
    case "resources_before_probe":
      return `rbp\u0000${e.dev}`;
    case "pool_busy":
      return `pool_busy\u0000${e.dev ?? ""}\u0000${e.pool}\u0000${e.addr ?? ""}`;
    case "report":
      return `report\u0000${e.report}\u0000${e.text.trim()}`;
    default:
      return undefined;
  }
}

/** Keys used to align clocks: texts the script wrote everywhere, and unique drm/devres lines. */
function anchorKey(e: TraceEvent): string | undefined {
  if (e.ts < 0) return undefined;
  switch (e.kind) {
    case "marker":
      return `text\u0000${e.text.trim()}`;
    case "log":
      return `text\u0000${e.text.trim()}`;
    case "drmres":
    case "devres":
      return contentKey(e);
    default:
      return undefined;
  }
}

function keyed(
  events: readonly TraceEvent[],
  key: (e: TraceEvent) => string | undefined,
): Map<string, TraceEvent[]> {
  const m = new Map<string, TraceEvent[]>();
  for (const e of events) {
    const k = key(e);
    if (k === undefined) continue;
    const list = m.get(k);
    if (list === undefined) m.set(k, [e]);
    else list.push(e);
  }
  return m;
}

export interface ClockOffset {
  /** ns to subtract from the other input's timestamps. */
  offsetNs: number;
  /** Matched line pairs used. */
  anchors: number;
  /** max - min of the pair differences (ns): how well the clocks agree. */
  spreadNs: number;
}

/** Median offset between two inputs from lines present in both (the k-th with the k-th). */
export function estimateOffset(
  ref: readonly TraceEvent[],
  other: readonly TraceEvent[],
): ClockOffset | undefined {
  const a = keyed(ref, anchorKey);
  const b = keyed(other, anchorKey);
  const deltas: number[] = [];
  for (const [k, list] of b) {
    const mine = a.get(k);
    // Only keys seen the same number of times pair up unambiguously.
    if (mine === undefined || mine.length !== list.length) continue;
    for (let i = 0; i < list.length; i++)
      deltas.push((list[i] as TraceEvent).ts - (mine[i] as TraceEvent).ts);
  }
  if (deltas.length === 0) return undefined;
  deltas.sort((x, y) => x - y);
  const mid = deltas.length >> 1;
  const median =
    deltas.length % 2 === 1
      ? (deltas[mid] as number)
      : Math.round(((deltas[mid - 1] as number) + (deltas[mid] as number)) / 2);
  return {
    offsetNs: median,
    anchors: deltas.length,
    spreadNs: (deltas[deltas.length - 1] as number) - (deltas[0] as number),
  };
}

export function mergeImports(
  results: readonly ImportResult[],
  paths: readonly string[] = [],
): MergedInputs {
  const inputs: AnalysisInput[] = results.map((r, i) => {
    const inp: AnalysisInput = {
      path: r.path ?? paths[i] ?? `input${i}`,
      format: r.format,
      bytes: r.bytes,
      lines: r.lines.total,
    };
    if (r.gzip === true) inp.gzip = true;
    if (r.error !== undefined) inp.error = r.error;
    return inp;
  });
  const notes: string[] = [];
  results.forEach((r, i) => {
    for (const n of r.notes) notes.push(results.length > 1 ? `${inputs[i]?.path}: ${n}` : n);
  });
  const lines = mergeLines(results);
  const startLost = results.some((r) => r.meta.startLost === true);

  if (results.length === 1) {
    const only = results[0] as ImportResult;
    (inputs[0] as AnalysisInput).events = only.events.length;
    return { events: only.events, inputs, lines, notes, startLost };
  }

  const refIndex = Math.max(
    0,
    results.findIndex((r) => r.format !== "dmesg"),
  );
  const ref = results[refIndex] as ImportResult;
  const refKeys = keyed(ref.events, contentKey);
  const streams: TraceEvent[][] = [];
  results.forEach((r, i) => {
    const input = inputs[i] as AnalysisInput;
    if (i === refIndex) {
      streams.push(stamp(r.events, i, 0));
      input.events = r.events.length;
      return;
    }
    const off = estimateOffset(ref.events, r.events);
    const offsetNs = off?.offsetNs ?? 0;
    if (off !== undefined) {
      input.clockOffsetNs = offsetNs;
      notes.push(
        `${input.path}: clock aligned to ${inputs[refIndex]?.path} by ${off.anchors} lines present in both ` +
          `(offset ${(offsetNs / 1e6).toFixed(3)} ms, spread ${(off.spreadNs / 1e6).toFixed(3)} ms)`,
      );
    } else {
      notes.push(
        `${input.path}: no line in common with ${inputs[refIndex]?.path}; clocks taken as equal (both count from boot)`,
      );
    }
    const shifted = stamp(r.events, i, offsetNs);
    const kept = dedupAgainst(shifted, refKeys);
    const dropped = shifted.length - kept.length;
    if (dropped > 0) {
      input.duplicates = dropped;
      notes.push(
        `${input.path}: ${dropped} lines also present in ${inputs[refIndex]?.path} (console events) were kept once`,
      );
    }
    input.events = kept.length;
    streams.push(kept);
  });
  return { events: mergeByTime(streams), inputs, lines, notes, startLost };
}

/** Copy events with `src` set and timestamps moved onto the reference clock. */
function stamp(events: readonly TraceEvent[], src: number, offsetNs: number): TraceEvent[] {
  if (offsetNs === 0 && events.every((e) => e.src === src)) return events as TraceEvent[];
  return events.map((e) => ({ ...e, src, ts: e.ts >= 0 ? e.ts - offsetNs : e.ts }));
}

/** Drop events whose content the reference has at about the same time (k-th to k-th, in order). */
function dedupAgainst(
  events: readonly TraceEvent[],
  refKeys: Map<string, TraceEvent[]>,
): TraceEvent[] {
  const cursor = new Map<string, number>();
  const out: TraceEvent[] = [];
  for (const e of events) {
    const k = contentKey(e);
    const candidates = k !== undefined ? refKeys.get(k) : undefined;
    if (k === undefined || candidates === undefined || e.ts < 0) {
      out.push(e);
      continue;
    }
    let c = cursor.get(k) ?? 0;
    // Skip reference occurrences too early to be this one.
    while (c < candidates.length && (candidates[c] as TraceEvent).ts < e.ts - DEDUP_WINDOW_NS) c++;
    const hit = candidates[c];
    if (hit !== undefined && Math.abs(hit.ts - e.ts) <= DEDUP_WINDOW_NS) {
      cursor.set(k, c + 1);
      continue;
    }
    cursor.set(k, c);
    out.push(e);
  }
  return out;
}

/**
 * Stable merge by timestamp. Events without one (ts -1: dmesg without prefixes) keep their
 * place after the previous event of their own input.
 */
function mergeByTime(streams: readonly TraceEvent[][]): TraceEvent[] {
  type Item = { e: TraceEvent; t: number; s: number; i: number };
  const items: Item[] = [];
  streams.forEach((events, s) => {
    let last = Number.NEGATIVE_INFINITY;
    events.forEach((e, i) => {
      if (e.ts >= 0) last = e.ts;
      items.push({ e, t: last, s, i });
    });
  });
  items.sort((x, y) => x.t - y.t || x.s - y.s || x.i - y.i);
  return items.map((x) => x.e);
}

function mergeLines(results: readonly ImportResult[]): LineAccounting {
  const ignored: Record<string, number> = {};
  const samples: RejectedLine[] = [];
  let total = 0;
  let parsed = 0;
  let rejected = 0;
  results.forEach((r, i) => {
    total += r.lines.total;
    parsed += r.lines.parsed;
    rejected += r.lines.rejected;
    for (const [k, v] of Object.entries(r.lines.ignored)) ignored[k] = (ignored[k] ?? 0) + v;
    for (const s of r.lines.rejectedSamples) {
      if (samples.length >= MAX_REJECTED_SAMPLES) break;
      samples.push(results.length > 1 ? { ...s, src: i } : s);
    }
  });
  return { total, parsed, ignored, rejected, rejectedSamples: samples };
}
