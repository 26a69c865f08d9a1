import type { LaneInfo } from "./timeline-buffers.ts";

/**
 * Vertical geometry of the timeline, in CSS px. Content y = 0 is the top of the first lane;
 * the ruler (time axis + markers) sits above the scrolled content, the label gutter on the left.
 */
export interface LaneMetrics {
  /**
   * Height of the ruler, px: tick labels on top, finding flags in the middle
   * (RULER_FINDINGS_Y), marker flags along the bottom.
   */
  rulerPx: number;
  /** Width of the device label gutter, px. */
  gutterPx: number;
  /** Bar height, px. */
  rowPx: number;
  /** Gap between rows, px. */
  rowGapPx: number;
  /** Padding above the first and below the last row of a lane, px. */
  lanePadPx: number;
  /** A lane is never shorter than this (its label must fit), px. */
  laneMinPx: number;
}

/** Vertical band of the ruler holding finding flags, px from its top. */
export const RULER_FINDINGS_Y: readonly [number, number] = [15, 26];

export const DEFAULT_METRICS: LaneMetrics = {
  rulerPx: 40,
  gutterPx: 190,
  rowPx: 6,
  rowGapPx: 1,
  lanePadPx: 4,
  laneMinPx: 34,
};

export interface LaneLayout {
  metrics: LaneMetrics;
  /** Top of each lane in content coordinates, px. */
  top: Float64Array;
  /** Height of each lane, px. */
  height: Float64Array;
  /** Total content height, px. */
  totalPx: number;
}

export function layoutLanes(
  lanes: readonly LaneInfo[],
  metrics: LaneMetrics = DEFAULT_METRICS,
): LaneLayout {
  const top = new Float64Array(lanes.length);
  const height = new Float64Array(lanes.length);
  let y = 0;
  const pitch = metrics.rowPx + metrics.rowGapPx;
  for (let l = 0; l < lanes.length; l++) {
    const h = Math.max(
      metrics.laneMinPx,
      2 * metrics.lanePadPx + (lanes[l] as LaneInfo).rowCount * pitch - metrics.rowGapPx,
    );
    top[l] = y;
    height[l] = h;
    y += h;
  }
  return { metrics, top, height, totalPx: y };
}

/** Content y of the top of a row, px. */
export function rowTopPx(layout: LaneLayout, lane: number, row: number): number {
  const m = layout.metrics;
  return (layout.top[lane] as number) + m.lanePadPx + row * (m.rowPx + m.rowGapPx);
}

/** Lane containing content y, or -1. */
export function laneAtY(layout: LaneLayout, y: number): number {
  const top = layout.top;
  if (top.length === 0 || y < 0 || y >= layout.totalPx) return -1;
  let lo = 0;
  let hi = top.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if ((top[mid] as number) <= y) lo = mid;
    else hi = mid - 1;
  }
  return lo;
}

/** Row of `lane` at content y (clamped into the lane's rows), or -1 in the padding. */
export function rowAtY(
  layout: LaneLayout,
  lanes: readonly LaneInfo[],
  lane: number,
  y: number,
): number {
  const m = layout.metrics;
  const rel = y - (layout.top[lane] as number) - m.lanePadPx;
  if (rel < -m.rowGapPx) return -1;
  const r = Math.floor(rel / (m.rowPx + m.rowGapPx));
  const count = (lanes[lane] as LaneInfo).rowCount;
  if (r >= count) return -1;
  return Math.max(0, r);
}

/** Lanes intersecting the content range [y0, y1), as [first, last] (last < first if none). */
export function visibleLanes(layout: LaneLayout, y0: number, y1: number): [number, number] {
  const n = layout.top.length;
  if (n === 0) return [0, -1];
  const first = Math.max(0, laneAtY(layout, Math.max(0, y0)));
  let last = laneAtY(layout, Math.min(layout.totalPx, y1) - 0.001);
  if (last < 0) last = n - 1;
  return [first, last];
}

/** Largest useful vertical scroll offset, px. */
export function maxScrollPx(layout: LaneLayout, viewportPx: number): number {
  return Math.max(0, layout.totalPx - viewportPx);
}
