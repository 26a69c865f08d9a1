/**
 * Parses the lines of one segment of an input (the whole input, or one slice of it when a large
 * file is parsed in parallel) into events and an exact line account. Segment results are merged
 * in order by segment-merge.ts; a single segment goes through the same merge, so the sequential
 * and the parallel importer give identical results.
 *
 * What each line becomes (docs/trace-format.md, "Line accounting"):
 * - parsed:   an event, or a kmem:kmalloc/kfree line whose fields were all located (it joins
 *             the kmalloc/kfree <-> devres linking; it becomes an event per `keepKmem`),
 *             or a `CPU:N [LOST N EVENTS]` marker;
 * - ignored:  a well-formed line of no interest, counted by name: the event name for events
 *             devscope does not model (`sched_switch`), `#comment`, `(blank)`, `(header)`,
 *             `stacktrace`, `(jsonl header)`;
 * - rejected: anything that does not have the expected shape, with line number and reason.
 */
import type { RejectedLine } from "../model/analysis.js";
import type {
  DevresEvent,
  EventOrigin,
  IrqHandlerEvent,
  KfreeEvent,
  KmallocEvent,
  LostEventsEvent,
  ModuleEvent,
  TraceEvent,
} from "../model/events.js";
import { parseJsonlEvent, parseJsonlHeader } from "../format/jsonl-reader.js";
import {
  ascii,
  copyBytes,
  decode,
  HASH,
  isBlank,
  sampleText,
  startsWithBytes,
  SPACE,
  StringCache,
} from "./bytes.js";
import { parseDevresBytes, parseDevresPayload } from "./devres-payload.js";
import { detectFormat, detectionReady } from "./detect-format.js";
import { parseDmesgLine } from "./dmesg-line.js";
import {
  newContext,
  taskEndTrimmed,
  taskStartTrimmed,
  tokenizeFtraceLine,
  tryKernelLayout,
  type FtraceContext,
} from "./ftrace-context.js";
import { classifyKernelLog } from "./kernel-log.js";
import { ACTIVITY_KINDS } from "../analysis/user-space-evidence.js";
import { KFREE, matchKernelKmem, NONE } from "./kernel-kmem-line.js";
import { KmemEvidence, type EvidenceExport, type KmemEvent } from "./kmem-evidence.js";
import { KmemLinker, type AllocFacts, type KmemExtra, type LinkExport } from "./kmem-linker.js";
import {
  kfreeEvent,
  kmallocEvent,
  locateCallAndPtr,
  locateKmalloc,
  newKmemFields,
  type KmemFields,
  type OriginFields,
} from "./kmem-payload.js";
import type { KeepKmem, TraceFormat, TraceMeta } from "./types.js";

/** Rejected lines kept as samples (the count is always exact). */
export const MAX_REJECTED_SAMPLES = 100;

/** What finds line ends: the chunk itself, or the Node Buffer it views (native memchr). */
export interface LineFinder {
  indexOf(byte: number, from: number): number;
}

export interface SegmentOptions {
  format?: TraceFormat;
  keepKmem?: KeepKmem;
  src?: number;
  /**
   * The segment starts at the input's first line (a sequential import, or the first segment of
   * a parallel one): keepKmem "evidence" then skips what only later segments need.
   */
  startsInput?: boolean;
}

/** Counters that become notes once the whole input is merged. */
export interface SegmentNoteCounts {
  pointerNames: number;
  pointerOps: number;
  moduleNames: number;
  moduleGoneNames: number;
  jsonlUnknownFields: number;
  /** dmesg lines with nothing of the kernel log about them: no timestamp, level or device. */
  dmesgPlain: number;
}

/** Everything one segment produced; plain data (crosses worker boundaries by structured clone). */
export interface SegmentPartial {
  format: TraceFormat;
  lines: number;
  parsed: number;
  rejected: number;
  ignored: Record<string, number>;
  /** Segment-local line numbers. */
  rejectedSamples: RejectedLine[];
  /** Events in segment order, segment-local line numbers. */
  events: TraceEvent[];
  /** kmem events kept because they are linked to a devres event of this segment. */
  extras: KmemExtra[];
  link: LinkExport;
  meta: TraceMeta;
  /** Indices (into `events`) of LOST markers whose time is the next event's on their CPU. */
  lostPending: number[];
  /** First timestamp per CPU in this segment: [cpu, ns]. */
  firstTsByCpu: [number, number][];
  notes: SegmentNoteCounts;
  /** keepKmem "evidence": the kmem events kept for the analysis and what the merge completes. */
  evidence?: EvidenceExport;
  /** Fatal problem that must stop the import (unsupported JSONL schema). */
  fatal?: string;
}

/** Kinds whose task and pid the task-activity handler reads (comm tracking of "evidence"). */
const ACTIVITY: ReadonlySet<string> = new Set(ACTIVITY_KINDS);

const enum Ev {
  Other,
  Devres,
  Kmalloc,
  Kfree,
  ModuleLoad,
  ModuleFree,
  Marker,
  Print,
  Console,
  IrqEntry,
  IrqExit,
}

const N_DEVRES = ascii("devres_log");
const N_KMALLOC = ascii("kmalloc");
const N_KMALLOC_NODE = ascii("kmalloc_node");
const N_KFREE = ascii("kfree");
const N_MODULE_LOAD = ascii("module_load");
const N_MODULE_FREE = ascii("module_free");
const N_MARK = ascii("tracing_mark_write");
const N_PRINT = ascii("print");
const N_CONSOLE = ascii("console");
const N_IRQ_ENTRY = ascii("irq_handler_entry");
const N_IRQ_EXIT = ascii("irq_handler_exit");

/** Event name -> handler, by length first (one byte compare for the hot kmem names). */
function eventId(b: Uint8Array, s: number, e: number): Ev {
  switch (e - s) {
    case 5:
      if (startsWithBytes(b, s, e, N_KFREE)) return Ev.Kfree;
      if (startsWithBytes(b, s, e, N_PRINT)) return Ev.Print;
      return Ev.Other;
    case 7:
      if (startsWithBytes(b, s, e, N_KMALLOC)) return Ev.Kmalloc;
      if (startsWithBytes(b, s, e, N_CONSOLE)) return Ev.Console;
      return Ev.Other;
    case 10:
      return startsWithBytes(b, s, e, N_DEVRES) ? Ev.Devres : Ev.Other;
    case 11:
      if (startsWithBytes(b, s, e, N_MODULE_LOAD)) return Ev.ModuleLoad;
      if (startsWithBytes(b, s, e, N_MODULE_FREE)) return Ev.ModuleFree;
      return Ev.Other;
    case 12:
      return startsWithBytes(b, s, e, N_KMALLOC_NODE) ? Ev.Kmalloc : Ev.Other;
    case 16:
      return startsWithBytes(b, s, e, N_IRQ_EXIT) ? Ev.IrqExit : Ev.Other;
    case 17:
      return startsWithBytes(b, s, e, N_IRQ_ENTRY) ? Ev.IrqEntry : Ev.Other;
    case 18:
      return startsWithBytes(b, s, e, N_MARK) ? Ev.Marker : Ev.Other;
    default:
      return Ev.Other;
  }
}

const CPU_LOST = ascii("CPU:");
const CPUS_EQ = ascii("cpus=");
const MARK_PREFIX = "tracing_mark_write: ";
const LOST_RE = /^CPU:(\d+) \[LOST (\d+) EVENTS\]\s*$/;

export class SegmentParser {
  private format: TraceFormat | undefined;
  private readonly keep: KeepKmem;
  private readonly src: number | undefined;

  // detection buffer (only while the format is unknown)
  private detectLines: { bytes: Uint8Array; nul: boolean }[] = [];
  private detectBytes = 0;
  private detectNonBlank = 0;

  private lineNo = 0;
  private parsed = 0;
  private rejected = 0;
  private readonly ignoredMap = new Map<string, number>();
  private readonly rejectedSamples: RejectedLine[] = [];
  private readonly events: TraceEvent[] = [];
  private readonly extras: KmemExtra[] = [];
  private readonly linker: KmemLinker;
  /** keepKmem "evidence" only. */
  private readonly evidence: KmemEvidence | undefined;
  private readonly meta: TraceMeta = {};
  private readonly notes: SegmentNoteCounts = {
    pointerNames: 0,
    pointerOps: 0,
    moduleNames: 0,
    moduleGoneNames: 0,
    jsonlUnknownFields: 0,
    dmesgPlain: 0,
  };
  private fatal: string | undefined;

  private readonly ctx: FtraceContext = newContext();
  private readonly kf: KmemFields = newKmemFields();
  private readonly rebuildCtx: FtraceContext = newContext();
  private readonly rebuildKf: KmemFields = newKmemFields();
  private readonly scratch: OriginFields = {
    ts: 0.5,
    line: 0,
    cpu: 0,
    task: "",
    pid: 0,
    src: undefined,
    flags: undefined,
  };
  /** Task comms, flags, event names: decoded once each. */
  private readonly strings = new StringCache();
  private lostPending: number[] = [];
  /** Smallest / largest timestamp seen (ns); kept as plain number fields on the hot path. */
  private firstNs = Infinity;
  private lastNs = -Infinity;
  /** First timestamp per CPU (NaN = none yet); grows for large CPU numbers. */
  private firstTs = new Float64Array(64).fill(NaN);
  private jsonlHeaderSeen = false;

  // current line, for lazily built events
  private curB: Uint8Array = new Uint8Array(0);
  private curS = 0;
  private curE = 0;

  constructor(opts: SegmentOptions = {}) {
    this.format = opts.format;
    this.keep = opts.keepKmem ?? "linked";
    this.src = opts.src;
    this.linker = new KmemLinker(
      this.events,
      this.extras,
      this.keep === "linked" || this.keep === "module",
      (b, s, e, line) => this.rebuildKmem(b, s, e, line) as KmallocEvent,
      (b, s, e, out) => this.rebuildAllocFacts(b, s, e, out),
    );
    this.evidence =
      this.keep === "evidence"
        ? new KmemEvidence(
            {
              strings: this.strings,
              currentKmem: (b, e, kmalloc) =>
                kmalloc
                  ? kmallocEvent(b, e, this.kf, this.fields(b, this.ctx), this.strings)
                  : kfreeEvent(b, this.kf, this.fields(b, this.ctx), this.strings),
              rebuildKmem: (b, s, e, line) => this.rebuildKmem(b, s, e, line),
            },
            { startsInput: opts.startsInput === true },
          )
        : undefined;
  }

  /**
   * The caller is about to overwrite the bytes of `chunk` (a read buffer it reuses; any view
   * of them): the few lines the parser still references there are copied. Callers that never
   * reuse a chunk need not call it.
   */
  release(chunk: Uint8Array): void {
    this.linker.release(chunk);
    this.evidence?.release(chunk);
  }

  get fatalError(): string | undefined {
    return this.fatal;
  }

  get detectedFormat(): TraceFormat | undefined {
    return this.format;
  }

  /**
   * One line, without its "\n" (a trailing "\r" is dropped here). `nul`: the line contains a
   * NUL byte (the caller checks whole chunks with the native indexOf).
   */
  line(b: Uint8Array, start: number, end: number, nul = false): void {
    if (this.fatal !== undefined) return;
    if (end > start && b[end - 1] === 0x0d) end--;
    if (this.format === undefined) {
      this.detectLines.push({ bytes: copyBytes(b, start, end), nul });
      this.detectBytes += end - start + 1;
      let k = start;
      while (k < end && isBlank(b[k] as number)) k++;
      // Comment lines do not count: perf script --header writes dozens before the events.
      if (k < end && b[k] !== HASH) this.detectNonBlank++;
      if (detectionReady(this.detectNonBlank, this.detectBytes)) this.runDetection();
      return;
    }
    this.lineNo++;
    if (nul) {
      this.reject("line contains NUL bytes (binary data inside a text trace)", b, start, end);
      return;
    }
    switch (this.format) {
      case "dmesg":
        this.dmesgLine(b, start, end);
        return;
      case "jsonl":
        this.jsonlLine(b, start, end);
        return;
      default:
        this.ftraceLine(b, start, end);
    }
  }

  /**
   * Every complete line of `b[pos, ...)` whose "\n" lies before `nulAt` (none of them holds a
   * NUL byte); returns where the first line it left starts (an incomplete line, or the one
   * holding the NUL at `nulAt`). `find` is `b` or the Buffer it views: its native indexOf
   * finds line ends (memchr in Node). The per-line hot loop of every importer.
   */
  lines(b: Uint8Array, find: LineFinder, pos: number, nulAt: number): number {
    const format = this.format;
    if (format !== "ftrace" && format !== "trace_pipe")
      return this.linesGeneral(b, find, pos, nulAt);
    // The hot loop: one kernel-layout kmem line per iteration, in place; anything else (and
    // keepKmem modes that build events for kmem lines) goes through ftraceLine.
    const ctx = this.ctx;
    const f = this.kf;
    const linker = this.linker;
    const evidence = this.evidence;
    const fast = this.keep !== "all" && this.keep !== "module";
    const mem = b.buffer;
    const dv = new DataView(mem, b.byteOffset, b.byteLength);
    for (;;) {
      const nl = find.indexOf(10, pos);
      if (nl < 0 || nl > nulAt) return pos;
      let e = nl;
      if (e > pos && b[e - 1] === 0x0d) e--;
      const line = ++this.lineNo;
      const kind = fast ? matchKernelKmem(b, dv, pos, e, ctx, f) : NONE;
      if (kind === NONE) this.ftraceLine(b, pos, e);
      else {
        // eventLine's bookkeeping for a kernel-layout line (kernelLayoutTime), inline.
        const ts = ctx.ts;
        if (ts < this.firstNs) this.firstNs = ts;
        if (ts > this.lastNs) this.lastNs = ts;
        const cpu = ctx.cpu;
        if (cpu >= this.firstTs.length) this.growFirstTs(cpu);
        if (this.firstTs[cpu] !== this.firstTs[cpu]) this.firstTs[cpu] = ts;
        if (this.lostPending.length > 0) this.fillLost(cpu, ts);
        this.parsed++;
        if (kind === KFREE) {
          if (evidence !== undefined && !evidence.quick(b, dv, mem, pos, e, f, ctx, line, false))
            evidence.onKmem(b, dv, mem, pos, e, f, ctx, line, false);
          this.curB = b;
          this.curS = pos;
          this.curE = e;
          linker.onKfree(b, f.ptrStart, f.ptrEnd, undefined, this);
        } else {
          if (evidence !== undefined && !evidence.quick(b, dv, mem, pos, e, f, ctx, line, true))
            evidence.onKmem(b, dv, mem, pos, e, f, ctx, line, true);
          linker.onKmalloc(b, mem, pos, e, f.ptrStart, f.ptrEnd, line, undefined);
        }
      }
      pos = nl + 1;
    }
  }

  /** lines() for formats without the kmem fast path (and during detection). */
  private linesGeneral(b: Uint8Array, find: LineFinder, pos: number, nulAt: number): number {
    for (;;) {
      if (this.fatal !== undefined) return pos;
      const nl = find.indexOf(10, pos);
      if (nl < 0 || nl > nulAt) return pos;
      const format = this.format;
      if (format === undefined || format === "dmesg" || format === "jsonl")
        this.line(b, pos, nl, false);
      else {
        let end = nl;
        if (end > pos && b[end - 1] === 0x0d) end--;
        this.lineNo++;
        this.ftraceLine(b, pos, end);
      }
      pos = nl + 1;
      // Detection may have just decided the format: continue on the fast loop.
      if (this.format === "ftrace" || this.format === "trace_pipe")
        return this.lines(b, find, pos, nulAt);
    }
  }

  /** A line the caller could not pass whole (longer than the line limit). */
  rejectLine(reason: string, sample: Uint8Array): void {
    if (this.fatal !== undefined) return;
    if (this.format === undefined) this.runDetection();
    this.lineNo++;
    this.reject(reason, sample, 0, sample.length);
  }

  private runDetection(): void {
    const pending = this.detectLines;
    this.detectLines = [];
    this.format = detectFormat(
      pending.filter((l) => !l.nul).map((l) => decode(l.bytes, 0, l.bytes.length)),
    );
    for (const l of pending) this.line(l.bytes, 0, l.bytes.length, l.nul);
  }

  /**
   * The segment's result. `endsInput`: it ends at the input's last line, so no later segment
   * needs what it carries forward (its last 1024 kmallocs, released nodes still waiting for
   * their kfree): that part is not built.
   */
  finish(opts: { endsInput?: boolean } = {}): SegmentPartial {
    if (this.format === undefined) this.runDetection();
    const ignored: Record<string, number> = {};
    for (const [k, v] of this.ignoredMap) ignored[k] = v;
    const firstTsByCpu: [number, number][] = [];
    this.firstTs.forEach((ts, cpu) => {
      if (!Number.isNaN(ts)) firstTsByCpu.push([cpu, ts]);
    });
    if (this.firstNs !== Infinity) this.meta.firstNs = this.firstNs;
    if (this.lastNs !== -Infinity) this.meta.lastNs = this.lastNs;
    const out: SegmentPartial = {
      format: this.format ?? "dmesg",
      lines: this.lineNo,
      parsed: this.parsed,
      rejected: this.rejected,
      ignored,
      rejectedSamples: this.rejectedSamples,
      events: this.events,
      extras: this.extras,
      link: this.linker.export(opts.endsInput === true),
      meta: this.meta,
      lostPending: this.lostPending,
      firstTsByCpu,
      notes: this.notes,
    };
    if (this.evidence !== undefined) out.evidence = this.evidence.export();
    if (this.fatal !== undefined) out.fatal = this.fatal;
    return out;
  }

  // ---------------------------------------------------------------- accounting

  private ignore(name: string): void {
    this.ignoredMap.set(name, (this.ignoredMap.get(name) ?? 0) + 1);
  }

  private reject(reason: string, b: Uint8Array, s: number, e: number): void {
    this.rejected++;
    if (this.rejectedSamples.length < MAX_REJECTED_SAMPLES) {
      const r: RejectedLine = {
        line: this.lineNo,
        reason,
        text: sampleText(decode(b, s, Math.min(e, s + 400))),
      };
      if (this.src !== undefined) r.src = this.src;
      this.rejectedSamples.push(r);
    }
  }

  /** An event whose origin (src included) is complete. */
  private push(ev: TraceEvent): number {
    this.parsed++;
    if (this.evidence !== undefined && ev.kind !== "kmalloc" && ev.kind !== "kfree")
      this.evidence.noteEvent(ev, ACTIVITY.has(ev.kind));
    return this.events.push(ev) - 1;
  }

  private seeTs(ts: number): void {
    if (ts < 0) return;
    if (ts < this.firstNs) this.firstNs = ts;
    if (ts > this.lastNs) this.lastNs = ts;
  }

  // ---------------------------------------------------------------- ftrace / trace_pipe / trace-cmd

  private origin(b: Uint8Array, ctx: FtraceContext): EventOrigin {
    const o: EventOrigin = {
      ts: ctx.ts,
      line: this.lineNo,
      cpu: ctx.cpu,
      task: this.task(b, ctx),
      pid: ctx.pid,
    };
    if (this.src !== undefined) o.src = this.src;
    if (ctx.flagsEnd > ctx.flagsStart) o.flags = this.strings.get(b, ctx.flagsStart, ctx.flagsEnd);
    return o;
  }

  /** Refills the scratch origin for a kmem event builder (no allocation per line). */
  private fields(b: Uint8Array, ctx: FtraceContext): OriginFields {
    const o = this.scratch;
    o.ts = ctx.ts;
    o.line = this.lineNo;
    o.cpu = ctx.cpu;
    o.task = this.task(b, ctx);
    o.pid = ctx.pid;
    o.src = this.src;
    o.flags =
      ctx.flagsEnd > ctx.flagsStart ? this.strings.get(b, ctx.flagsStart, ctx.flagsEnd) : undefined;
    return o;
  }

  private task(b: Uint8Array, ctx: FtraceContext): string {
    return this.strings.get(b, taskStartTrimmed(b, ctx), taskEndTrimmed(b, ctx));
  }

  /**
   * Adds the optional origin fields (src, flags) to an event built with the others. Events are
   * object literals with explicit fields: object spread here cost ~4x per event (measured).
   */
  private withOrigin<T extends TraceEvent>(ev: T, b: Uint8Array, ctx: FtraceContext): T {
    if (this.src !== undefined) ev.src = this.src;
    if (ctx.flagsEnd > ctx.flagsStart) ev.flags = this.strings.get(b, ctx.flagsStart, ctx.flagsEnd);
    return ev;
  }

  private headerLine(b: Uint8Array, s: number, e: number): void {
    const text = decode(b, s, e);
    const tracer = /^#\s*tracer:\s*(\S+)/.exec(text);
    if (tracer) this.meta.tracer = tracer[1] as string;
    const entries = /entries-in-buffer\/entries-written:\s*(\d+)\/(\d+)(?:\s+#P:(\d+))?/.exec(text);
    if (entries) {
      this.meta.entriesInBuffer = Number(entries[1]);
      this.meta.entriesWritten = Number(entries[2]);
      if (entries[3] !== undefined) this.meta.cpus = Number(entries[3]);
    }
    if (/^#\s+TASK-PID\s+TGID\b/.test(text)) this.meta.hasTgid = true;
  }

  /**
   * trace-cmd report and perf script both print events through libtraceevent: `const char *`
   * fields as raw pointers (devres_log's op and name before v6.13), `%p` unhashed, kmem lines
   * through its kmem plugin, names padded.
   */
  private libtraceevent(): boolean {
    return this.format === "trace-cmd-report" || this.format === "perf-script";
  }

  private ftraceLine(b: Uint8Array, s: number, e: number): void {
    const ctx = this.ctx;
    // Almost every line is an event in the kernel's fixed layout, and almost every event is a
    // kmalloc or kfree: those go straight to their payload (tokenizeFtraceLine tries the same
    // layout first, so the result is the same). trace-cmd pads names: its own path below.
    if (!this.libtraceevent() && tryKernelLayout(b, s, e, ctx)) {
      const n = ctx.nameStart;
      const len = ctx.nameEnd - n;
      if (
        len === 5 &&
        b[n] === 0x6b &&
        b[n + 1] === 0x66 &&
        b[n + 2] === 0x72 &&
        b[n + 3] === 0x65 &&
        b[n + 4] === 0x65
      ) {
        this.kernelLayoutTime(b, s, e, ctx);
        return this.kfreeLine(b, s, e, ctx.payloadStart);
      }
      if (
        len === 7 &&
        b[n] === 0x6b &&
        b[n + 1] === 0x6d &&
        b[n + 2] === 0x61 &&
        b[n + 3] === 0x6c &&
        b[n + 4] === 0x6c &&
        b[n + 5] === 0x6f &&
        b[n + 6] === 0x63
      ) {
        this.kernelLayoutTime(b, s, e, ctx);
        return this.kmallocLine(b, s, e, ctx.payloadStart);
      }
      return this.eventLine(b, s, e);
    }
    if (tokenizeFtraceLine(b, s, e, ctx)) return this.eventLine(b, s, e);
    let i = s;
    while (i < e && isBlank(b[i] as number)) i++;
    if (i === e) return this.ignore("(blank)");
    const c0 = b[i] as number;
    if (c0 === HASH) {
      this.headerLine(b, i, e);
      return this.ignore("#comment");
    }
    if (c0 === 0x3d && b[i + 1] === 0x3e) return this.ignore("stacktrace"); // "=> func"
    if (c0 === 0x43 && startsWithBytes(b, i, e, CPU_LOST)) {
      const m = LOST_RE.exec(decode(b, i, e));
      if (m) return this.lostLine(Number(m[1]), Number(m[2]));
    }
    if (this.format === "trace-cmd-report") {
      if (startsWithBytes(b, i, e, CPUS_EQ)) {
        const n = /^cpus=(\d+)\s*$/.exec(decode(b, i, e));
        if (n) {
          this.meta.cpus = Number(n[1]);
          return this.ignore("(header)");
        }
      }
      if (c0 === 0x76 || c0 === 0x43) {
        const t = decode(b, i, e);
        if (/^version = \d+/.test(t) || /^CPU \d+ is empty$/.test(t))
          return this.ignore("(header)");
      }
    }
    return this.reject(ctx.error, b, s, e);
  }

  /**
   * eventLine's time bookkeeping for a line in the kernel's own layout (tryKernelLayout): its
   * clock is in ns, it has no TGID column and is not in latency layout, so only the times and
   * the current line change.
   */
  private kernelLayoutTime(b: Uint8Array, s: number, e: number, ctx: FtraceContext): void {
    const ts = ctx.ts;
    if (ts < this.firstNs) this.firstNs = ts;
    if (ts > this.lastNs) this.lastNs = ts;
    const cpu = ctx.cpu;
    if (cpu >= this.firstTs.length) this.growFirstTs(cpu);
    if (Number.isNaN(this.firstTs[cpu])) this.firstTs[cpu] = ts;
    if (this.lostPending.length > 0) this.fillLost(cpu, ts);
    this.curB = b;
    this.curS = s;
    this.curE = e;
  }

  private growFirstTs(cpu: number): void {
    const grown = new Float64Array(Math.max(cpu + 1, this.firstTs.length * 2)).fill(NaN);
    grown.set(this.firstTs);
    this.firstTs = grown;
  }

  /** A tokenized event line (this.ctx). */
  private eventLine(b: Uint8Array, s: number, e: number): void {
    const ctx = this.ctx;
    // time bookkeeping
    const ts = ctx.ts;
    this.seeTs(ts);
    if (ctx.rawClock) this.meta.rawClock = true;
    if (ctx.tgid >= 0) this.meta.hasTgid = true;
    if (ctx.latency) this.meta.latencyFormat = true;
    const cpu = ctx.cpu;
    if (cpu >= this.firstTs.length) this.growFirstTs(cpu);
    if (Number.isNaN(this.firstTs[cpu])) this.firstTs[cpu] = ts;
    if (this.lostPending.length > 0) this.fillLost(ctx.cpu, ts);

    let p = ctx.payloadStart;
    if (this.libtraceevent()) {
      // trace-cmd's print_event_name pads the name to 20 columns (perf script pads before the
      // name instead; no payload of an event read here starts with a blank).
      let pad = 20 - (ctx.nameEnd - ctx.nameStart);
      while (pad-- > 0 && p < e && b[p] === SPACE) p++;
    }
    this.curB = b;
    this.curS = s;
    this.curE = e;

    if (ctx.special !== "") return this.ignore(ctx.special);
    const id = eventId(b, ctx.nameStart, ctx.nameEnd);
    switch (id) {
      case Ev.Kmalloc:
        return this.kmallocLine(b, s, e, p);
      case Ev.Kfree:
        return this.kfreeLine(b, s, e, p);
      case Ev.Devres:
        return this.devresLine(b, s, e, p);
      case Ev.ModuleLoad:
      case Ev.ModuleFree:
        return this.moduleLine(b, e, p, id === Ev.ModuleLoad);
      case Ev.Marker:
        this.push(
          this.withOrigin(
            {
              kind: "marker",
              ts: ctx.ts,
              line: this.lineNo,
              cpu: ctx.cpu,
              task: this.task(b, ctx),
              pid: ctx.pid,
              text: decode(b, p, e),
            },
            b,
            ctx,
          ),
        );
        return;
      case Ev.Print: {
        // trace-cmd prints the ftrace print entry as "print: <ip>: <text>"; <ip> is
        // tracing_mark_write for trace_marker writes (kernel/trace/trace_output.c :: trace_print_print).
        const text = decode(b, p, e);
        if (text.startsWith(MARK_PREFIX)) {
          this.push(
            this.withOrigin(
              {
                kind: "marker",
                ts: ctx.ts,
                line: this.lineNo,
                cpu: ctx.cpu,
                task: this.task(b, ctx),
                pid: ctx.pid,
                text: text.slice(MARK_PREFIX.length),
              },
              b,
              ctx,
            ),
          );
          return;
        }
        return this.ignore("print");
      }
      case Ev.Console: {
        const fact = classifyKernelLog(decode(b, p, e));
        this.push({ ...fact, ...this.origin(b, ctx), via: "console" } as TraceEvent);
        return;
      }
      case Ev.IrqEntry:
      case Ev.IrqExit:
        return this.irqLine(b, s, e, p);
      default:
        return this.ignore(this.eventName(b, ctx.nameStart, ctx.nameEnd));
    }
  }

  private eventName(b: Uint8Array, s: number, e: number): string {
    return this.strings.get(b, s, e);
  }

  private lostLine(cpu: number, count: number): void {
    // kernel/trace/trace.c :: print_trace_line: "CPU:%d [LOST %lu EVENTS]\n", printed before
    // the first entry after the gap on that CPU: its time is that entry's (filled later).
    const ev: LostEventsEvent = { kind: "lost", ts: -1, line: this.lineNo, cpu, count };
    if (this.src !== undefined) ev.src = this.src;
    const idx = this.push(ev);
    this.lostPending.push(idx);
    this.meta.lostEvents = (this.meta.lostEvents ?? 0) + count;
  }

  private fillLost(cpu: number, ts: number): void {
    const still: number[] = [];
    for (const idx of this.lostPending) {
      const ev = this.events[idx] as LostEventsEvent;
      if (ev.cpu === cpu) ev.ts = ts;
      else still.push(idx);
    }
    this.lostPending = still;
  }

  private kmallocLine(b: Uint8Array, s: number, e: number, p: number): void {
    const err = locateKmalloc(b, p, e, this.kf);
    if (err) return this.reject(err, b, s, e);
    this.kmallocLocated(b, s, e);
  }

  /** keepKmem "all", or "module" and the call site is in a module: the line becomes an event. */
  private keepsKmem(f: KmemFields): boolean {
    return this.keep === "all" || (this.keep === "module" && f.inModule);
  }

  /** A kmem line counted as parsed without an event of its own (the evidence mode may keep it). */
  private kmemNotKept(b: Uint8Array, s: number, e: number, alloc: boolean): void {
    this.parsed++;
    if (this.evidence !== undefined)
      this.evidence.onKmem(
        b,
        new DataView(b.buffer, b.byteOffset, b.byteLength),
        b.buffer,
        s,
        e,
        this.kf,
        this.ctx,
        this.lineNo,
        alloc,
      );
  }

  /** A kmalloc line whose fields are located in this.kf. */
  private kmallocLocated(b: Uint8Array, s: number, e: number): void {
    const f = this.kf;
    let kept: KmallocEvent | undefined;
    if (this.keepsKmem(f)) {
      kept = kmallocEvent(b, e, f, this.fields(b, this.ctx), this.strings);
      this.push(kept);
    } else this.kmemNotKept(b, s, e, true);
    this.linker.onKmalloc(b, b.buffer, s, e, f.ptrStart, f.ptrEnd, this.lineNo, kept);
  }

  private kfreeLine(b: Uint8Array, s: number, e: number, p: number): void {
    const err = locateCallAndPtr(b, p, e, this.kf);
    if (err) return this.reject(err, b, s, e);
    this.kfreeLocated(b, s, e);
  }

  /** A kfree line whose fields are located in this.kf. */
  private kfreeLocated(b: Uint8Array, s: number, e: number): void {
    const f = this.kf;
    let kept: KfreeEvent | undefined;
    if (this.keepsKmem(f)) {
      kept = kfreeEvent(b, f, this.fields(b, this.ctx), this.strings);
      this.push(kept);
    } else this.kmemNotKept(b, s, e, false);
    this.linker.onKfree(b, f.ptrStart, f.ptrEnd, kept, this);
  }

  /** The kfree event of the current line (the linker asks only when it needs it). */
  currentKfree(): KfreeEvent {
    return kfreeEvent(this.curB, this.kf, this.fields(this.curB, this.ctx), this.strings);
  }

  /** The call site of the current kfree line (what a linked release keeps of it). */
  currentKfreeSite(): string {
    return this.strings.get(this.curB, this.kf.callStart, this.kf.callEnd);
  }

  /** The call site and bytes_alloc of a kmalloc line read earlier (a devres ADD links them). */
  private rebuildAllocFacts(b: Uint8Array, s: number, e: number, out: AllocFacts): void {
    const ctx = this.rebuildCtx;
    const f = this.rebuildKf;
    if (
      this.libtraceevent() ||
      matchKernelKmem(b, new DataView(b.buffer, b.byteOffset, b.byteLength), s, e, ctx, f) === NONE
    ) {
      tokenizeFtraceLine(b, s, e, ctx);
      let p = ctx.payloadStart;
      if (this.libtraceevent()) {
        let pad = 20 - (ctx.nameEnd - ctx.nameStart);
        while (pad-- > 0 && p < e && b[p] === SPACE) p++;
      }
      locateKmalloc(b, p, e, f);
    }
    out.callSite = this.strings.get(b, f.callStart, f.callEnd);
    out.bytesAlloc = f.bytesAlloc;
  }

  /** Rebuilds the kmalloc or kfree event of a line read earlier (linker and evidence callback). */
  private rebuildKmem(b: Uint8Array, s: number, e: number, line: number): KmemEvent {
    // Scratch of its own: the current line's ctx/kf may still be in use.
    const ctx = this.rebuildCtx;
    const f = this.rebuildKf;
    const kind = this.libtraceevent()
      ? NONE
      : matchKernelKmem(b, new DataView(b.buffer, b.byteOffset, b.byteLength), s, e, ctx, f);
    if (kind === NONE) {
      tokenizeFtraceLine(b, s, e, ctx);
      let p = ctx.payloadStart;
      if (this.libtraceevent()) {
        let pad = 20 - (ctx.nameEnd - ctx.nameStart);
        while (pad-- > 0 && p < e && b[p] === SPACE) p++;
      }
      if (ctx.nameEnd - ctx.nameStart === 5) locateCallAndPtr(b, p, e, f);
      else locateKmalloc(b, p, e, f);
    }
    const o = this.fields(b, ctx);
    o.line = line;
    if (ctx.nameEnd - ctx.nameStart === 5) return kfreeEvent(b, f, o, this.strings);
    return kmallocEvent(b, e, f, o, this.strings);
  }

  private devresLine(b: Uint8Array, s: number, e: number, p: number): void {
    const pointers = this.libtraceevent();
    const r =
      (pointers ? undefined : parseDevresBytes(b, p, e, this.strings)) ??
      parseDevresPayload(decode(b, p, e), pointers);
    if (typeof r === "string") return this.reject(r, b, s, e);
    const ctx = this.ctx;
    const ev: DevresEvent = this.withOrigin(
      {
        kind: "devres",
        ts: ctx.ts,
        line: this.lineNo,
        cpu: ctx.cpu,
        task: this.task(b, ctx),
        pid: ctx.pid,
        dev: r.dev,
        op: r.op,
        node: r.node,
        name: r.name,
        size: r.size,
      },
      b,
      ctx,
    );
    if (r.nameForm !== undefined) ev.nameForm = r.nameForm;
    if (r.nameAddr !== undefined) ev.nameAddr = r.nameAddr;
    if (r.opAddr !== undefined) ev.opAddr = r.opAddr;
    if (r.nameForm === "pointer") this.notes.pointerNames++;
    else if (r.nameForm === "module") this.notes.moduleNames++;
    else if (r.nameForm === "module-gone") this.notes.moduleGoneNames++;
    if (r.opAddr !== undefined) this.notes.pointerOps++;
    const idx = this.push(ev);
    const unknownOp = r.opAddr !== undefined;
    this.linker.onDevres(ev, idx, r.node, unknownOp || r.op === "ADD", unknownOp || r.op !== "ADD");
    this.curB = b;
  }

  private moduleLine(b: Uint8Array, e: number, p: number, load: boolean): void {
    // include/trace/events/module.h: module_load "%s %s" (name, taint flags), module_free "%s".
    const text = decode(b, p, e);
    const sp = text.indexOf(" ");
    const name = sp < 0 ? text : text.slice(0, sp);
    const ctx = this.ctx;
    const ev: ModuleEvent = this.withOrigin(
      {
        kind: "module",
        ts: ctx.ts,
        line: this.lineNo,
        cpu: ctx.cpu,
        task: this.task(b, ctx),
        pid: ctx.pid,
        op: load ? "load" : "free",
        module: name,
      },
      b,
      ctx,
    );
    if (load) ev.taints = sp < 0 ? "" : text.slice(sp + 1).trim();
    this.push(ev);
  }

  private irqLine(b: Uint8Array, s: number, e: number, p: number): void {
    // include/trace/events/irq.h: "irq=%d name=%s" / "irq=%d ret=%s"
    const text = decode(b, p, e);
    const entry = /^irq=(-?\d+) name=(.*)$/.exec(text);
    const exit = /^irq=(-?\d+) ret=(handled|unhandled)$/.exec(text);
    let ev: IrqHandlerEvent;
    const ctx = this.ctx;
    if (entry)
      ev = this.withOrigin(
        {
          kind: "irq",
          ts: ctx.ts,
          line: this.lineNo,
          cpu: ctx.cpu,
          task: this.task(b, ctx),
          pid: ctx.pid,
          phase: "entry",
          irq: Number(entry[1]),
          name: entry[2] as string,
        },
        b,
        ctx,
      );
    else if (exit)
      ev = this.withOrigin(
        {
          kind: "irq",
          ts: ctx.ts,
          line: this.lineNo,
          cpu: ctx.cpu,
          task: this.task(b, ctx),
          pid: ctx.pid,
          phase: "exit",
          irq: Number(exit[1]),
          ret: exit[2] as "handled" | "unhandled",
        },
        b,
        ctx,
      );
    else
      return this.reject("irq: expected 'irq=N name=S' or 'irq=N ret=handled|unhandled'", b, s, e);
    this.push(ev);
  }

  // ---------------------------------------------------------------- dmesg

  private dmesgLine(b: Uint8Array, s: number, e: number): void {
    const text = decode(b, s, e);
    if (text.trim() === "") return this.ignore("(blank)");
    const d = parseDmesgLine(text);
    this.seeTs(d.ts);
    const fact = classifyKernelLog(d.text);
    if (d.ts < 0 && d.level === undefined && fact.kind === "log" && fact.dev === undefined)
      this.notes.dmesgPlain++;
    const ev = { ...fact, ts: d.ts, line: this.lineNo, via: "dmesg" } as TraceEvent;
    if (this.src !== undefined) ev.src = this.src;
    this.push(ev);
  }

  // ---------------------------------------------------------------- jsonl

  private jsonlLine(b: Uint8Array, s: number, e: number): void {
    const text = decode(b, s, e);
    if (text.trim() === "") return this.ignore("(blank)");
    if (!this.jsonlHeaderSeen && this.lineNo <= 1 + (this.ignoredMap.get("(blank)") ?? 0)) {
      this.jsonlHeaderSeen = true;
      const h = parseJsonlHeader(text);
      if (h.ok) return this.ignore("(jsonl header)");
      if (h.fatal) {
        this.fatal = h.reason;
        this.lineNo--;
        return;
      }
      if (text.includes('"schema"')) return this.reject(h.reason, b, s, e);
    }
    const r = parseJsonlEvent(text);
    if (!r.ok) return this.reject(r.reason, b, s, e);
    this.notes.jsonlUnknownFields += r.unknownFields;
    const ev = r.event;
    if (ev.ts >= 0) this.seeTs(ev.ts);
    if (this.src !== undefined) ev.src = this.src;
    this.parsed++;
    this.events.push(ev);
  }
}
