import {
  type Analysis,
  analyzeImports,
  diffAnalyses,
  type ImportResult,
  importChunks,
} from "@devscope/tracer";
import type {
  CompareOptions,
  CompareResult,
  CompareSide,
  CompareSideSpec,
} from "../compare/compare-types.ts";
import { syntheticAnalysis } from "../samples/synthetic-analysis.ts";
import { buildTimelineBuffers } from "../timeline/timeline-buffers.ts";
import {
  CANCELLED,
  type EngineApi,
  type HostRead,
  type ImportProgress,
  type InputSummary,
  type LoadedTrace,
  type ScenarioInfo,
  type SourceLine,
  type SourceSpec,
  type TraceOrigin,
} from "./engine-types.ts";
import { type LineIndex, LineIndexer } from "./line-index.ts";
import { importParallel, PARALLEL_MIN_BYTES } from "./parallel-import.ts";
import type { SegmentRunner } from "./segment-parse.ts";
import { listScenarios, runScenario } from "./scenarios.ts";
import { readSourceLines } from "./source-lines.ts";
import { decodedChunks } from "./source-stream.ts";
import { must } from "../../shared/must.ts";

/** An input of the loaded trace, kept so the details view can read its lines back. */
interface StoredSource {
  spec: SourceSpec;
  gzip: boolean;
  index: LineIndex;
}

export class CancelledError extends Error {
  constructor() {
    super("import cancelled");
    this.name = CANCELLED;
  }
}

/** Progress callbacks at most this often (ms): postMessage per chunk would flood the page. */
const PROGRESS_INTERVAL_MS = 50;

/**
 * The worker side of the app: import (streaming, gzip, line index), analysis, timeline
 * buffers, simulation. Runs in a module Web Worker behind comlink (engine.worker.ts); it is
 * plain TypeScript, so tests drive it directly.
 */
export class Engine implements Omit<EngineApi, "importSources"> {
  private current: StoredSource[] = [];
  private abort: AbortController | null = null;

  /**
   * `runner`: where the second half of a large plain file is parsed (null: never split);
   * `parallelMinBytes`: smallest file split that way (tests use tiny files).
   */
  constructor(
    private readonly runner: SegmentRunner | null = null,
    private readonly parallelMinBytes = PARALLEL_MIN_BYTES,
  ) {}

  async importSources(
    specs: SourceSpec[],
    origin: TraceOrigin,
    onProgress: (p: ImportProgress) => void,
    hostRead?: HostRead,
  ): Promise<LoadedTrace> {
    this.abort?.abort();
    const ac = new AbortController();
    this.abort = ac;
    try {
      const sources = specs.map((s, i): SourceSpec =>
        s.blob || !hostRead ? s : { ...s, read: (offset, length) => hostRead(i, offset, length) },
      );
      const totalBytes = sources.reduce((s, x) => s + x.size, 0);
      let before = 0;
      let lastReport = 0;
      const report = (p: ImportProgress, force = false): void => {
        const now = performance.now();
        if (!force && now - lastReport < PROGRESS_INTERVAL_MS) return;
        lastReport = now;
        onProgress(p);
      };
      const results: ImportResult[] = [];
      const summaries: InputSummary[] = [];
      const stored: StoredSource[] = [];
      let parseMs = 0;
      for (let i = 0; i < sources.length; i++) {
        const spec = sources[i] as SourceSpec;
        const base = {
          phase: "reading" as const,
          totalBytes,
          fileIndex: i,
          fileCount: sources.length,
          fileName: spec.name,
        };
        report({ ...base, bytesRead: before }, true);
        const t0 = performance.now();
        const onBytes = (n: number): void => report({ ...base, bytesRead: before + n });
        let res: ImportResult;
        let index: LineIndex;
        let gzip = false;
        const par = this.runner
          ? await importParallel(spec, this.runner, {
              src: i,
              keepKmem: "linked",
              signal: ac.signal,
              onBytes,
              minBytes: this.parallelMinBytes,
            }).catch((e: unknown) => {
              if (ac.signal.aborted) throw new CancelledError();
              throw e;
            })
          : null;
        if (par) {
          res = par.result;
          index = par.index;
        } else {
          const indexer = new LineIndexer();
          const decoded = decodedChunks(spec, ac.signal, onBytes);
          const teed = async function* (): AsyncGenerator<Uint8Array> {
            for await (const c of decoded.chunks) {
              indexer.push(c);
              yield c;
            }
          };
          res = await importChunks(teed(), {
            path: spec.name,
            src: i,
            signal: ac.signal,
            keepKmem: "linked",
            ownsChunks: true,
          });
          // Decompression happened here, before the importer: restore what the file really was.
          gzip = decoded.gzip;
          if (decoded.error && !res.error) res.error = decoded.error;
          index = indexer.finish();
        }
        if (ac.signal.aborted) throw new CancelledError();
        res.bytes = spec.size;
        if (gzip) res.gzip = true;
        const ms = performance.now() - t0;
        parseMs += ms;
        results.push(res);
        summaries.push(summarize(spec, res, ms));
        stored.push({ spec, gzip, index });
        before += spec.size;
      }
      report(
        {
          phase: "analyzing",
          bytesRead: totalBytes,
          totalBytes,
          fileIndex: sources.length - 1,
          fileCount: sources.length,
          fileName: "",
        },
        true,
      );
      const t1 = performance.now();
      const analysis = analyzeImports(results);
      if (ac.signal.aborted) throw new CancelledError();
      const analyzeMs = performance.now() - t1;
      report(
        {
          phase: "building",
          bytesRead: totalBytes,
          totalBytes,
          fileIndex: sources.length - 1,
          fileCount: sources.length,
          fileName: "",
        },
        true,
      );
      const trace = this.finish(analysis, summaries, origin, titleOf(specs), {
        parseMs,
        analyzeMs,
      });
      this.current = stored;
      return trace;
    } finally {
      if (this.abort === ac) this.abort = null;
    }
  }

  cancel(): void {
    this.abort?.abort();
  }

  async sourceLines(src: number, from: number, to: number): Promise<SourceLine[]> {
    const s = this.current[src];
    if (!s) return [];
    return readSourceLines(s.spec, s.gzip, s.index, from, to);
  }

  async listScenarios(): Promise<ScenarioInfo[]> {
    return listScenarios();
  }

  async runScenario(
    id: string,
    seed: number,
    onProgress: (p: ImportProgress) => void,
  ): Promise<LoadedTrace> {
    onProgress({
      phase: "simulating",
      bytesRead: 0,
      totalBytes: 0,
      fileIndex: 0,
      fileCount: 1,
      fileName: id,
    });
    const { name, text } = runScenario(id, seed);
    const blob = new Blob([text], { type: "text/plain" });
    const trace = await this.importSources(
      [{ name, size: blob.size, blob }],
      "simulation",
      onProgress,
    );
    return { ...trace, title: `${id} (seed ${seed})` };
  }

  async compare(
    a: CompareSideSpec,
    b: CompareSideSpec,
    opts: CompareOptions,
    onProgress: (p: ImportProgress) => void,
    hostRead?: HostRead,
  ): Promise<CompareResult> {
    // Loading a side replaces the sources the details view reads lines from: keep the open
    // trace's.
    const keep = this.current;
    try {
      const load = async (s: CompareSideSpec, firstSource: number): Promise<CompareSide> => {
        if (s.kind === "analysis")
          return { title: s.title, origin: s.origin, analysis: s.analysis };
        if (s.kind === "scenario") {
          const t = await this.runScenario(s.id, s.seed, onProgress);
          return { title: t.title, origin: "simulation", analysis: t.analysis };
        }
        const read: HostRead | undefined = hostRead
          ? (i, offset, length) => hostRead(firstSource + i, offset, length)
          : undefined;
        const t = await this.importSources(s.sources, "file", onProgress, read);
        return { title: t.title, origin: "file", analysis: t.analysis };
      };
      const sideA = await load(a, 0);
      const sideB = await load(b, a.kind === "sources" ? a.sources.length : 0);
      const t0 = performance.now();
      const diff = diffAnalyses(sideA.analysis, sideB.analysis, {
        map: opts.map,
        autoPair: opts.autoPair,
        labelA: [sideA.title],
        labelB: [sideB.title],
      });
      return { a: sideA, b: sideB, diff, diffMs: performance.now() - t0 };
    } finally {
      this.current = keep;
    }
  }

  async loadSynthetic(devices: number, cycles: number, perProbe: number): Promise<LoadedTrace> {
    const analysis = syntheticAnalysis({ devices, cycles, perProbe, seed: 1 });
    this.current = [];
    const summary: InputSummary = {
      name: must(analysis.inputs[0]).path,
      format: "synthetic",
      bytes: 0,
      gzip: false,
      lines: analysis.lines,
      notes: [
        "Synthetic bind/unbind cycles generated for the renderer benchmark; not a kernel trace.",
      ],
      events: 0,
      parseMs: 0,
    };
    return this.finish(
      analysis,
      [summary],
      "synthetic",
      `synthetic: ${analysis.resources.length.toLocaleString("en")} resources`,
      { parseMs: 0, analyzeMs: 0 },
    );
  }

  private finish(
    analysis: Analysis,
    inputs: InputSummary[],
    origin: TraceOrigin,
    title: string,
    t: { parseMs: number; analyzeMs: number },
  ): LoadedTrace {
    const t2 = performance.now();
    const timeline = buildTimelineBuffers(analysis);
    return {
      title,
      origin,
      analysis,
      inputs,
      timeline,
      timing: { ...t, buildMs: performance.now() - t2 },
    };
  }
}

function titleOf(specs: SourceSpec[]): string {
  if (specs.length === 1) return (specs[0] as SourceSpec).name;
  return `${specs[0]?.name ?? ""} + ${specs.length - 1} more`;
}

function summarize(spec: SourceSpec, res: ImportResult, parseMs: number): InputSummary {
  const s: InputSummary = {
    name: spec.name,
    format: res.format,
    bytes: spec.size,
    gzip: res.gzip === true,
    lines: res.lines,
    notes: res.notes,
    events: res.events.length,
    parseMs,
  };
  if (res.error) s.error = res.error;
  return s;
}
