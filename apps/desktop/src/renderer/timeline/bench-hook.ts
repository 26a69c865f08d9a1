import { useApp } from "../state/app-store.ts";
import { must } from "../../shared/must.ts";
import { rowTopPx } from "./lane-layout.ts";
import type { TimelineController } from "./timeline-controller.ts";
import { LIGHT_TIMELINE as theme } from "./timeline-theme.ts";
import { panWindow, zoomWindow } from "./viewport.ts";

export interface FrameStats {
  frames: number;
  /** Per-frame time (plan + draw + raster flush), ms. */
  medianMs: number;
  p95Ms: number;
  maxMs: number;
  meanMs: number;
  /** Mean time planning (aggregation) and drawing (canvas calls), ms; the rest is raster. */
  planMs: number;
  drawMs: number;
  /** Bars in the loaded trace and rects drawn in the last frame. */
  resources: number;
  rects: number;
}

export interface BenchHook {
  /** Runs `frames` pan or zoom steps, each drawn synchronously and rastered, and times them. */
  frames(kind: "pan" | "zoom", frames: number): FrameStats;
  /**
   * Baseline for the same run: one frame drawn naively — one fillRect per bar of the visible
   * lanes, no pixel aggregation — and rastered; ms.
   */
  naiveFrame(): number;
  /** The loaded trace: resources, lines and where the import time went (ms). */
  traceInfo(): {
    resources: number;
    lines: number;
    parseMs: number;
    analyzeMs: number;
    buildMs: number;
  } | null;
}

declare global {
  interface Window {
    __devscopeBench?: BenchHook;
  }
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((sorted.length - 1) * p))] ?? 0;
}

/**
 * Exposes frame-time measurement to the Chromium benchmark (apps/desktop/bench): each frame
 * moves the window like a user would (pan 2% / zoom in then out), plans and draws it, and
 * reads one pixel back so the canvas is really rastered before the clock stops.
 */
export function installBenchHook(ctrl: TimelineController): () => void {
  const hook: BenchHook = {
    frames(kind, frames) {
      const s = useApp.getState();
      const t = s.trace;
      if (!t || !s.window) throw new Error("no trace loaded");
      const bounds = { startNs: t.timeline.spanStartNs, endNs: t.timeline.spanEndNs };
      const ctx = ctrl.canvas.getContext("2d") as CanvasRenderingContext2D;
      const times: number[] = [];
      let plan = 0;
      let draw = 0;
      let w = s.window;
      for (let i = 0; i < frames; i++) {
        if (kind === "pan") w = panWindow(w, i % 40 < 20 ? 0.02 : -0.02, bounds);
        else w = zoomWindow(w, i % 20 < 10 ? 1.25 : 0.8, 0.37, bounds);
        const t0 = performance.now();
        useApp.setState({ window: w });
        ctrl.drawNow();
        ctx.getImageData(0, 0, 1, 1);
        times.push(performance.now() - t0);
        plan += ctrl.lastFrame.planMs;
        draw += ctrl.lastFrame.drawMs;
      }
      const sorted = [...times].sort((a, b) => a - b);
      return {
        frames,
        medianMs: percentile(sorted, 0.5),
        p95Ms: percentile(sorted, 0.95),
        maxMs: sorted[sorted.length - 1] ?? 0,
        meanMs: times.reduce((a, b) => a + b, 0) / Math.max(1, times.length),
        planMs: plan / Math.max(1, frames),
        drawMs: draw / Math.max(1, frames),
        resources: t.timeline.count,
        rects: ctrl.lastFrame.rects,
      };
    },
    naiveFrame() {
      const s = useApp.getState();
      const t = s.trace;
      const layout = s.laneLayout;
      if (!t || !s.window || !layout) throw new Error("no trace loaded");
      const b = t.timeline;
      const canvas = ctrl.canvas;
      const ctx = must(canvas.getContext("2d"));
      const w = canvas.clientWidth;
      const h = canvas.clientHeight;
      const gutter = layout.metrics.gutterPx;
      const scale = (w - gutter) / (s.window.endNs - s.window.startNs);
      const t0 = performance.now();
      ctx.fillStyle = "#fff";
      ctx.fillRect(0, 0, w, h);
      for (let i = 0; i < b.count; i++) {
        const lane = b.lane[i] as number;
        const y = layout.metrics.rulerPx + rowTopPx(layout, lane, b.row[i] as number) - s.scrollPx;
        if (y < 0 || y > h) continue;
        ctx.fillStyle = theme.styleFill[b.style[i] as number] ?? "#888";
        const x0 = gutter + ((b.startNs[i] as number) - s.window.startNs) * scale;
        ctx.fillRect(
          x0,
          y,
          ((b.endNs[i] as number) - (b.startNs[i] as number)) * scale,
          layout.metrics.rowPx,
        );
      }
      ctx.getImageData(0, 0, 1, 1);
      const ms = performance.now() - t0;
      ctrl.drawNow();
      return ms;
    },
    traceInfo() {
      const t = useApp.getState().trace;
      if (!t) return null;
      return { resources: t.timeline.count, lines: t.analysis.lines.total, ...t.timing };
    },
  };
  window.__devscopeBench = hook;
  return () => {
    if (window.__devscopeBench === hook) delete window.__devscopeBench;
  };
}
