/**
 * The result of analysing one or more traces: devices, their bind epochs, every devres (and
 * drmm) resource's lifecycle, and findings. `devscope analyze --format json` prints this
 * object; the desktop app draws it; the diff compares two of them. docs/analysis-json.md
 * documents every field. Units are in the field names (`Ns` = integer nanoseconds on the
 * trace clock) or in the comment.
 */

export const ANALYSIS_SCHEMA = "devscope.analysis/1" as const;

/** One input file. */
export interface AnalysisInput {
  path: string;
  /** Detected format (`ftrace`, `trace_pipe`, `trace-cmd-report`, `perf-script`, `dmesg`, `jsonl`). */
  format: string;
  /** File size in bytes (compressed size for .gz). */
  bytes: number;
  /** Lines read (after decompression). */
  lines: number;
  gzip?: boolean;
  /** Fatal problem that stopped reading early (binary/truncated); what was read is kept. */
  error?: string;
  /**
   * ns subtracted from this input's timestamps to put them on the first input's clock when
   * several files are merged (e.g. dmesg local clock vs ftrace `global` clock). 0/absent for
   * the reference input.
   */
  clockOffsetNs?: number;
  /** Events of this input dropped as duplicates of another input's (drm lines seen both as
   * ftrace `console:` events and in dmesg), count. */
  duplicates?: number;
  /** Events this input contributed to the analysis, count. */
  events?: number;
}

/** Line accounting: total = parsed + sum(ignored) + rejected + headers/comments. */
export interface LineAccounting {
  total: number;
  parsed: number;
  /** Known-irrelevant lines, counted per event name (`sched_switch`, `#header`, ...). */
  ignored: Record<string, number>;
  rejected: number;
  /** The first rejected lines (bounded), each with why. */
  rejectedSamples: RejectedLine[];
}

export interface RejectedLine {
  /** Input index for multi-file runs. */
  src?: number;
  /** 1-based line number. */
  line: number;
  reason: string;
  /** The line itself, truncated to a few hundred characters. */
  text?: string;
}

/** How a bind epoch ended. */
export type EpochEnd =
  /** Driver unbound (sysfs unbind, rmmod, device_del): remove() then devres_release_all. */
  | "unbind"
  /** Probe returned an error: devres_release_all without remove() (really_probe). */
  | "probe-failed"
  /** Still bound when the trace ended. */
  | "bound-at-end";

export interface Epoch {
  /** 0-based index within the device. */
  index: number;
  /** First event of the epoch (probe start), ns. */
  start_ns: number;
  /** Last release of the epoch, ns; trace end for `bound-at-end`. */
  end_ns: number;
  end: EpochEnd;
  /** Why the importer believes this end kind (e.g. `probe_failed line 412`, `release burst`). */
  endEvidence?: string;
  /** Probe started before the trace did (first events seen are releases or mid-life adds). */
  startCutOff?: boolean;
  /** errno for probe-failed epochs when the kernel printed it. */
  errno?: number;
  /** Driver name when known (dev_printk prefix, probe_failed line, module). */
  driver?: string;
  /** Why this is believed to be a probe start (`pinctrl_bind_pins line 1515`, `first ADD`). */
  startEvidence?: string;
  /** `task-pid` of the probing task (the task that logged the probe-start event). */
  probeTask?: string;
  /**
   * The epoch held no devres node when it ended, so devres_release_all logged nothing; end_ns
   * is then the time the end became visible (next probe start, probe_failed line).
   */
  endNotLogged?: boolean;
  /**
   * The release burst that ended the epoch followed devres_release_all's exact order (group
   * markers first, then newest-first; drivers/base/devres.c :: release_nodes). Absent when the
   * epoch did not end with a logged burst.
   */
  releaseOrderOk?: boolean;
  /** devres nodes added during this epoch (count). */
  added?: number;
}

export interface DevresCounts {
  add: number;
  rel: number;
  rem: number;
  replace: number;
}

export interface DeviceSummary {
  name: string;
  /** Driver name if any line named it. */
  driver?: string;
  epochs: Epoch[];
  counts: DevresCounts;
  /** devres nodes still live at the end of the trace. */
  liveAtEnd: number;
  /** DRM managed resources (drmm) on this device's drm_device, counted separately. */
  drm?: { add: number; rel: number; del: number; liveAtEnd: number };
}

/**
 * Resource kinds, decided from the release name by one table (resource-kinds.ts).
 */
export type ResourceKind =
  | "memory"
  | "irq"
  | "iomap"
  | "region"
  | "dma-coherent"
  | "dma-pool"
  | "pci"
  | "msi"
  | "action"
  | "group"
  | "clk"
  | "gpio"
  | "regulator"
  | "drm"
  | "sysfs"
  | "other";

export type ResourceEnd = "released" | "removed" | "live";

export interface Resource {
  /** Stable id within this analysis: `r<N>`, in order of first appearance. */
  id: string;
  device: string;
  /** Node pointer as printed (unique only among live nodes: pointers are reused). */
  node: string;
  name: string;
  kind: ResourceKind;
  /** Payload bytes as logged. */
  size: number;
  /** `devres` for the device list, `drmm` for the drm_device's managed list. */
  list: "devres" | "drmm";
  addedNs: number;
  /** REL/REM time, absent while live. */
  endedNs?: number;
  end: ResourceEnd;
  /** Index of the device epoch it belongs to; -1 when it was added outside any epoch. */
  epoch: number;
  /** Node was first seen being released: its ADD is before the trace start. */
  addCutOff?: boolean;
  /** Group id (`r<N>` of the grp< marker) this resource was added inside, innermost. */
  group?: string;
  /** Real devm caller (kmalloc call_site), when kmem events were traced. */
  allocSite?: string;
  /** Printed name form if not plain (module name, pointer...). */
  nameForm?: string;
  /**
   * Raw kernel address of the name string, for `module`/`module-gone`/`pointer` name forms
   * (`0xffffffffc0642715`). Its offset within the page survives a reboot, so the diff uses it
   * to name unloaded-module nodes from another trace of the same module.
   */
  nameAddr?: string;
  /** Source positions: [src, line] of the ADD and of the REL/REM. */
  addLine?: number;
  endLine?: number;
  src?: number;
  /** Set when a REPLACE (devm_krealloc) changed this node. */
  replaced?: boolean;
  /** The node pointer the resource had after a REPLACE, once a later REL/REM printed it. */
  nodeAfterReplace?: string;
  /** `task-pid` that logged the ADD and the REL/REM. */
  addTask?: string;
  endTask?: string;
  /** Why the kind is uncertain (unknown release name, name printed as a pointer...). */
  kindNote?: string;
  /** Name recovered for a `module-gone`/`pointer` name form (from the kmalloc call_site). */
  recoveredName?: string;
  /** Group markers (`grp<`): time the matching `grp>` was added (devres_close_group). */
  closedNs?: number;
  /**
   * The node's pointer was ADDed again (or its device re-probed) without a logged REL/REM:
   * the release is missing from the trace; endedNs is an upper bound.
   */
  endMissing?: boolean;
  /** drmm resources: 0-based index of the drm_device instance on this device. */
  drmInstance?: number;
  /** Still listed when its epoch's release burst (or the next probe) ended the epoch. */
  leftover?: boolean;
  /** ADDed while a release burst of its device ran (by a release callback). */
  addedDuringRelease?: boolean;
}

export type Severity = "error" | "warning" | "info";

export interface Finding {
  /** Stable rule id (`leak-unreleased`, ...). */
  rule: string;
  severity: Severity;
  device: string;
  /** Resource ids involved, most relevant first. */
  resources: string[];
  /** One or two sentences a driver developer understands. */
  message: string;
  /** When it happened (ns). */
  atNs: number;
  /** Epoch index the finding is about, if any. */
  epoch?: number;
  /** Extra structured facts (allocation/free sites, counts). */
  details?: Record<string, string | number | boolean>;
  /** Where the evidence is: input index and 1-based line (SARIF locations, editor links). */
  src?: number;
  line?: number;
}

export interface Analysis {
  schema: typeof ANALYSIS_SCHEMA;
  inputs: AnalysisInput[];
  lines: LineAccounting;
  devices: DeviceSummary[];
  resources: Resource[];
  findings: Finding[];
  /** User markers (tracing_mark_write) for the timeline: time and text. */
  markers?: { ns: number; text: string; line?: number; src?: number }[];
  /** Trace time span covered, ns. */
  span?: { startNs: number; endNs: number };
  /** What the analyzer did that a reader should know (clock alignment, approximations). */
  notes?: string[];
}
