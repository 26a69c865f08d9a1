import {
  checkInput,
  detectFromHead,
  finalizeImport,
  type ImportResult,
  type KeepKmem,
  TEXT_CHECK_BYTES,
} from "@devscope/tracer";
import type { SourceSpec } from "./engine-types.ts";
import { concatLineIndexes, type LineIndex } from "./line-index.ts";
import { parseBlobRange, type SegmentRunner } from "./segment-parse.ts";

/** Plain files at least this big are split across two workers (bytes). */
export const PARALLEL_MIN_BYTES = 32 * 1024 * 1024;
/** Head read for the binary check and format detection (bytes). */
const HEAD_BYTES = 256 * 1024;
/** Probe read when looking for a line end near the split point (bytes). */
const PROBE_BYTES = 64 * 1024;

export interface ParallelOptions {
  src: number;
  keepKmem: KeepKmem;
  signal: AbortSignal;
  /** Bytes consumed so far across both segments. */
  onBytes(n: number): void;
  /** Override PARALLEL_MIN_BYTES (tests force small files through this path). */
  minBytes?: number;
}

async function bytesOf(blob: Blob, start: number, end: number): Promise<Uint8Array> {
  return new Uint8Array(await blob.slice(start, end).arrayBuffer());
}

/** First line start at or after `from` (0..size), or -1 if the rest has no "\n". */
async function lineStartAfter(blob: Blob, from: number): Promise<number> {
  for (let off = from; off < blob.size; off += PROBE_BYTES) {
    const b = await bytesOf(blob, off, Math.min(blob.size, off + PROBE_BYTES));
    const nl = b.indexOf(10);
    if (nl >= 0) return off + nl + 1 < blob.size ? off + nl + 1 : -1;
  }
  return -1;
}

/**
 * Imports a large plain-text trace with two parsers at once: this thread parses the first
 * half while a segment worker parses the second (File.slice at a line boundary), then the
 * tracer's own merge (finalizeImport: line renumbering, kmalloc/kfree links and LOST markers
 * across the boundary, trace-cmd op recovery over the whole input) makes one ImportResult —
 * the same as the sequential importer gives. Returns null when the input does not qualify
 * (small, gzip, refused as binary, BOM, format not detectable from the head): the caller
 * then imports sequentially.
 */
export async function importParallel(
  spec: SourceSpec,
  runner: SegmentRunner,
  o: ParallelOptions,
): Promise<{ result: ImportResult; index: LineIndex } | null> {
  const blob = spec.blob;
  if (!blob || blob.size < (o.minBytes ?? PARALLEL_MIN_BYTES)) return null;
  const head = await bytesOf(blob, 0, Math.min(blob.size, HEAD_BYTES));
  const kind = checkInput(head.subarray(0, TEXT_CHECK_BYTES), spec.name);
  if (kind.kind !== "text" || kind.skip !== 0) return null;
  const format = detectFromHead(head, head.length === blob.size);
  if (format === undefined) return null;
  const cut = await lineStartAfter(blob, Math.floor(blob.size / 2));
  if (cut <= 0) return null;
  const options = { format, keepKmem: o.keepKmem, src: o.src };
  let first = 0;
  let second = 0;
  const report = (): void => o.onBytes(first + second);
  const worker = runner.run(
    { blob, start: cut, end: blob.size, options },
    (n) => ((second = n), report()),
    o.signal,
  );
  // Keep the worker's rejection observed even if this half throws first.
  worker.catch(() => undefined);
  const mine = await parseBlobRange(
    { blob, start: 0, end: cut, options },
    o.signal,
    (n) => ((first = n), report()),
  );
  const theirs = await worker;
  const result = finalizeImport([mine.partial, theirs.partial], {
    path: spec.name,
    src: o.src,
    keepKmem: o.keepKmem,
    bytes: blob.size,
  });
  if (o.signal.aborted) result.error = "cancelled";
  return { result, index: concatLineIndexes([mine.index, theirs.index]) };
}
