import type { Analysis, DeviceMapping, DiffResult } from "@devscope/tracer";
import type { SourceSpec, TraceOrigin } from "../worker/engine-types.ts";

/** One side of a comparison as the page asks the worker for it. */
export type CompareSideSpec =
  /** An analysis the page already has (the open trace). */
  | { kind: "analysis"; title: string; origin: TraceOrigin; analysis: Analysis }
  /** Files of one boot, imported and analysed together. */
  | { kind: "sources"; sources: SourceSpec[] }
  /** A simulator scenario run (packages/hw-sim). */
  | { kind: "scenario"; id: string; seed: number };

export interface CompareOptions {
  /** Device mappings (`--map A=B`; `DEV#N` selects one epoch). */
  map: DeviceMapping[];
  /** Pair differently named devices by resource similarity. */
  autoPair: boolean;
}

export interface CompareSide {
  title: string;
  origin: TraceOrigin;
  analysis: Analysis;
}

/** What the worker returns: both analyses and their diff (docs/diff.md). */
export interface CompareResult {
  a: CompareSide;
  b: CompareSide;
  diff: DiffResult;
  /** Time spent in diffAnalyses, ms. */
  diffMs: number;
}
