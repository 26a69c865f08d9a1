import { type LaneLayout, laneAtY, RULER_FINDINGS_Y, rowAtY } from "./lane-layout.ts";
import { lowerBound } from "./lod.ts";
import type { TimelineBuffers } from "./timeline-buffers.ts";
import { pxPerNs, type TimeWindow } from "./viewport.ts";
import { must } from "../../shared/must.ts";

export type HitRegion = "ruler" | "gutter" | "plot" | "none";

export interface Hit {
  region: HitRegion;
  /** Lane under the pointer, or -1. */
  lane: number;
  /** Bar under the pointer (within HIT_SLOP_PX), or -1. */
  item: number;
  /** Time under the pointer, ns (plot and ruler only). */
  timeNs: number;
  /** Marker under the pointer on the ruler (index into markerNs), or -1. */
  marker: number;
  /** Finding flag under the pointer on the ruler (index into analysis.findings), or -1. */
  finding: number;
}

/** How far from a thin bar the pointer may be and still hit it, px. */
export const HIT_SLOP_PX = 3;

/**
 * What is under canvas point (x, y) (CSS px). Bars narrower than a pixel are hit within
 * HIT_SLOP_PX; when several qualify the one whose span is nearest the pointer wins.
 */
export function hitTest(
  b: TimelineBuffers,
  layout: LaneLayout,
  w: TimeWindow,
  scrollPx: number,
  widthPx: number,
  x: number,
  y: number,
): Hit {
  const m = layout.metrics;
  const plotW = Math.max(1, widthPx - m.gutterPx);
  const scale = pxPerNs(w, plotW);
  const timeNs = w.startNs + (x - m.gutterPx) / scale;
  if (y < m.rulerPx) {
    const inFindings = y >= RULER_FINDINGS_Y[0] && y < RULER_FINDINGS_Y[1];
    return {
      region: x >= m.gutterPx ? "ruler" : "none",
      lane: -1,
      item: -1,
      timeNs,
      marker: inFindings ? -1 : markerAt(b, timeNs, scale),
      finding: inFindings ? findingAt(b, timeNs, scale) : -1,
    };
  }
  const cy = y - m.rulerPx + scrollPx;
  const lane = laneAtY(layout, cy);
  if (x < m.gutterPx) return { region: "gutter", lane, item: -1, timeNs, marker: -1, finding: -1 };
  if (lane < 0) return { region: "plot", lane: -1, item: -1, timeNs, marker: -1, finding: -1 };
  const row = rowAtY(layout, b.lanes, lane, cy);
  if (row < 0) return { region: "plot", lane, item: -1, timeNs, marker: -1, finding: -1 };
  return {
    region: "plot",
    lane,
    item: itemAt(b, must(b.lanes[lane]).firstRow + row, timeNs, HIT_SLOP_PX / scale),
    timeNs,
    marker: -1,
    finding: -1,
  };
}

/** The bar of global row g nearest time t within `slopNs`, or -1. */
export function itemAt(b: TimelineBuffers, g: number, t: number, slopNs: number): number {
  const rs = b.rowStart[g] as number;
  const re = b.rowStart[g + 1] as number;
  let best = -1;
  let bestDist = Infinity;
  // Candidates start at or before t + slop and end at or after t - slop.
  let i = lowerBound(b.rowMaxEnd, rs, re, t - slopNs);
  for (
    let steps = 0;
    i < re && (b.startNs[i] as number) <= t + slopNs && steps < 4096;
    i++, steps++
  ) {
    const s = b.startNs[i] as number;
    const e = b.endNs[i] as number;
    if (e < t - slopNs) continue;
    const dist = t < s ? s - t : t > e ? t - e : 0;
    // Inside several overlapping bars (overflow row): prefer the shortest, the most specific.
    const tie =
      dist === 0 &&
      bestDist === 0 &&
      best >= 0 &&
      e - s < (b.endNs[best] as number) - (b.startNs[best] as number);
    if (dist < bestDist || tie) {
      best = i;
      bestDist = dist;
    }
  }
  return best;
}

/** The worst finding flagged within 5 px of time t (index into analysis.findings), or -1. */
export function findingAt(b: TimelineBuffers, t: number, scale: number): number {
  const ns = b.findingNs;
  const slop = 5 / scale;
  let best = -1;
  let bestSev = 99;
  for (
    let i = lowerBound(ns, 0, ns.length, t - slop);
    i < ns.length && (ns[i] as number) <= t + slop;
    i++
  ) {
    const sev = b.findingSeverity[i] as number;
    if (sev < bestSev) {
      bestSev = sev;
      best = b.findingIndex[i] as number;
    }
  }
  return best;
}

/** Marker within 4 px of time t, or -1. */
export function markerAt(b: TimelineBuffers, t: number, scale: number): number {
  const ns = b.markerNs;
  if (ns.length === 0) return -1;
  const slop = 4 / scale;
  const i = lowerBound(ns, 0, ns.length, t - slop);
  if (i < ns.length && (ns[i] as number) <= t + slop) return i;
  return -1;
}
