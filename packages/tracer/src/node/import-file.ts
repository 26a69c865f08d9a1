/**
 * importFile: the Node entry for files of any size.
 *
 * - Plain text over PARALLEL_MIN_BYTES: split into segments at line boundaries, each parsed by
 *   a worker thread that reads its own byte range, then merged in order (segment-merge.ts:
 *   line renumbering, kmalloc/kfree links across boundaries, trace-cmd op recovery).
 * - gzip (recognised by its magic bytes): decompressed by node:zlib while workers parse the
 *   decompressed segments as they fill up; truncated data ends with an error and keeps what
 *   was decoded.
 * - Smaller files: one streaming pass in this thread.
 * Every path gives the same ImportResult as the sequential importer (tested deep-equal).
 */
import { closeSync, createReadStream, fstatSync, openSync, readSync } from "node:fs";
import { createGunzip } from "node:zlib";
import { detectFromHead } from "../import/detect-format.js";
import { createImporter } from "../import/importer.js";
import { checkInput, TEXT_CHECK_BYTES } from "../import/input-check.js";
import { finalizeImport, type FinalizeOptions } from "../import/segment-merge.js";
import type { SegmentOptions, SegmentPartial } from "../import/segment-parser.js";
import type { ImportOptions, ImportResult, TraceFormat } from "../import/types.js";
import { defaultThreads, SegmentScheduler } from "./worker-pool.js";

export interface FileImportOptions extends ImportOptions {
  /**
   * Threads that parse, this one included (default: defaultThreads(), the idle cores, at most
   * 8); 1 parses in this thread only.
   */
  workers?: number;
  /**
   * Segment size in bytes (default: plain files over PARALLEL_MIN_BYTES are cut into about 4
   * segments per worker; gzip output into GZIP_SEGMENT_BYTES pieces). Smaller values force
   * parallel parsing of small files (tests).
   */
  segmentBytes?: number;
}

/** Below this a single in-thread pass is faster than starting workers (bytes). */
export const PARALLEL_MIN_BYTES = 16 * 1024 * 1024;
/** Head read for the binary check and format detection (bytes). */
const HEAD_BYTES = 256 * 1024;
/** Read size of the in-thread path (bytes). */
const READ_BYTES = 4 * 1024 * 1024;
/** Decompressed bytes per gzip segment. */
const GZIP_SEGMENT_BYTES = 16 * 1024 * 1024;
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

export async function importFile(path: string, opts: FileImportOptions = {}): Promise<ImportResult> {
  const fd = openSync(path, "r");
  let size: number;
  let head: Buffer;
  try {
    size = fstatSync(fd).size;
    head = readHead(fd, size);
  } finally {
    closeSync(fd);
  }
  const workers = opts.workers ?? defaultThreads();
  // gunzip itself keeps a libuv thread busy: one parse thread fewer by default.
  if (head[0] === 0x1f && head[1] === 0x8b) return importGzipFile(path, size, opts, opts.workers ?? Math.max(1, workers - 1));
  const kind = checkInput(head.subarray(0, TEXT_CHECK_BYTES), path);
  if (kind.kind === "refused" || kind.kind === "gzip") {
    return finalizeImport([], { ...finalizeOpts(path, opts, size), error: kind.kind === "refused" ? kind.reason : `${path}: gzip` });
  }
  const format = opts.format ?? detectFromHead(head.subarray(kind.skip), head.length === size);
  const minParallel = opts.segmentBytes ?? PARALLEL_MIN_BYTES;
  if (workers <= 1 || size < minParallel || format === undefined) return importInThread(path, size, opts);
  return importParallel(path, size, kind.skip, format, opts, workers);
}

/** One streaming pass in this thread, fresh buffers per read (handed over to the importer). */
async function importInThread(path: string, size: number, opts: FileImportOptions): Promise<ImportResult> {
  const imp = createImporter({ ...opts, path, ownsChunks: true }); // reports progress itself
  const fd = openSync(path, "r");
  try {
    let pos = 0;
    for (;;) {
      if (opts.signal?.aborted) {
        imp.push(new Uint8Array(0));
        break;
      }
      const buf = Buffer.allocUnsafeSlow(Math.min(READ_BYTES, Math.max(1, size - pos)));
      const n = readSync(fd, buf, 0, buf.length, pos);
      if (n === 0) break;
      imp.push(buf.subarray(0, n));
      pos += n;
      // Let a cancel request (AbortController in the caller) be delivered.
      if (opts.signal) await new Promise<void>((r) => setImmediate(r));
    }
  } finally {
    closeSync(fd);
  }
  return imp.finish();
}

/** Byte offsets where segments start: after a "\n" near each even split point. */
function planSegments(path: string, start: number, size: number, count: number): number[] {
  const starts = [start];
  const fd = openSync(path, "r");
  try {
    const probe = Buffer.allocUnsafe(64 * 1024);
    for (let k = 1; k < count; k++) {
      let off = start + Math.floor(((size - start) * k) / count);
      const prev = starts[starts.length - 1] as number;
      if (off <= prev) continue;
      let found = -1;
      while (off < size) {
        const n = readSync(fd, probe, 0, probe.length, off);
        if (n === 0) break;
        const nl = probe.subarray(0, n).indexOf(10);
        if (nl >= 0) {
          found = off + nl + 1;
          break;
        }
        off += n;
      }
      if (found < 0 || found >= size) break;
      if (found > prev) starts.push(found);
    }
  } finally {
    closeSync(fd);
  }
  return starts;
}

async function importParallel(path: string, size: number, skip: number, format: TraceFormat, opts: FileImportOptions, threads: number): Promise<ImportResult> {
  const segCount = opts.segmentBytes !== undefined ? Math.max(1, Math.ceil(size / opts.segmentBytes)) : Math.max(threads, Math.min(threads * 4, Math.ceil(size / PARALLEL_MIN_BYTES)));
  const starts = planSegments(path, skip, size, segCount);
  const scheduler = new SegmentScheduler(Math.min(threads, starts.length));
  const options = segmentOptions(opts, format);
  let done = 0;
  scheduler.onDone = (id) => {
    done += (starts[id + 1] ?? size) - (starts[id] as number);
    opts.onProgress?.(done);
  };
  const onAbort = (): void => scheduler.cancel();
  opts.signal?.addEventListener("abort", onAbort, { once: true });
  try {
    starts.forEach((s, i) => scheduler.add({ id: i, options, file: { path, start: s, end: starts[i + 1] ?? size } }));
    await scheduler.drain();
  } finally {
    opts.signal?.removeEventListener("abort", onAbort);
    await scheduler.close();
  }
  return finishSegments(scheduler.results, starts.length, finalizeOpts(path, opts, size), opts.signal?.aborted === true);
}

/** Merges the parsed segments; after a cancel, the contiguous prefix that was parsed. */
function finishSegments(results: readonly (SegmentPartial | undefined)[], count: number, fin: FinalizeOptions, cancelled: boolean): ImportResult {
  const prefix: SegmentPartial[] = [];
  for (let i = 0; i < count; i++) {
    const p = results[i];
    if (!p) break;
    prefix.push(p);
  }
  if (cancelled) return finalizeImport(prefix, { ...fin, error: "cancelled" });
  if (prefix.length !== count) throw new Error(`importFile: segment ${prefix.length} of ${count} was not parsed`);
  return finalizeImport(prefix, fin);
}

/** `buf` itself when it spans its whole ArrayBuffer (transferable), else a copy that does. */
function owned(buf: Buffer): Buffer {
  return buf.byteOffset === 0 && buf.length === buf.buffer.byteLength ? buf : joinOwned([buf], buf.length);
}

/** Concatenates buffers into one fresh, transferable buffer. */
function joinOwned(parts: readonly Buffer[], len: number): Buffer {
  const out = Buffer.allocUnsafeSlow(len);
  let o = 0;
  for (const p of parts) {
    p.copy(out, o);
    o += p.length;
  }
  return out;
}

/** gzip in one parse thread: decompressed chunks go straight into the streaming importer. */
async function importGzipInThread(path: string, size: number, opts: FileImportOptions): Promise<ImportResult> {
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

async function importGzipFile(path: string, size: number, opts: FileImportOptions, threads: number): Promise<ImportResult> {
  if (threads <= 1) return importGzipInThread(path, size, opts);
  const scheduler = new SegmentScheduler(threads);
  let segments = 0;
  let pending: Buffer[] = [];
  let pendingLen = 0;
  let format: TraceFormat | undefined = opts.format;
  let headChecked = false;
  let refused: string | undefined;
  let compressed = 0;
  const segmentBytes = opts.segmentBytes ?? GZIP_SEGMENT_BYTES;

  const dispatch = (seg: Buffer): void => {
    const task = { id: segments++, options: segmentOptions(opts, format ?? "dmesg"), bytes: seg };
    scheduler.add(task, scheduler.workers > 0 ? [seg.buffer as ArrayBuffer] : []);
  };

  /** Cuts complete lines off the pending bytes into a segment; `final`: also the rest. */
  const flush = (final: boolean): void => {
    if (pendingLen === 0) return;
    let buf = joinOwned(pending, pendingLen);
    pending = [];
    pendingLen = 0;
    if (!headChecked) {
      headChecked = true;
      const kind = checkInput(buf.subarray(0, TEXT_CHECK_BYTES), path);
      if (kind.kind === "refused") refused = kind.reason;
      else if (kind.kind === "gzip") refused = `${path}: gzip data inside gzip data; decompress the outer layer first`;
      if (refused !== undefined || kind.kind !== "text") return;
      if (kind.skip > 0) buf = buf.subarray(kind.skip);
      format ??= detectFromHead(buf.subarray(0, HEAD_BYTES), final) ?? detectFromHead(buf, true);
    }
    if (final) {
      if (buf.length > 0) dispatch(owned(buf));
      return;
    }
    const cut = buf.lastIndexOf(10) + 1;
    if (cut === 0) {
      pending = [buf];
      pendingLen = buf.length;
      return;
    }
    if (cut < buf.length) {
      const rest = joinOwned([buf.subarray(cut)], buf.length - cut);
      pending = [rest];
      pendingLen = rest.length;
    }
    dispatch(owned(buf.subarray(0, cut)));
  };

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
      if (opts.signal?.aborted || refused !== undefined) break;
      pending.push(c);
      pendingLen += c.length;
      if (pendingLen >= (headChecked ? segmentBytes : Math.max(HEAD_BYTES, TEXT_CHECK_BYTES))) flush(false);
      // Backpressure: when segments pile up, this thread parses one (the stream waits meanwhile).
      while (scheduler.queued > Math.max(1, scheduler.workers)) await scheduler.step();
    }
  } catch (e) {
    gzipError = e instanceof Error ? e.message : String(e);
  } finally {
    input.destroy();
    gunzip.destroy();
  }

  const fin = finalizeOpts(path, opts, size);
  fin.gzip = true;
  const cancelled = opts.signal?.aborted === true;
  if (!cancelled && refused === undefined) flush(true);
  if (refused !== undefined) {
    await scheduler.close();
    return finalizeImport([], { ...fin, error: refused });
  }
  const onAbort = (): void => scheduler.cancel();
  opts.signal?.addEventListener("abort", onAbort, { once: true });
  try {
    await scheduler.drain();
  } finally {
    opts.signal?.removeEventListener("abort", onAbort);
    await scheduler.close();
  }
  const res = finishSegments(scheduler.results, segments, fin, cancelled || opts.signal?.aborted === true);
  if (!cancelled && gzipError !== undefined) {
    res.error = `${path}: gzip data is truncated or corrupt (${gzipError}); kept the ${res.lines.total} lines decoded before that`;
  }
  return res;
}
