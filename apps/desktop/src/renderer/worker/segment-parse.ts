import {
  LineFeeder,
  SegmentParser,
  type SegmentOptions,
  type SegmentPartial,
} from "@devscope/tracer";
import { type LineIndex, LineIndexer } from "./line-index.ts";
import { rawChunks } from "./source-stream.ts";

/** One byte range of a plain-text trace to parse on its own (a parallel segment). */
export interface SegmentJob {
  blob: Blob;
  /** Byte range [start, end); `start` is a line start. */
  start: number;
  end: number;
  options: SegmentOptions;
}

export interface SegmentOutcome {
  partial: SegmentPartial;
  /** Line index of the range (byte offsets in the whole file, lines numbered from 1). */
  index: LineIndex;
}

/**
 * Parses a byte range with the tracer's own segment parser (the same code the sequential
 * importer runs), indexing its line starts as it goes. Pure: runs in a segment worker or, in
 * tests, in-process.
 */
export async function parseBlobRange(
  job: SegmentJob,
  signal?: AbortSignal,
  onBytes?: (n: number) => void,
): Promise<SegmentOutcome> {
  const parser = new SegmentParser(job.options);
  const feeder = new LineFeeder(parser);
  const indexer = new LineIndexer(job.start);
  let n = 0;
  for await (const chunk of rawChunks(
    { name: "segment", size: job.end, blob: job.blob },
    signal,
    job.start,
    job.end,
  )) {
    indexer.push(chunk);
    feeder.push(chunk);
    n += chunk.length;
    onBytes?.(n);
  }
  feeder.finish();
  return { partial: parser.finish(), index: indexer.finish() };
}

/** Runs segment jobs somewhere (a Web Worker in the app, in-process in tests). */
export interface SegmentRunner {
  run(job: SegmentJob, onBytes: (n: number) => void, signal: AbortSignal): Promise<SegmentOutcome>;
}

export const inProcessRunner: SegmentRunner = {
  run: (job, onBytes, signal) => parseBlobRange(job, signal, onBytes),
};
