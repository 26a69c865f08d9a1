/**
 * Parallel parsing of one plain-text file by threads that share its chunks.
 *
 * The file (from `base`, after a skipped BOM) is cut into a grid of `chunks` chunks of
 * `chunkBytes`. A shared Int32Array holds who claimed each chunk (0: nobody). Every thread
 * runs the same loop: claim a chunk, parse it, claim the next one and keep going with the same
 * parser (one segment), until the next chunk belongs to someone else; then start a new segment
 * in the middle of the largest unclaimed run. The calling thread starts at chunk 0 and each
 * worker at an even split point, so with threads of equal speed every thread parses one
 * segment; a thread that starts late (worker start-up) or runs slower (a busy core) simply
 * ends up with less: the others take the middle of what it has not reached.
 *
 * A segment that starts at chunk k covers the lines that start in its chunks: it begins at the
 * first line start at or after k * chunkBytes and reads past its last chunk to the end of the
 * line that crosses it. Every thread applies the same rule, so the segments tile the file's
 * lines exactly and merge (segment-merge.ts) into the one-pass result.
 */
import { closeSync, openSync, readSync } from "node:fs";
import { LineFeeder } from "../import/line-feeder.js";
import {
  SegmentParser,
  type SegmentOptions,
  type SegmentPartial,
} from "../import/segment-parser.js";

/** What every thread needs to take part (plain data: posted to workers). */
export interface ClaimPlan {
  path: string;
  /** First byte parsed (a UTF-8 BOM is skipped). */
  base: number;
  /** File size (bytes). */
  size: number;
  chunkBytes: number;
  chunks: number;
  /**
   * Int32Array over it: [0, chunks) the claim of each chunk (0 = free, else the claimer's id);
   * at `chunks` the cancel flag; at `chunks + 1` the KiB parsed so far (progress).
   */
  shared: SharedArrayBuffer;
  options: SegmentOptions;
}

export interface ClaimedSegment {
  /** Chunk the segment starts at (segments sorted by it are in file order). */
  firstChunk: number;
  /** Chunk after its last one. */
  endChunk: number;
  partial: SegmentPartial;
}

/** Bytes read per readSync into the reused buffer (fits in L2 next to the parser's state). */
const READ_BYTES = 1024 * 1024;
/** Bytes read at a time while looking for the end of a line that crosses a boundary. */
const PROBE_BYTES = 64 * 1024;

export function newClaimPlan(
  path: string,
  base: number,
  size: number,
  chunkBytes: number,
  options: SegmentOptions,
): ClaimPlan {
  const chunks = Math.max(1, Math.ceil((size - base) / chunkBytes));
  return {
    path,
    base,
    size,
    chunkBytes,
    chunks,
    shared: new SharedArrayBuffer(4 * (chunks + 2)),
    options,
  };
}

/** Asks every thread to stop claiming (cancel). */
export function cancelClaims(plan: ClaimPlan): void {
  Atomics.store(new Int32Array(plan.shared), plan.chunks, 1);
}

/** Bytes parsed so far by all threads (KiB resolution). */
export function claimedProgress(plan: ClaimPlan): number {
  return Math.min(plan.size, Atomics.load(new Int32Array(plan.shared), plan.chunks + 1) * 1024);
}

/** Chunk to start a new segment at: the middle of the largest unclaimed run, or -1. */
function largestGap(claims: Int32Array, chunks: number): number {
  let best = -1;
  let bestLen = 0;
  let k = 0;
  while (k < chunks) {
    if (Atomics.load(claims, k) !== 0) {
      k++;
      continue;
    }
    const s = k;
    while (k < chunks && Atomics.load(claims, k) === 0) k++;
    if (k - s > bestLen) {
      bestLen = k - s;
      best = s + (bestLen >> 1);
    }
  }
  return best;
}

/**
 * Parses chunks as thread `me` (> 0) from chunk `first` on until none is left; returns the
 * segments parsed, in the order parsed. `onChunk` runs after each chunk (progress).
 */
export function parseClaimedChunks(
  plan: ClaimPlan,
  me: number,
  first: number,
  onChunk?: () => void,
): ClaimedSegment[] {
  const shared = new Int32Array(plan.shared);
  const out: ClaimedSegment[] = [];
  const fd = openSync(plan.path, "r");
  const bufs = [Buffer.allocUnsafeSlow(READ_BYTES), Buffer.allocUnsafeSlow(READ_BYTES)];
  try {
    let start = first;
    while (start >= 0 && Atomics.load(shared, plan.chunks) === 0) {
      if (Atomics.compareExchange(shared, start, 0, me) === 0)
        out.push(parseRun(plan, shared, me, start, fd, bufs, onChunk));
      start = largestGap(shared, plan.chunks);
    }
  } finally {
    closeSync(fd);
  }
  return out;
}

/** Offset of the chunk boundary before chunk k (k = chunks: the file end). */
function boundary(plan: ClaimPlan, k: number): number {
  return k >= plan.chunks ? plan.size : plan.base + k * plan.chunkBytes;
}

/** First line start at or after `off` (a line starts after "\n"); plan.size when none. */
function lineStartAtOrAfter(plan: ClaimPlan, fd: number, buf: Buffer, off: number): number {
  if (off <= plan.base) return plan.base;
  let pos = off - 1;
  while (pos < plan.size) {
    const n = readSync(fd, buf, 0, Math.min(PROBE_BYTES, plan.size - pos), pos);
    if (n === 0) break;
    const nl = buf.subarray(0, n).indexOf(10, 0);
    if (nl >= 0) return pos + nl + 1;
    pos += n;
  }
  return plan.size;
}

/** One segment: chunk `start` (claimed) and the ones after it that this thread can claim. */
function parseRun(
  plan: ClaimPlan,
  shared: Int32Array,
  me: number,
  start: number,
  fd: number,
  bufs: Buffer[],
  onChunk: (() => void) | undefined,
): ClaimedSegment {
  const parser = new SegmentParser(
    start === 0 ? { ...plan.options, startsInput: true } : plan.options,
  );
  const feeder = new LineFeeder(parser);
  // Two read buffers in turn; before one is read into again, the parser copies out the few
  // lines it still references there (a chunk old by then: almost none).
  let turn = 0;
  let buf = bufs[0] as Buffer;
  const next = (): Buffer => {
    buf = bufs[++turn & 1] as Buffer;
    parser.release(buf);
    return buf;
  };
  let pos = lineStartAtOrAfter(plan, fd, next(), boundary(plan, start));
  let k = start;
  let lastByte = 10;
  let done = 0;
  const push = (n: number): void => {
    feeder.push(buf.subarray(0, n));
    lastByte = buf[n - 1] as number;
    pos += n;
    done += n;
    if (done >= 1 << 20) {
      Atomics.add(shared, plan.chunks + 1, done >> 10);
      done &= 1023;
    }
  };
  for (;;) {
    const end = boundary(plan, k + 1);
    while (pos < end) {
      const n = readSync(fd, next(), 0, Math.min(READ_BYTES, end - pos), pos);
      if (n === 0) break;
      push(n);
    }
    onChunk?.();
    if (
      k + 1 < plan.chunks &&
      Atomics.load(shared, plan.chunks) === 0 &&
      Atomics.compareExchange(shared, k + 1, 0, me) === 0
    ) {
      k++;
      continue;
    }
    // Finish the line that crosses the segment's end (the next segment starts after it).
    if (pos === end && end < plan.size && lastByte !== 10) {
      for (;;) {
        const n = readSync(fd, next(), 0, Math.min(PROBE_BYTES, plan.size - pos), pos);
        if (n === 0) break;
        const nl = buf.subarray(0, n).indexOf(10, 0);
        push(nl >= 0 ? nl + 1 : n);
        if (nl >= 0) break;
      }
    }
    break;
  }
  feeder.finish();
  Atomics.add(shared, plan.chunks + 1, done >> 10);
  return {
    firstChunk: start,
    endChunk: k + 1,
    partial: parser.finish({ endsInput: k + 1 >= plan.chunks }),
  };
}
