import type { RectBatch } from "./rect-batch.ts";
import type { TimelineBuffers } from "./timeline-buffers.ts";

/**
 * Level-of-detail aggregation of one timeline row to pixel resolution.
 *
 * A bar at least MIN_BAR_PX wide is drawn as itself. Bars narrower than that are merged per
 * pixel column: every column that holds the start of one or more sub-pixel bars becomes a
 * single 1 px rect in the column's dominant style (most bars). Neighbouring rects of the same
 * style less than a pixel apart merge into one. When a column holds more than
 * SAMPLE_LIMIT bars, the dominant style is taken from SAMPLE_LIMIT bars spread evenly over
 * them and the rest are skipped by binary search, so a frame costs O(visible px x log n)
 * per row however many bars a row holds — 1M resources draw in a few thousand rects.
 */
export const MIN_BAR_PX = 1;
export const SAMPLE_LIMIT = 16;

export interface RowStats {
  /** Bars that were looked at (drawn, counted or sampled). */
  visited: number;
  /** Rects emitted. */
  rects: number;
}

/** First index in [lo, hi) whose value is >= x (hi if none). */
export function lowerBound(a: Float64Array, lo: number, hi: number, x: number): number {
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if ((a[mid] as number) < x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** Scratch for dominant-style counting, reused across calls. */
export class StyleCounter {
  private counts: Uint32Array;
  private touched: number[] = [];
  constructor(styleCount: number) {
    this.counts = new Uint32Array(styleCount);
  }
  add(style: number, n = 1): void {
    if (this.counts[style] === 0) this.touched.push(style);
    (this.counts[style] as number) += n;
  }
  /** The most frequent style (lowest index on ties, so frames are deterministic); resets. */
  takeDominant(): number {
    let best = -1;
    let bestCount = 0;
    for (const s of this.touched) {
      const c = this.counts[s] as number;
      if (c > bestCount || (c === bestCount && s < best)) {
        best = s;
        bestCount = c;
      }
      this.counts[s] = 0;
    }
    this.touched.length = 0;
    return best;
  }
}

interface Run {
  style: number;
  x0: number;
  x1: number;
}
const RUN: Run = { style: -1, x0: 0, x1: 0 };

/**
 * Extends the run with [x0, x1) of style `st` when it continues it (same style, gap below a
 * pixel: a gap that small cannot be drawn faithfully), else flushes it and starts a new one.
 * Returns the rects pushed (0 or 1).
 */
function emitRun(
  run: Run,
  batch: RectBatch,
  y: number,
  h: number,
  st: number,
  x0: number,
  x1: number,
): number {
  if (st === run.style && x0 - run.x1 < MIN_BAR_PX) {
    if (x1 > run.x1) run.x1 = x1;
    return 0;
  }
  let pushed = 0;
  if (run.style >= 0) {
    batch.push(run.style, run.x0, y, run.x1 - run.x0, h);
    pushed = 1;
  }
  run.style = st;
  run.x0 = x0;
  run.x1 = x1;
  return pushed;
}

/**
 * Aggregates global row `g` for the window starting at `t0Ns` with scale `pxPerNs` over a plot
 * `widthPx` wide, pushing rects at vertical position [y, y + h) px into `batch`.
 */
export function aggregateRow(
  b: TimelineBuffers,
  g: number,
  t0Ns: number,
  pxPerNs: number,
  widthPx: number,
  y: number,
  h: number,
  batch: RectBatch,
  counter: StyleCounter,
  stats?: RowStats,
): void {
  const rs = b.rowStart[g] as number;
  const re = b.rowStart[g + 1] as number;
  if (rs === re) return;
  const start = b.startNs;
  const end = b.endNs;
  const style = b.style;
  const nsPerPx = 1 / pxPerNs;
  // First bar that can reach the window: running max of ends is sorted.
  let i = lowerBound(b.rowMaxEnd, rs, re, t0Ns);
  let visited = 0;
  let rects = 0;
  // The pending run [x0, x1) px of one style (module scratch: no allocation per row).
  const run = RUN;
  run.style = -1;
  while (i < re) {
    const s = start[i] as number;
    const x0 = (s - t0Ns) * pxPerNs;
    // Compared in px, not against t0 + width / pxPerNs: the round trip through ns can land a
    // bar that starts exactly on the right edge on either side of it.
    if (x0 > widthPx) break;
    const e = end[i] as number;
    const x1 = (e - t0Ns) * pxPerNs;
    if (x1 < 0) {
      // Ends before the window (possible only in an overlapping overflow row).
      i++;
      visited++;
      continue;
    }
    if (x1 - x0 >= MIN_BAR_PX) {
      rects += emitRun(
        run,
        batch,
        y,
        h,
        style[i] as number,
        Math.max(x0, -1),
        Math.min(x1, widthPx + 1),
      );
      visited++;
      i++;
      continue;
    }
    // Sub-pixel: gather every bar starting in this pixel column.
    const col = Math.floor(Math.max(x0, 0));
    const colEndNs = t0Ns + (col + 1) * nsPerPx;
    let j = i + 1;
    while (j < re && j < i + SAMPLE_LIMIT && ((start[j] as number) - t0Ns) * pxPerNs < col + 1) j++;
    if (j === i + SAMPLE_LIMIT && j < re && (start[j] as number) < colEndNs)
      j = lowerBound(start, j, re, colEndNs);
    // A wide bar can only be the last one starting in this column (rows do not overlap
    // outside the overflow row); leave it to the next iteration so it draws at full width.
    let k = j;
    if (k - 1 > i && ((end[k - 1] as number) - (start[k - 1] as number)) * pxPerNs >= MIN_BAR_PX)
      k--;
    const n = k - i;
    if (n <= SAMPLE_LIMIT) {
      for (let q = i; q < k; q++) counter.add(style[q] as number);
      visited += n;
    } else {
      for (let q = 0; q < SAMPLE_LIMIT; q++)
        counter.add(style[i + Math.floor((q * n) / SAMPLE_LIMIT)] as number);
      visited += SAMPLE_LIMIT;
    }
    const x = Math.min(col, Math.max(0, widthPx - 1));
    rects += emitRun(run, batch, y, h, counter.takeDominant(), x, x + 1);
    i = k;
  }
  if (run.style >= 0) {
    batch.push(run.style, run.x0, y, run.x1 - run.x0, h);
    rects++;
  }
  if (stats) {
    stats.visited += visited;
    stats.rects += rects;
  }
}
