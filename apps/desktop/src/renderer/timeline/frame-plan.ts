import { decimalsForStep, formatTimestamp, niceStepNs } from "../model/format.ts";
import { type LaneLayout, rowTopPx, visibleLanes } from "./lane-layout.ts";
import { aggregateRow, lowerBound, type RowStats, StyleCounter } from "./lod.ts";
import { RectBatch } from "./rect-batch.ts";
import { STYLE_COUNT } from "./resource-style.ts";
import { type TimelineBuffers } from "./timeline-buffers.ts";
import { pxPerNs, type TimeWindow } from "./viewport.ts";
import { must } from "../../shared/must.ts";

/**
 * Everything one timeline frame draws, computed without touching a canvas (pure, so it is
 * unit-tested in happy-dom and reused by hit testing). All coordinates are CSS px of the
 * canvas: the plot spans x in [gutterPx, widthPx), lanes y in [rulerPx, heightPx).
 */
export interface FrameInput {
  buffers: TimelineBuffers;
  layout: LaneLayout;
  window: TimeWindow;
  /** Vertical scroll of the lane content, px. */
  scrollPx: number;
  widthPx: number;
  heightPx: number;
  /** Items to outline as selected. */
  selectedItems: readonly number[];
  /** Item under the pointer, or -1. */
  hoverItem: number;
  /** The selected device (its lanes' gutter cells are highlighted), or null. */
  selectedDevice: string | null;
}

export interface LaneBand {
  lane: number;
  y: number;
  h: number;
}

export interface EpochBand {
  x: number;
  w: number;
  y: number;
  h: number;
  /** EpochEndCode. */
  end: number;
  /** Epoch index within its device (alternating shade). */
  index: number;
  /** Several epochs too narrow to tell apart, drawn as one band. */
  merged: boolean;
  /** Lane index (its parity picks the band colour underneath). */
  lane: number;
}

/** Epochs narrower than this merge with neighbours that end the same way, px. */
export const EPOCH_MERGE_PX = 3;

export interface Bracket {
  x0: number;
  x1: number;
  y0: number;
  y1: number;
}

export interface MarkerTick {
  x: number;
  /** Markers merged into this pixel column. */
  count: number;
  /** Index into buffers.markerText of the first marker of the column. */
  first: number;
  /** Whether there is room for its label. */
  label: boolean;
}

/** Findings merged per pixel column of the ruler; the worst severity colours the flag. */
export interface FindingFlag {
  x: number;
  count: number;
  /** Index (in the buffers' time order) of the column's first finding. */
  first: number;
  /** Worst SeverityCode in the column. */
  severity: number;
}

export interface TimeTick {
  x: number;
  label: string;
}

export interface OutlineRect {
  x: number;
  y: number;
  w: number;
  h: number;
}

export interface FramePlan {
  selectedDevice: string | null;
  plotX: number;
  plotW: number;
  lanesY: number;
  lanesH: number;
  lanes: LaneBand[];
  epochs: EpochBand[];
  bars: RectBatch;
  brackets: Bracket[];
  findingTicks: OutlineRect[];
  selected: OutlineRect[];
  hover: OutlineRect | null;
  markers: MarkerTick[];
  findingFlags: FindingFlag[];
  ticks: TimeTick[];
  stats: RowStats;
}

/** Reusable per-canvas scratch so frames do not allocate the big batch each time. */
export class FramePlanner {
  private batch = new RectBatch(STYLE_COUNT);
  private counter = new StyleCounter(STYLE_COUNT);

  plan(input: FrameInput): FramePlan {
    const { buffers: b, layout, window: w, scrollPx, widthPx, heightPx } = input;
    const m = layout.metrics;
    const plotX = m.gutterPx;
    const plotW = Math.max(1, widthPx - m.gutterPx);
    const lanesY = m.rulerPx;
    const lanesH = Math.max(0, heightPx - m.rulerPx);
    const scale = pxPerNs(w, plotW);
    const t0 = w.startNs;
    const xOf = (ns: number): number => plotX + (ns - t0) * scale;
    const yOf = (contentY: number): number => lanesY + contentY - scrollPx;

    this.batch.clear();
    const stats: RowStats = { visited: 0, rects: 0 };
    const lanes: LaneBand[] = [];
    const epochs: EpochBand[] = [];
    const brackets: Bracket[] = [];
    const findingTicks: OutlineRect[] = [];
    const [first, last] = visibleLanes(layout, scrollPx, scrollPx + lanesH);
    const rowPx = m.rowPx;
    const pitch = m.rowPx + m.rowGapPx;

    for (let l = first; l <= last; l++) {
      const lane = must(b.lanes[l]);
      const ly = yOf(layout.top[l] as number);
      const lh = layout.height[l] as number;
      lanes.push({ lane: l, y: ly, h: lh });

      // Epoch bands of the lane's device. Epochs of a device do not overlap, so the first one
      // that can be visible is found by binary search on their ends; epochs narrower than
      // EPOCH_MERGE_PX that end the same way merge into one band (no per-epoch edges then).
      const d = lane.deviceIndex;
      if (d >= 0 && d + 1 < b.deviceEpochStart.length) {
        const eHi = b.deviceEpochStart[d + 1] as number;
        let band: EpochBand | null = null;
        for (
          let k = lowerBound(b.epochEndNs, b.deviceEpochStart[d] as number, eHi, t0);
          k < eHi;
          k++
        ) {
          const sNs = b.epochStartNs[k] as number;
          if (sNs > w.endNs) break;
          const x0 = Math.max(xOf(sNs), plotX);
          const x1 = Math.min(xOf(b.epochEndNs[k] as number), plotX + plotW);
          if (x1 < plotX) continue;
          const end = b.epochEnd[k] as number;
          const index = k - (b.deviceEpochStart[d] as number);
          if (
            band &&
            band.end === end &&
            (x1 - x0 < EPOCH_MERGE_PX || band.merged) &&
            x0 - (band.x + band.w) < EPOCH_MERGE_PX
          ) {
            band.w = Math.max(band.w, x1 - band.x);
            band.merged = true;
            continue;
          }
          band = {
            x: x0,
            w: Math.max(1, x1 - x0),
            y: ly,
            h: lh,
            end,
            index,
            merged: false,
            lane: l,
          };
          epochs.push(band);
        }
      }

      // Bars, row by row, only rows on screen.
      const rowY0 = rowTopPx(layout, l, 0);
      const rFirst = Math.max(0, Math.floor((scrollPx - rowY0) / pitch));
      const rLast = Math.min(lane.rowCount - 1, Math.floor((scrollPx + lanesH - rowY0) / pitch));
      for (let r = rFirst; r <= rLast; r++) {
        const y = yOf(rowY0 + r * pitch);
        aggregateRow(
          b,
          lane.firstRow + r,
          t0,
          scale,
          plotW,
          y,
          rowPx,
          this.batch,
          this.counter,
          stats,
        );
      }
    }
    // Bars are in plot coordinates; shift to canvas x once.
    shiftBatchX(this.batch, plotX);

    // Group brackets: the group's lifetime across the rows its members occupy (groups of the
    // visible lanes only, found by binary search on the item order).
    if (last >= first) {
      const itemLo = b.rowStart[must(b.lanes[first]).firstRow] as number;
      const lastLane = must(b.lanes[last]);
      const itemHi = b.rowStart[lastLane.firstRow + lastLane.rowCount] as number;
      for (let k = lowerBoundU32(b.groupItem, itemLo); k < b.groupItem.length; k++) {
        const it = b.groupItem[k] as number;
        if (it >= itemHi) break;
        const l = b.lane[it] as number;
        const x0 = xOf(b.startNs[it] as number);
        const x1 = xOf(b.endNs[it] as number);
        if (x1 < plotX || x0 > plotX + plotW || x1 - x0 < 3) continue;
        brackets.push({
          x0: Math.max(x0, plotX - 1),
          x1: Math.min(x1, plotX + plotW + 1),
          y0: yOf(rowTopPx(layout, l, b.groupRowMin[k] as number)) - 1,
          y1: yOf(rowTopPx(layout, l, b.groupRowMax[k] as number)) + rowPx + 1,
        });
      }
    }

    // Finding ticks: a short red mark on every bar a finding names (few; listed at build).
    if (last >= first) {
      const itemLo = b.rowStart[must(b.lanes[first]).firstRow] as number;
      const lastLane = must(b.lanes[last]);
      const itemHi = b.rowStart[lastLane.firstRow + lastLane.rowCount] as number;
      let lastX = -Infinity;
      let lastY = -Infinity;
      for (let k = lowerBoundU32(b.findingItems, itemLo); k < b.findingItems.length; k++) {
        const i = b.findingItems[k] as number;
        if (i >= itemHi) break;
        if ((b.endNs[i] as number) < t0 || (b.startNs[i] as number) > w.endNs) continue;
        const y = yOf(rowTopPx(layout, b.lane[i] as number, b.row[i] as number));
        if (y + rowPx < lanesY || y > lanesY + lanesH) continue;
        const x = Math.max(xOf(b.startNs[i] as number), plotX);
        if (y === lastY && x - lastX < 4) continue;
        lastX = x;
        lastY = y;
        findingTicks.push({
          x,
          y,
          w: Math.max(2, Math.min(xOf(b.endNs[i] as number), plotX + plotW) - x),
          h: rowPx,
        });
      }
    }

    const outline = (it: number): OutlineRect | null => {
      if (it < 0 || it >= b.count) return null;
      const l = b.lane[it] as number;
      const x0 = Math.max(xOf(b.startNs[it] as number), plotX - 2);
      const x1 = Math.min(xOf(b.endNs[it] as number), plotX + plotW + 2);
      const y = yOf(rowTopPx(layout, l, b.row[it] as number));
      if (x1 < plotX - 2 || x0 > plotX + plotW + 2) return null;
      const wpx = Math.max(3, x1 - x0);
      return { x: x1 - x0 < 3 ? x0 - (3 - (x1 - x0)) / 2 : x0, y, w: wpx, h: rowPx };
    };
    const selected: OutlineRect[] = [];
    for (const it of input.selectedItems) {
      const o = outline(it);
      if (o) selected.push(o);
    }

    return {
      selectedDevice: input.selectedDevice,
      plotX,
      plotW,
      lanesY,
      lanesH,
      lanes,
      epochs,
      bars: this.batch,
      brackets,
      findingTicks,
      selected,
      hover: outline(input.hoverItem),
      markers: planMarkers(b, t0, scale, plotX, plotW),
      findingFlags: planFindingFlags(b, t0, scale, plotX, plotW),
      ticks: planTicks(w, plotX, plotW),
      stats,
    };
  }
}

function lowerBoundU32(a: Uint32Array, x: number): number {
  let lo = 0;
  let hi = a.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if ((a[mid] as number) < x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

function shiftBatchX(batch: RectBatch, dx: number): void {
  for (let s = 0; s < batch.styleCount; s++) {
    const n = batch.count(s);
    const d = batch.rects(s);
    for (let k = 0; k < n; k++) (d[k * 4] as number) += dx;
  }
}

/** Marker flags merged per pixel column; a label only where the next flag is far enough. */
export function planMarkers(
  b: TimelineBuffers,
  t0: number,
  scale: number,
  plotX: number,
  plotW: number,
): MarkerTick[] {
  const out: MarkerTick[] = [];
  const ns = b.markerNs;
  if (ns.length === 0) return out;
  let i = lowerBound(ns, 0, ns.length, t0);
  const tEnd = t0 + plotW / scale;
  while (i < ns.length && (ns[i] as number) <= tEnd) {
    const x = Math.floor(((ns[i] as number) - t0) * scale);
    const colEnd = t0 + (x + 1) / scale;
    const j = lowerBound(ns, i + 1, ns.length, colEnd);
    out.push({ x: plotX + x + 0.5, count: j - i, first: i, label: false });
    i = j;
  }
  const LABEL_GAP_PX = 90;
  for (let k = 0; k < out.length; k++) {
    const next = out[k + 1];
    (out[k] as MarkerTick).label = !next || next.x - (out[k] as MarkerTick).x >= LABEL_GAP_PX;
  }
  return out;
}

/** Finding flags merged per pixel column (worst severity shown). */
export function planFindingFlags(
  b: TimelineBuffers,
  t0: number,
  scale: number,
  plotX: number,
  plotW: number,
): FindingFlag[] {
  const out: FindingFlag[] = [];
  const ns = b.findingNs;
  let i = lowerBound(ns, 0, ns.length, t0);
  const tEnd = t0 + plotW / scale;
  while (i < ns.length && (ns[i] as number) <= tEnd) {
    const x = Math.floor(((ns[i] as number) - t0) * scale);
    const j = lowerBound(ns, i + 1, ns.length, t0 + (x + 1) / scale);
    let sev = 2;
    for (let k = i; k < j; k++) sev = Math.min(sev, b.findingSeverity[k] as number);
    out.push({ x: plotX + x + 0.5, count: j - i, first: i, severity: sev });
    i = j;
  }
  return out;
}

/** Time-axis ticks about every 110 px at a nice 1/2/5 step, labelled in seconds. */
export function planTicks(w: TimeWindow, plotX: number, plotW: number): TimeTick[] {
  const span = w.endNs - w.startNs;
  if (!(span > 0) || plotW <= 0) return [];
  const step = niceStepNs((span * 110) / plotW);
  const decimals = decimalsForStep(step);
  const out: TimeTick[] = [];
  const firstTick = Math.ceil(w.startNs / step) * step;
  for (let t = firstTick; t <= w.endNs && out.length < 200; t += step) {
    out.push({
      x: plotX + ((t - w.startNs) / span) * plotW,
      label: `${formatTimestamp(t, decimals)} s`,
    });
  }
  return out;
}
