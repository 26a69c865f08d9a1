import type { DevresCounts, Epoch, Resource } from "../model/analysis.js";
import type { MarkerEvent, TraceEvent } from "../model/events.js";
import type { TaskActivity } from "./task-activity-handler.js";

/**
 * The analyzer's internal model: what the rules see. It carries event indices and task ids
 * next to the public `Resource`/`Epoch` fields so rules can reason about who did what when;
 * `toAnalysis()` strips it down to the documented JSON shape.
 */

export interface ResourceRecord extends Resource {
  /** Index of the ADD event in the analysed array; -1 when the ADD predates the trace. */
  addIndex: number;
  /** Index of the REL/REM (or DEL) event; -1 while live. */
  endIndex: number;
  endOp?: "REL" | "REM" | "DEL";
  addPid?: number;
  endPid?: number;
  /** List position (ADD order within the device); REPLACE keeps it. -1 for cut-off nodes. */
  seq: number;
  isGroup: boolean;
}

/** How the analyzer saw an epoch close, before deciding unbind vs probe-failed. */
export type EpochClosure =
  /** A REL burst released every node it held (devres_release_all). */
  | "release-all"
  /** A REL burst released the oldest nodes but skipped some (missing REL lines). */
  | "release-incomplete"
  /** The next probe of the device started; the end itself was not logged. */
  | "next-probe"
  /** A probe_failed line closed an epoch that had nothing to release. */
  | "probe-failed-line"
  /** Still open when the trace ended. */
  | "trace-end";

export interface EpochRecord extends Epoch {
  device: string;
  /** Index of the probe-start event; -1 when the start predates the trace. */
  startIndex: number;
  /** Index of the last event of the epoch (last REL of the burst); -1 while open. */
  endIndex: number;
  probePid?: number;
  /** Release burst: first REL index and task. */
  releaseStartIndex?: number;
  releasePid?: number;
  closure: EpochClosure;
  /** devres and drmm resources that belong to this epoch. */
  resources: ResourceRecord[];
  /** Nodes of this epoch still listed when it closed (never released). */
  leftovers: ResourceRecord[];
  /** Nodes already on the device's list when this epoch's probe started (must be none). */
  liveAtStart: ResourceRecord[];
  /**
   * The trace covers the whole epoch: its probe start was seen (really_probe requires an empty
   * list) or the device's list was known empty before it began.
   */
  covered: boolean;
}

export interface DrmCounts {
  add: number;
  rel: number;
  del: number;
  liveAtEnd: number;
}

export interface DeviceRecord {
  name: string;
  driver?: string;
  epochs: EpochRecord[];
  /** devres resources of this device, in order of first appearance. */
  resources: ResourceRecord[];
  /** drmm resources of this device's drm_device instances. */
  drmm: ResourceRecord[];
  counts: DevresCounts;
  drm?: DrmCounts;
  /** Index of the first event from which the device's devres list is fully known; -1 never. */
  coveredFrom: number;
}

export type DevresAnomalyKind =
  /** REL/REM of a node the trace never saw ADDed (or re-ADDed after its release). */
  | "release-unknown"
  /** REL/REM of a node that was already released/removed, with no ADD in between. */
  | "double-release"
  /** ADD of a node pointer that is still live on the device (its release is missing). */
  | "add-live-node";

export interface DevresAnomaly {
  kind: DevresAnomalyKind;
  device: string;
  list: "devres" | "drmm";
  eventIndex: number;
  /** The resource the anomalous line was attributed to. */
  resource: ResourceRecord;
  /** The device's list was fully known at this point (the node cannot predate the trace). */
  covered: boolean;
  epoch: number;
}

/** A kmalloc from module code (a driver) that was never kfree'd before the trace ended. */
export interface UnfreedAlloc {
  index: number;
  pid?: number;
  ptr: string;
  callSite: string;
  /** `[module]` suffix of the call site; undefined for bare addresses (module unloaded). */
  module?: string;
  /** Bare call-site address as a number (module unloaded before the trace was read). */
  address?: bigint;
  bytes: number;
  ts: number;
}

export interface KmemData {
  hasKmem: boolean;
  /** Module/bare-address kmallocs never freed, in event order. */
  unfreedModuleAllocs: UnfreedAlloc[];
}

export interface LostRange {
  index: number;
  ts: number;
  cpu?: number;
  count: number;
}

export interface AnalysisModel {
  events: readonly TraceEvent[];
  devices: Map<string, DeviceRecord>;
  /** All resources (devres and drmm) in id order. */
  resources: ResourceRecord[];
  anomalies: DevresAnomaly[];
  /** Indices of kernel-log facts the rules use. */
  probeFailed: number[];
  resourcesBeforeProbe: number[];
  poolBusy: number[];
  reports: number[];
  kmem: KmemData;
  /** `[LOST N EVENTS]` markers in the trace. */
  lost: LostRange[];
  /** The trace's start is known to be missing (ring buffer overwrite, meta.startLost). */
  startLost: boolean;
  span: { startNs: number; endNs: number } | undefined;
  /** User-space return evidence per task (epoch inference, burst splitting). */
  activity: TaskActivity;
  /** trace_marker writes, in order. */
  markers: MarkerEvent[];
  notes: string[];
}
