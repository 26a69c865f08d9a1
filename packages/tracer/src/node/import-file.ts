/**
 * importFile: the Node entry for files of any size.
 *
 * - Plain text large enough (DEFAULT_PARALLEL_MIN_BYTES by default): parsed by this thread and worker threads at once
 *   (claimed-segments.ts: the threads share the file's chunks, each reads its own, a slow or
 *   late thread ends up with less), then merged in order (segment-merge.ts: line renumbering,
 *   kmalloc/kfree links across boundaries, trace-cmd op recovery). The workers are started
 *   first thing, so their start-up overlaps this thread's parsing.
 * - gzip (recognised by its magic bytes): node:zlib inflates on the libuv thread pool (the
 *   other core) while this thread parses the output as it arrives; truncated data ends with an
 *   error and keeps what was decoded.
 * - Smaller files: one streaming pass in this thread, through one reused read buffer.
 * Every path gives the same ImportResult as the sequential importer (tested deep-equal).
 */
import { closeSync, createReadStream, fstatSync, openSync, read, readSync } from "node:fs";
import { createGunzip } from "node:zlib";
import { detectFromHead } from "../import/detect-format.js";
import { createImporter } from "../import/importer.js";
import { checkInput, TEXT_CHECK_BYTES } from "../import/input-check.js";
import { finalizeImport, type FinalizeOptions } from "../import/segment-merge.js";
import type { SegmentOptions } from "../import/segment-parser.js";
import type { ImportOptions, ImportResult, TraceFormat } from "../import/types.js";
import {
  cancelClaims,
  claimedProgress,
  newClaimPlan,
  parseClaimedChunks,
  type ClaimedSegment,
} from "./claimed-segments.js";
import { defaultThreads, ParseWorkers } from "./worker-pool.js";

export interface FileImportOptions extends ImportOptions {
  /**
   * Threads that parse, this one included (default: defaultThreads(), the idle cores, at most
   * 8, for files of DEFAULT_PARALLEL_MIN_BYTES or more; given explicitly: from
   * PARALLEL_MIN_BYTES); 1 parses in this thread only. gzip input always parses in this
   * thread: inflating keeps another core busy.
   */
  workers?: number;
  /**
   * Chunk size of the parallel parse in bytes (default: about 24 chunks per thread, 1-8 MiB).
   * Smaller values force parallel parsing of small files (tests).
   */
  segmentBytes?: number;
}

/** With `workers` > 1 given, files of at least this size are parsed in parallel (bytes). */
export const PARALLEL_MIN_BYTES = 16 * 1024 * 1024;
/**
 * With the default thread count, only files of at least this size are parsed in parallel
 * (bytes). A second parsing thread has a fixed cost: ~45 ms to boot and load the parser, its
 * own JIT warm-up (~150 ms of slow first chunks, its compiler threads competing with this
 * thread for the cores), ~20 ms to hand its events over; then both run at ~1.2x the speed of
 * one (measured on the 2-core machine, large-stress: 185 MB in 1 thread 360-530 ms, in 2
 * threads 40-90 ms more; at 370 MB even). Below this size one thread is faster.
 */
export const DEFAULT_PARALLEL_MIN_BYTES = 768 * 1024 * 1024;
/** Head read for the binary check and format detection (bytes). */
const HEAD_BYTES = 256 * 1024;
/** Read size of the in-thread path (bytes; three buffers in turn). */
const READ_BYTES = 2 * 1024 * 1024;
/** zlib output chunk (bytes): larger than the 16 KiB default, fewer chunks to handle. */
const GUNZIP_CHUNK_BYTES = 1024 * 1024;

function finalizeOpts(path: string, opts: FileImportOptions, bytes: number): FinalizeOptions {
  const fin: FinalizeOptions = { path, bytes, keepKmem: opts.keepKmem ?? "linked" };
  if (opts.src !== undefined) fin.src = opts.src;
  if (opts.format !== undefined) fin.format = opts.format;
  return fin;
}

function segmentOptions(opts: FileImportOptions, format: TraceFormat): SegmentOptions {
  const o: SegmentOptions = { format, keepKmem: opts.keepKmem ?? "linked" };
  if (opts.src !== undefined) o.src = opts.src;
  return o;
}

function readHead(fd: number, size: number): Buffer {
  const buf = Buffer.allocUnsafeSlow(Math.min(size, HEAD_BYTES));
  let off = 0;
  while (off < buf.length) {
    const n = readSync(fd, buf, off, buf.length - off, off);
    if (n === 0) break;
    off += n;
  }
  return buf.subarray(0, off);
}

export async function importFile(
  path: string,
  opts: FileImportOptions = {},
): Promise<ImportResult> {
  const fd = openSync(path, "r");
  let size: number;
  let head: Buffer;
  try {
    size = fstatSync(fd).size;
    head = readHead(fd, size);
  } finally {
    closeSync(fd);
  }
  if (head[0] === 0x1f && head[1] === 0x8b) return importGzipFile(path, size, opts);
  const threads = opts.workers ?? defaultThreads();
  const minParallel =
    opts.segmentBytes ??
    (opts.workers !== undefined ? PARALLEL_MIN_BYTES : DEFAULT_PARALLEL_MIN_BYTES);
  const parallel = threads > 1 && size >= minParallel;
  // Boot the workers now: they load while this thread checks and detects.
  const workers = parallel ? new ParseWorkers(threads - 1) : undefined;
  try {
    const kind = checkInput(head.subarray(0, TEXT_CHECK_BYTES), path);
    if (kind.kind === "refused" || kind.kind === "gzip") {
      return finalizeImport([], {
        ...finalizeOpts(path, opts, size),
        error: kind.kind === "refused" ? kind.reason : `${path}: gzip`,
      });
    }
    const format = opts.format ?? detectFromHead(head.subarray(kind.skip), head.length === size);
    if (workers === undefined || format === undefined)
      return await importInThread(path, size, opts);
    return await importParallel(path, size, kind.skip, format, opts, workers);
  } finally {
    await workers?.close();
  }
}

/** readSync's asynchronous twin (the copy runs on a libuv pool thread, off this one). */
function readAt(fd: number, buf: Buffer, length: number, position: number): Promise<number> {
  return new Promise<number>((resolve, reject) =>
    read(fd, buf, 0, length, position, (err, n) => (err ? reject(err) : resolve(n))),
  );
}

/**
 * One streaming pass in this thread through three read buffers used in turn: the next chunk is
 * read (on a libuv pool thread: the copy out of the page cache costs ~60 ms for 185 MB) while
 * this one is parsed. Before a buffer is read into again, the importer copies out the few
 * lines it still references there: by then the buffer is two chunks old, so almost none.
 */
async function importInThread(
  path: string,
  size: number,
  opts: FileImportOptions,
): Promise<ImportResult> {
  const imp = createImporter({ ...opts, path, ownsChunks: true }); // reports progress itself
  const fd = openSync(path, "r");
  const len = Math.max(1, Math.min(READ_BYTES, size));
  const bufs = [
    Buffer.allocUnsafeSlow(len),
    Buffer.allocUnsafeSlow(len),
    Buffer.allocUnsafeSlow(len),
  ];
  try {
    let pos = 0;
    let next = readAt(fd, bufs[0] as Buffer, len, 0);
    for (let k = 0; ; k++) {
      const n = await next;
      if (opts.signal?.aborted) {
        imp.push(new Uint8Array(0));
        break;
      }
      if (n === 0) break;
      const buf = bufs[k % 3] as Buffer;
      pos += n;
      // Read the next chunk into the buffer of two chunks ago, released first.
      const other = bufs[(k + 1) % 3] as Buffer;
      if (k >= 2) imp.release(other);
      next = readAt(fd, other, len, pos);
      imp.push(buf.subarray(0, n));
    }
    // The read in flight (past the end, or after a cancel) must finish before the fd closes.
    await next.catch(() => 0);
  } finally {
    closeSync(fd);
  }
  return imp.finish();
}

async function importParallel(
  path: string,
  size: number,
  skip: number,
  format: TraceFormat,
  opts: FileImportOptions,
  workers: ParseWorkers,
): Promise<ImportResult> {
  const threads = workers.count + 1;
  const chunkBytes =
    opts.segmentBytes ??
    Math.min(8 << 20, Math.max(1 << 20, Math.ceil((size - skip) / (threads * 24))));
  const plan = newClaimPlan(path, skip, size, chunkBytes, segmentOptions(opts, format));
  const onAbort = (): void => cancelClaims(plan);
  opts.signal?.addEventListener("abort", onAbort, { once: true });
  if (opts.signal?.aborted === true) cancelClaims(plan);
  try {
    // Workers start at even split points; this thread at the start.
    const theirs = Array.from({ length: workers.count }, (_, i) =>
      workers.run(i, { plan, me: i + 2, first: Math.floor((plan.chunks * (i + 1)) / threads) }),
    );
    // Keep rejections observed while this thread parses.
    for (const p of theirs) p.catch(() => undefined);
    const progress = opts.onProgress;
    const all: ClaimedSegment[] = parseClaimedChunks(
      plan,
      1,
      0,
      progress === undefined ? undefined : () => progress(claimedProgress(plan)),
    );
    for (const segs of await Promise.all(theirs)) all.push(...segs);
    progress?.(claimedProgress(plan));
    all.sort((a, b) => a.firstChunk - b.firstChunk);
    // After a cancel: the contiguous prefix that was parsed.
    const cancelled = opts.signal?.aborted === true;
    const parts: ClaimedSegment[] = [];
    for (const s of all) {
      if (s.firstChunk !== (parts[parts.length - 1]?.endChunk ?? 0)) {
        if (cancelled) break;
        throw new Error(
          `importFile: chunks ${parts[parts.length - 1]?.endChunk ?? 0}..${s.firstChunk} of ${path} were not parsed`,
        );
      }
      parts.push(s);
    }
    if (!cancelled && (parts[parts.length - 1]?.endChunk ?? 0) !== plan.chunks)
      throw new Error(`importFile: the end of ${path} was not parsed`);
    const fin = finalizeOpts(path, opts, size);
    return finalizeImport(
      parts.map((s) => s.partial),
      cancelled ? { ...fin, error: "cancelled" } : fin,
    );
  } finally {
    opts.signal?.removeEventListener("abort", onAbort);
  }
}

/**
 * gzip: node:zlib inflates on the libuv pool (the other core) while this thread parses its
 * output as it arrives. (Inflating on a worker thread of its own instead, which keeps zlib from
 * waiting for this thread's callbacks, measured no faster: it needs ~30 ms to start, and
 * zlib then shares its core with V8's compiler threads anyway.)
 */
async function importGzipFile(
  path: string,
  size: number,
  opts: FileImportOptions,
): Promise<ImportResult> {
  // zlib hands out each output chunk once (a new buffer when its output buffer fills).
  // Progress counts compressed bytes (read below), not the inner importer's.
  const { onProgress: _decompressed, ...inner } = opts;
  const imp = createImporter({ ...inner, path, ownsChunks: true });
  let compressed = 0;
  const input = createReadStream(path, { highWaterMark: 1 << 20 });
  const gunzip = createGunzip({ chunkSize: GUNZIP_CHUNK_BYTES });
  input.on("data", (c: string | Buffer) => {
    compressed += c.length;
    opts.onProgress?.(compressed);
  });
  input.on("error", (e) => gunzip.destroy(e));
  input.pipe(gunzip);
  let gzipError: string | undefined;
  try {
    for await (const c of gunzip as AsyncIterable<Buffer>) {
      if (opts.signal?.aborted) break;
      imp.push(c);
    }
  } catch (e) {
    gzipError = e instanceof Error ? e.message : String(e);
  } finally {
    input.destroy();
    gunzip.destroy();
  }
  if (opts.signal?.aborted) imp.push(new Uint8Array(0)); // records "cancelled"
  const res = imp.finish();
  res.bytes = size;
  res.gzip = true;
  if (res.error === undefined && gzipError !== undefined) {
    res.error = `${path}: gzip data is truncated or corrupt (${gzipError}); kept the ${res.lines.total} lines decoded before that`;
  }
  return res;
}
