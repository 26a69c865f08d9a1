/**
 * Merges segment results in file order into one ImportResult: renumbers lines, sums the line
 * account, completes kmalloc/kfree links and LOST-marker times across segment boundaries,
 * recovers trace-cmd op pointers over the whole input, and writes the notes. Pure; the same
 * code finishes a one-segment (sequential) import and a parallel one.
 */
import type { LineAccounting, RejectedLine } from "../model/analysis.js";
import type { DevresEvent, LostEventsEvent, TraceEvent } from "../model/events.js";
import { EvidenceMerger } from "./evidence-merge.js";
import type { KmemExtra } from "./kmem-linker.js";
import { LinkMerger } from "./link-merge.js";
import { recoverOps, type OpEvidence } from "./op-recovery.js";
import {
  MAX_REJECTED_SAMPLES,
  type SegmentNoteCounts,
  type SegmentPartial,
} from "./segment-parser.js";
import type { ImportResult, KeepKmem, OpRecovery, TraceFormat, TraceMeta } from "./types.js";

export interface FinalizeOptions {
  path?: string;
  src?: number;
  keepKmem?: KeepKmem;
  /** Input size in bytes (compressed size for gzip). */
  bytes: number;
  gzip?: boolean;
  error?: string;
  /** Used when no segment exists (empty or refused input). */
  format?: TraceFormat;
}

function mergeMeta(into: TraceMeta, m: TraceMeta): void {
  if (into.tracer === undefined && m.tracer !== undefined) into.tracer = m.tracer;
  if (into.entriesInBuffer === undefined && m.entriesInBuffer !== undefined)
    into.entriesInBuffer = m.entriesInBuffer;
  if (into.entriesWritten === undefined && m.entriesWritten !== undefined)
    into.entriesWritten = m.entriesWritten;
  if (into.cpus === undefined && m.cpus !== undefined) into.cpus = m.cpus;
  if (m.lostEvents !== undefined) into.lostEvents = (into.lostEvents ?? 0) + m.lostEvents;
  if (m.hasTgid) into.hasTgid = true;
  if (m.latencyFormat) into.latencyFormat = true;
  if (m.rawClock) into.rawClock = true;
  if (m.firstNs !== undefined && (into.firstNs === undefined || m.firstNs < into.firstNs))
    into.firstNs = m.firstNs;
  if (m.lastNs !== undefined && (into.lastNs === undefined || m.lastNs > into.lastNs))
    into.lastNs = m.lastNs;
}

function plural(n: number, one: string, many = `${one}s`): string {
  return `${n} ${n === 1 ? one : many}`;
}

export function finalizeImport(
  partials: readonly SegmentPartial[],
  opts: FinalizeOptions,
): ImportResult {
  const keep = opts.keepKmem ?? "linked";
  const events: (TraceEvent | null)[] = [];
  const extras: KmemExtra[] = [];
  const merger = new LinkMerger(
    events as TraceEvent[],
    extras,
    keep === "linked" || keep === "module",
  );
  const meta: TraceMeta = {};
  const ignored: Record<string, number> = {};
  const rejectedSamples: RejectedLine[] = [];
  const notes: SegmentNoteCounts = {
    pointerNames: 0,
    pointerOps: 0,
    moduleNames: 0,
    moduleGoneNames: 0,
    jsonlUnknownFields: 0,
    dmesgPlain: 0,
  };
  let total = 0;
  let parsed = 0;
  let rejected = 0;
  let lostWaiting: number[] = [];
  let fatal: string | undefined;
  const evidence = new EvidenceMerger();

  for (const seg of partials) {
    const lineOffset = total;
    const eventOffset = events.length;
    // LOST markers of earlier segments take the first time of their CPU in this one.
    if (lostWaiting.length > 0) {
      const first = new Map(seg.firstTsByCpu);
      lostWaiting = lostWaiting.filter((idx) => {
        const ev = events[idx] as LostEventsEvent;
        const ts = first.get(ev.cpu ?? -1);
        if (ts === undefined) return true;
        ev.ts = ts;
        return false;
      });
    }
    if (lineOffset === 0 && eventOffset === 0) for (const ev of seg.events) events.push(ev);
    else
      for (const ev of seg.events) {
        ev.line += lineOffset;
        events.push(ev);
      }
    for (const x of seg.extras) {
      x.event.line += lineOffset;
      extras.push({ event: x.event, owner: x.owner + eventOffset });
    }
    // Links across boundaries: nothing to do for a single segment (no earlier one to
    // complete, no later one to carry to).
    if (partials.length > 1) merger.add(seg.link, eventOffset, lineOffset);
    if (seg.evidence !== undefined) evidence.add(seg.evidence, lineOffset);
    for (const idx of seg.lostPending) lostWaiting.push(idx + eventOffset);
    for (const r of seg.rejectedSamples) {
      if (rejectedSamples.length >= MAX_REJECTED_SAMPLES) break;
      rejectedSamples.push({ ...r, line: r.line + lineOffset });
    }
    for (const [k, v] of Object.entries(seg.ignored)) ignored[k] = (ignored[k] ?? 0) + v;
    mergeMeta(meta, seg.meta);
    for (const k of Object.keys(notes) as (keyof SegmentNoteCounts)[]) notes[k] += seg.notes[k];
    total += seg.lines;
    parsed += seg.parsed;
    rejected += seg.rejected;
    if (seg.fatal !== undefined && fatal === undefined) fatal = seg.fatal;
  }

  const format: TraceFormat = partials[0]?.format ?? opts.format ?? "ftrace";
  const noteList: string[] = [];
  // Both print through libtraceevent, which cannot follow a `const char *` field.
  const tool = format === "perf-script" ? "perf script" : "trace-cmd report";

  // trace-cmd report: ops printed as pointers.
  if (notes.pointerOps > 0) {
    const items: OpEvidence[] = [];
    const owners: number[] = [];
    events.forEach((ev, i) => {
      if (ev?.kind === "devres" && ev.opAddr !== undefined) {
        const it: OpEvidence = {
          dev: ev.dev,
          node: ev.node,
          opAddr: ev.opAddr,
          hasAlloc: ev.allocSite !== undefined,
          hasFree: ev.freeSite !== undefined,
        };
        if (ev.freeSite !== undefined) it.freeSite = ev.freeSite;
        items.push(it);
        owners.push(i);
      }
    });
    const rec = recoverOps(items);
    const dropAlloc = new Set<number>();
    const dropFree = new Set<number>();
    for (const i of owners) {
      const ev = events[i] as DevresEvent;
      const op = rec.mapping.get(ev.opAddr as string);
      if (op === undefined) {
        // A fifth distinct pointer cannot be one of the four op strings: reject the line.
        events[i] = null;
        parsed--;
        rejected++;
        if (rejectedSamples.length < MAX_REJECTED_SAMPLES) {
          const r: RejectedLine = {
            line: ev.line,
            reason: `devres_log: op pointer ${ev.opAddr as string} is a fifth distinct op pointer (devres has four op strings)`,
          };
          if (opts.src !== undefined) r.src = opts.src;
          rejectedSamples.push(r);
        }
        continue;
      }
      ev.op = op;
      if (op === "ADD") {
        delete ev.freeSite;
        dropFree.add(i);
      } else {
        delete ev.allocSite;
        delete ev.allocBytes;
        dropAlloc.add(i);
      }
    }
    for (let k = extras.length - 1; k >= 0; k--) {
      const x = extras[k] as KmemExtra;
      if (
        events[x.owner] === null ||
        (x.event.kind === "kmalloc" && dropAlloc.has(x.owner)) ||
        (x.event.kind === "kfree" && dropFree.has(x.owner))
      )
        extras.splice(k, 1);
    }
    const mapping: Record<string, string> = {};
    const counts: Record<string, number> = {};
    for (const [ptr, op] of rec.mapping) mapping[ptr] = op;
    for (const [ptr, n] of rec.counts) counts[ptr] = n;
    const opRecovery: OpRecovery = { mapping, counts, score: rec.score, ambiguous: rec.ambiguous };
    if (rec.runnerUp !== undefined) opRecovery.runnerUp = rec.runnerUp;
    meta.opRecovery = opRecovery;
    const list = [...rec.mapping]
      .map(([ptr, op]) => `${ptr}=${op} (${rec.counts.get(ptr) ?? 0})`)
      .join(", ");
    noteList.push(
      `${tool} printed the devres_log op as a raw kernel pointer (${plural(notes.pointerOps, "record")}); ops recovered by replaying every (device, node): ${list}; score ${rec.score}` +
        (rec.runnerUp !== undefined ? ` vs ${rec.runnerUp} for the next-best mapping` : "") +
        (rec.ambiguous
          ? ". AMBIGUOUS: the next-best mapping scores almost as well; check the ops against dmesg or a text trace."
          : "."),
    );
    if (rec.unassignable.length > 0)
      noteList.push(
        `devres_log op pointers beyond the four op strings were rejected: ${rec.unassignable.join(", ")}.`,
      );
  }
  if (notes.pointerNames > 0) {
    noteList.push(
      `${plural(notes.pointerNames, "devres_log name was", "devres_log names were")} printed as a raw kernel pointer by ${tool} (the string lives in kernel memory, not in the trace); the pointer is kept as the name (nameForm "pointer").`,
    );
  }
  if (notes.moduleGoneNames > 0) {
    noteList.push(
      `${plural(notes.moduleGoneNames, "devres name")} lived in a module unloaded before the trace was read, printed as (0xADDR)[UNSAFE-MEMORY]: the address is kept as the name (nameForm "module-gone").`,
    );
  }
  if (notes.moduleNames > 0)
    noteList.push(
      `${plural(notes.moduleNames, "devres name")} were read from module memory ((0xADDR:name)[UNSAFE-MEMORY]); the name is kept (nameForm "module").`,
    );
  if (
    meta.entriesWritten !== undefined &&
    meta.entriesInBuffer !== undefined &&
    meta.entriesWritten > meta.entriesInBuffer
  ) {
    meta.startLost = true;
    noteList.push(
      `The ring buffer overwrote ${meta.entriesWritten - meta.entriesInBuffer} of ${meta.entriesWritten} events (entries-in-buffer/entries-written ${meta.entriesInBuffer}/${meta.entriesWritten}): the trace start is cut off, so nodes may be released without a visible ADD.`,
    );
  }
  if (meta.lostEvents !== undefined && meta.lostEvents > 0)
    noteList.push(
      `${plural(meta.lostEvents, "event")} lost in the ring buffer (CPU:N [LOST N EVENTS] markers).`,
    );
  if (meta.tracer !== undefined && meta.tracer !== "nop")
    noteList.push(
      `The '${meta.tracer}' tracer was active: devscope reads trace events; the function tracer's own entries are counted as ignored ("function"), other tracers' lines that are not events are rejected.`,
    );
  if (meta.rawClock)
    noteList.push(
      "Timestamps are raw trace-clock counts (a non-ns trace clock such as x86-tsc or counter), not nanoseconds.",
    );
  // Detection falls back to dmesg for any text; say so when nothing in it is kernel output.
  if (format === "dmesg" && parsed > 0 && notes.dmesgPlain === parsed)
    noteList.push(
      `None of the ${plural(parsed, "line")} looks like kernel output (no [seconds] timestamp, log level, device prefix or devres line): read as untimed log lines. devscope reads ftrace (trace, trace_pipe), trace-cmd report, perf script, dmesg and its own JSONL.`,
    );
  if (notes.jsonlUnknownFields > 0)
    noteList.push(
      `${plural(notes.jsonlUnknownFields, "unknown JSONL field")} dropped (written by a newer devscope?).`,
    );

  // Final events: segment events plus linked (or evidence) kmem events, in line order.
  const main = events.includes(null)
    ? events.filter((e): e is TraceEvent => e !== null)
    : (events as TraceEvent[]);
  const kept = evidence.events();
  let out: TraceEvent[] = main;
  if (extras.length > 0 || kept.length > 0) {
    const extraEvents: TraceEvent[] = extras.map((x) => x.event);
    for (const e of kept) extraEvents.push(e);
    let sorted = true;
    for (let i = 1; i < extraEvents.length && sorted; i++)
      sorted = (extraEvents[i - 1] as TraceEvent).line <= (extraEvents[i] as TraceEvent).line;
    if (!sorted) extraEvents.sort((a, b) => a.line - b.line);
    out = [];
    let j = 0;
    for (const ev of main) {
      while (j < extraEvents.length && (extraEvents[j] as TraceEvent).line < ev.line)
        out.push(extraEvents[j++] as TraceEvent);
      out.push(ev);
    }
    while (j < extraEvents.length) out.push(extraEvents[j++] as TraceEvent);
  }
  if (opts.src !== undefined) {
    const src = opts.src;
    for (const ev of out) if (ev.src !== src) ev.src = src;
  }

  const lines: LineAccounting = { total, parsed, ignored, rejected, rejectedSamples };
  const result: ImportResult = {
    format,
    bytes: opts.bytes,
    events: out,
    lines,
    meta,
    notes: noteList,
  };
  if (opts.path !== undefined) result.path = opts.path;
  if (opts.gzip) result.gzip = true;
  const error = fatal !== undefined ? `${opts.path ?? "input"}: ${fatal}` : opts.error;
  if (error !== undefined) result.error = error;
  return result;
}
