import type { Analysis, LineAccounting } from "@devscope/tracer";
import type { TimelineBuffers } from "../timeline/timeline-buffers.ts";
import type { CompareOptions, CompareResult, CompareSideSpec } from "../compare/compare-types.ts";

/** Reads `length` bytes at `offset` of a source the worker cannot open itself (desktop host file). */
export type ReadRange = (offset: number, length: number) => Promise<Uint8Array>;

/**
 * Reads bytes of input `source` (its index in the import) through the page: the one
 * callback the worker gets for desktop host files (comlink proxies only travel as top-level
 * arguments).
 */
export type HostRead = (source: number, offset: number, length: number) => Promise<Uint8Array>;

/** One input handed to the worker: a Blob/File, or (inside the worker) a size plus a range reader. */
export interface SourceSpec {
  name: string;
  /** Bytes. */
  size: number;
  blob?: Blob;
  read?: ReadRange;
}

export type ImportPhase = "reading" | "analyzing" | "building" | "simulating";

export interface ImportProgress {
  phase: ImportPhase;
  /** Input bytes consumed so far across all files (compressed bytes for gzip). */
  bytesRead: number;
  /** Input bytes in total. */
  totalBytes: number;
  /** File being read, 0-based, and how many there are. */
  fileIndex: number;
  fileCount: number;
  fileName: string;
}

/** What the import summary shows for one input file. */
export interface InputSummary {
  name: string;
  format: string;
  /** File size in bytes (compressed size for gzip). */
  bytes: number;
  gzip: boolean;
  lines: LineAccounting;
  notes: string[];
  /** Fatal problem that stopped reading (binary, truncated, cancelled); what was read is kept. */
  error?: string;
  /** Events the importer produced (count). */
  events: number;
  /** Wall time to read and parse this input, ms. */
  parseMs: number;
}

export type TraceOrigin = "file" | "sample" | "simulation" | "synthetic";

export interface LoadedTrace {
  title: string;
  origin: TraceOrigin;
  analysis: Analysis;
  inputs: InputSummary[];
  timeline: TimelineBuffers;
  /** Where the time went, ms. */
  timing: { parseMs: number; analyzeMs: number; buildMs: number };
}

/** One line of a source file, 1-based. */
export interface SourceLine {
  line: number;
  text: string;
}

/** A simulator scenario as listed by hw-sim's registry. */
export interface ScenarioInfo {
  id: string;
  title: string;
  /** Device kind the scenario drives (nic, gpu...). */
  device: string;
  /** The real fix or thread it reproduces. */
  source: string;
  /** Rule ids devscope analyze must report (empty for clean scenarios). */
  expect: string[];
  /** What happens, in two or three sentences. */
  description: string;
}

/** The worker's API (comlink). */
export interface EngineApi {
  /** Imports and analyses the sources; rejects with an error named "CancelledError" on cancel. */
  importSources(
    sources: SourceSpec[],
    origin: TraceOrigin,
    onProgress: (p: ImportProgress) => void,
    hostRead?: HostRead,
  ): Promise<LoadedTrace>;
  /** Cancels the running import or simulation (no-op when idle). */
  cancel(): void;
  /** Lines [from, to] (1-based, inclusive) of input `src` of the current trace. */
  sourceLines(src: number, from: number, to: number): Promise<SourceLine[]>;
  /** Scenarios the simulator offers (empty when this build has none). */
  listScenarios(): Promise<ScenarioInfo[]>;
  /** Runs a scenario and opens its trace. */
  runScenario(
    id: string,
    seed: number,
    onProgress: (p: ImportProgress) => void,
  ): Promise<LoadedTrace>;
  /**
   * Loads both sides (files, a scenario run, or an analysis the page has) and diffs them by
   * resource identity (docs/diff.md). The open trace stays open. `hostRead` reads host files
   * of both sides, indexed A's sources first, then B's.
   */
  compare(
    a: CompareSideSpec,
    b: CompareSideSpec,
    opts: CompareOptions,
    onProgress: (p: ImportProgress) => void,
    hostRead?: HostRead,
  ): Promise<CompareResult>;
  /** Loads a synthetic analysis of `resources` bars (renderer benchmark). */
  loadSynthetic(devices: number, cycles: number, perProbe: number): Promise<LoadedTrace>;
}

export const CANCELLED = "CancelledError";
