import type { EpochEnd, ResourceKind } from "../model/analysis.js";

/**
 * The diff of two analyses, aligned by resource identity (docs/diff.md is the prose form and
 * documents every field). `devscope diff --format json` prints this object; the desktop's
 * Compare view draws it. Times and pointers are never compared: they never match between two
 * boots, a simulator and a machine. Optional fields are omitted, never `null`, except the
 * epoch indices `a`/`b`, which are `null` for an epoch that has no partner.
 */

export const DIFF_SCHEMA = "devscope.diff/1" as const;

/** Which list a resource is on: the device's devres list, or its drm_device's managed list. */
export type DiffList = "devres" | "drmm";

/** How two devices were paired. */
export type DevicePairing =
  /** Same dev_name() in both traces. */
  | "name"
  /** A `--map A=B` given by the user. */
  | "map"
  /** Names differ; paired by resource-sequence similarity (opt-in). */
  | "auto";

/**
 * What one row of an alignment says.
 * - `matched`: same resource (name, kind, size) at a corresponding position.
 * - `onlyA` / `onlyB`: present on one side only.
 * - `resized`: same name and kind, different size.
 * - `reordered`: the same resource at a different position (acquisition or release order).
 * - `cutOff`: present on one side, but the other side's trace cannot show it (its trace starts
 *   after this resource's lifetime ended); neither a match nor a difference.
 */
export type DiffType = "matched" | "onlyA" | "onlyB" | "resized" | "reordered" | "cutOff";

/** One side of a compared resource. */
export interface DiffSide {
  /** Resource id in that side's analysis (`r12`). */
  id: string;
  /**
   * 0-based position in that side's sequence for the phase the item belongs to: the
   * acquisition (ADD) order within the epoch and list, or the release order for `at: "release"`.
   */
  pos: number;
  /** Payload bytes as logged. */
  size: number;
  /** The name as the trace printed it, when it differs from the compared name. */
  printed?: string;
  /** Input index and 1-based line of the ADD (or of the release for cut-off resources). */
  src?: number;
  line?: number;
}

/** One compared resource (or one side of one). */
export interface DiffItem {
  type: DiffType;
  list: DiffList;
  /** Normalised name (module forms reduced to the function name). */
  name: string;
  kind: ResourceKind;
  /** Which order this item is about: `add` (acquisition) or `release` (the epoch-end burst). */
  at: "add" | "release";
  a?: DiffSide;
  b?: DiffSide;
  /** Only on `resized`: the resource also sits at a different position. */
  moved?: boolean;
  /** Why, for items that need one (`B's trace starts after the probe`, `name inferred ...`). */
  note?: string;
}

/** One side-by-side row: an item with the terminal marker drawn for it. */
export interface DiffRow extends DiffItem {
  /** `=` matched, `-` only A, `+` only B, `~` resized, `↕` reordered, `·` cut off. */
  mark: "=" | "-" | "+" | "~" | "↕" | "·";
}

/** The comparison of one bind epoch of A with one of B (or an epoch without a partner). */
export interface EpochDiff {
  /** Epoch index in A's device; null when this B epoch has no partner in A. */
  a: number | null;
  b: number | null;
  /** Similarity 0–1 (docs/diff.md "Scores"); 0 for an unpaired epoch. */
  score: number;
  /**
   * Σ credit / countA: how much of A is found in B (1 when A has nothing); `coverB` likewise.
   * score = min(coverA, coverB).
   */
  coverA: number;
  coverB: number;
  /** Resources matched exactly (same name, kind, size, same relative order), both lists. */
  matched: number;
  onlyA: DiffItem[];
  onlyB: DiffItem[];
  /** Same resource, different position: `at: "add"` (acquisition) or `"release"`. */
  reordered: DiffItem[];
  resized: DiffItem[];
  /** Resources of one side the other side's trace could not show (start cut off). */
  cutOff: DiffItem[];
  /** Resources of each side taken into the score (cut-off ones excluded), both lists. */
  countA: number;
  countB: number;
  /** How each epoch ended (absent on the side that has no epoch). */
  endA?: EpochEnd;
  endB?: EpochEnd;
  /** The side(s) whose probe predates the trace: their ADD sequence is incomplete. */
  addMissing?: "a" | "b" | "both";
  /** The side(s) with no release burst to compare (still bound, or the end not logged). */
  releaseMissing?: "a" | "b" | "both";
  /** Acquisition alignment, devres then drmm, in display order. */
  rows: DiffRow[];
  /** Release-order alignment of the epoch-end bursts (REL lines), devres then drmm. */
  releaseRows: DiffRow[];
  /** What a reader should know about this pair. */
  notes?: string[];
}

export interface DeviceDiff {
  /** Device name in A and in B. */
  a: string;
  b: string;
  pairing: DevicePairing;
  /** The only epoch compared on each side, when the mapping named one. */
  epochA?: number;
  epochB?: number;
  /** Similarity 0–1 over all epochs, unpaired epochs included (docs/diff.md). */
  score: number;
  /** How much of A's device is found in B, and of B's in A (0–1). */
  coverA: number;
  coverB: number;
  /** How epochs were paired: in order (equal counts) or by best score. */
  epochPairing: "order" | "best";
  /** Paired epochs in order, then the unpaired ones where they fall. */
  epochs: EpochDiff[];
  /** Totals over the epochs. */
  summary: DiffSummary;
}

export interface DiffSummary {
  matched: number;
  onlyA: number;
  onlyB: number;
  reordered: number;
  resized: number;
  cutOff: number;
}

/** A compared trace: what was read. */
export interface DiffInput {
  /** The input paths (or labels, e.g. `sim:gpu-clean@1`), as given. */
  paths: string[];
  devices: number;
  resources: number;
}

export interface DiffResult {
  schema: typeof DIFF_SCHEMA;
  a: DiffInput;
  b: DiffInput;
  /**
   * Similarity 0–1 of the whole traces: paired devices' credits over their resources plus
   * every resource of the devices without a partner (docs/diff.md).
   */
  score: number;
  /** How much of trace A is found in B, and of B in A (0–1). */
  coverA: number;
  coverB: number;
  devices: DeviceDiff[];
  /** Devices with no partner. */
  onlyA: string[];
  onlyB: string[];
  summary: DiffSummary;
  /** Name inference, auto pairing, approximations. */
  notes: string[];
}

/**
 * One user mapping: device `a` of A is compared with device `b` of B. With `epochA`/`epochB`
 * only that bind epoch of the device is compared (`--map 0000:00:1f.2#0=0000:00:1f.2#2`
 * compares two binds of one trace).
 */
export interface DeviceMapping {
  a: string;
  b: string;
  epochA?: number;
  epochB?: number;
}

/** Options of diffAnalyses(). */
export interface DiffOptions {
  /**
   * Device pairs that override pairing by name (`--map A=B`). Every name must exist in its
   * analysis and every epoch index in its device (DiffInputError otherwise).
   */
  map?: readonly DeviceMapping[];
  /** Pair devices whose names differ by resource-sequence similarity. Default false. */
  autoPair?: boolean;
  /** Epoch pairing: `auto` = in order when the counts are equal, else best score. */
  epochPairing?: "auto" | "order" | "best";
  /** Labels for the inputs (paths); default: the analyses' input paths. */
  labelA?: string[];
  labelB?: string[];
}

/** A usage problem the caller should report (unknown device in a mapping...). */
export class DiffInputError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "DiffInputError";
  }
}
