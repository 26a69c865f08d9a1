/**
 * Public types of the importers (docs/trace-format.md, "Importing").
 *
 * An import turns one input (a file, a browser `File.stream()`, a string) into `TraceEvent`s in
 * file order plus an exact account of every line: parsed, ignored (per event name) or rejected
 * (with line number and reason). Nothing is dropped silently.
 */
import type { LineAccounting } from "../model/analysis.js";
import type { TraceEvent } from "../model/events.js";

/** Input formats the importers auto-detect. */
export type TraceFormat =
  "ftrace" | "trace_pipe" | "trace-cmd-report" | "perf-script" | "dmesg" | "jsonl";

/**
 * Which kmem:kmalloc / kmem:kfree lines become events (parsing and accounting are identical in
 * every mode). See ImportOptions.keepKmem.
 */
export type KeepKmem = "none" | "linked" | "module" | "all" | "evidence";

/** How the op pointers of a `trace-cmd report` devres_log were mapped back to ops. */
export interface OpRecovery {
  /** Printed op pointer -> recovered op, in order of first appearance. */
  mapping: Record<string, string>;
  /** Events per pointer (count). */
  counts: Record<string, number>;
  /** Replay-consistency score of the chosen mapping and of the best other one (points, higher is better). */
  score: number;
  runnerUp?: number;
  /** The runner-up scored too close to call the mapping certain. */
  ambiguous: boolean;
}

export interface TraceMeta {
  /** `# tracer: nop` */
  tracer?: string;
  /** `# entries-in-buffer/entries-written: A/B   #P:N` (counts of ring-buffer entries). */
  entriesInBuffer?: number;
  entriesWritten?: number;
  /** `#P:N` or trace-cmd `cpus=N`. */
  cpus?: number;
  /** The ring buffer overwrote the oldest events (entriesWritten > entriesInBuffer): the trace start is cut off. */
  startLost?: boolean;
  /** Sum of `CPU:N [LOST N EVENTS]` (events). */
  lostEvents?: number;
  hasTgid?: boolean;
  /** Lines in latency layout (CPU folded into the flags: `sleep-138     0d..1.  8.459725: ...`). */
  latencyFormat?: boolean;
  /**
   * Timestamps were printed as raw clock counts (`%12llu`: a non-ns trace clock such as
   * `x86-tsc` or `counter`); `ts` then holds counts, not ns.
   */
  rawClock?: boolean;
  /** Smallest and largest timestamp of any timestamped line (ns on the trace clock). */
  firstNs?: number;
  lastNs?: number;
  /** trace-cmd report: how devres_log op pointers were mapped to ops. */
  opRecovery?: OpRecovery;
}

export interface ImportOptions {
  /** For messages (`file:line: ...`). */
  path?: string;
  /** Input index stamped on every event (`src`) and rejected line; omitted when not given. */
  src?: number;
  /**
   * Which kmalloc/kfree events to keep as events. Default `linked`: those whose `ptr` is a
   * devres node (the node's own allocation and free). `module`: also every call_site inside a
   * module. `all`: every one. `none`: no kmem events (devres events still get `allocSite`).
   * `evidence`: only the few the analysis reads, chosen so that analysing the import gives the
   * analysis of the `all` import (a few thousand events instead of a million): kmem lines that
   * show a task in user space (analysis/user-space-evidence.ts), each task's first kmem line and
   * comm changes, the earliest and latest kmem line (the trace's span), and driver-module
   * kmallocs never freed before the trace ended (kept ones that are freed later carry
   * `freedLater`). Not kept: the devres-linked ones (their facts are on the devres events).
   */
  keepKmem?: KeepKmem;
  /**
   * The caller hands over each pushed chunk and never modifies it afterwards (fresh buffers per
   * read, as File.stream(), DecompressionStream and Node streams give). Default false: the
   * caller may reuse a chunk once push() returns, so the few lines the parser still references
   * in it (recent kmallocs a devres event may link) are copied out after each push.
   */
  ownsChunks?: boolean;
  /** Skip auto-detection (used by the parallel importer, which detects once on the file head). */
  format?: TraceFormat;
  /** Called after each chunk with the input bytes consumed so far (compressed bytes for gzip). */
  onProgress?: (bytesRead: number) => void;
  /** Cancel: stop reading, return what was read with error "cancelled". */
  signal?: AbortSignal;
}

export interface ImportResult {
  path?: string;
  format: TraceFormat;
  /** Input bytes (compressed size for gzip). */
  bytes: number;
  gzip?: boolean;
  /** Events in file order. */
  events: TraceEvent[];
  /** total = parsed + sum(ignored) + rejected. */
  lines: LineAccounting;
  meta: TraceMeta;
  /** Facts a user should know (pointer names, recovered ops, tracer kind...). */
  notes: string[];
  /** Fatal stop (binary, truncated gzip, cancelled); `events` keep what was read. */
  error?: string;
}

/** A streaming importer: push chunks of (uncompressed) bytes in order, then finish. */
export interface Importer {
  push(chunk: Uint8Array): void;
  /**
   * With `ownsChunks`: the caller is about to overwrite a chunk it pushed earlier (a read
   * buffer it cycles through); the few lines the importer still references there are copied.
   */
  release(chunk: Uint8Array): void;
  finish(): ImportResult;
}
