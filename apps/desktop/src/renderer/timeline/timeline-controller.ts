import { type AppState, useApp } from "../state/app-store.ts";
import { MARK_FIRST_TIMELINE } from "../state/trace-actions.ts";
import { Canvas2DTimelineRenderer, type LaneLabel } from "./canvas-renderer.ts";
import { FramePlanner } from "./frame-plan.ts";
import { type Hit, hitTest } from "./hit-test.ts";
import { laneLabels } from "./lane-labels.ts";
import { timelineKeyAction } from "./timeline-keys.ts";
import { timelineTheme } from "./timeline-theme.ts";
import { panWindowPx, type TimeWindow, wheelZoomFactor, zoomWindow } from "./viewport.ts";
import { must } from "../../shared/must.ts";

export interface HoverInfo {
  /** Resource under the pointer, or -1. */
  resource: number;
  /** Marker flag under the pointer on the ruler (index into the timeline's markers), or -1. */
  marker: number;
  /** Finding flag under the pointer on the ruler (index into analysis.findings), or -1. */
  finding: number;
  /** Pointer position in the timeline element, CSS px. */
  x: number;
  y: number;
  /** Timeline element size, CSS px (to keep the tooltip inside it). */
  width: number;
  height: number;
}

/** Frame cost of the last draws, ms (shown by the bench hook). */
export interface FrameTiming {
  planMs: number;
  drawMs: number;
  rects: number;
}

/**
 * Imperative owner of the timeline canvas: sizes it, redraws on the next animation frame
 * whenever the store changes what is visible, and turns pointer/keyboard input into store
 * updates (window, scroll, selection, hover). React only mounts it.
 */
export class TimelineController {
  private renderer: Canvas2DTimelineRenderer;
  private planner = new FramePlanner();
  private raf = 0;
  private widthPx = 1;
  private heightPx = 1;
  private dpr = 1;
  private labels: LaneLabel[] = [];
  private labelsFor: unknown = null;
  private markedTrace: unknown = null;
  private unsubscribe: () => void;
  private drag: { id: number; x: number; y: number; moved: boolean } | null = null;
  private pointers = new Map<number, { x: number; y: number }>();
  private pinchDist = 0;
  lastFrame: FrameTiming = { planMs: 0, drawMs: 0, rects: 0 };

  constructor(
    readonly canvas: HTMLCanvasElement,
    private onHover: (h: HoverInfo | null) => void,
  ) {
    this.renderer = new Canvas2DTimelineRenderer(canvas);
    this.unsubscribe = useApp.subscribe((s, prev) => {
      if (
        s.trace !== prev.trace ||
        s.window !== prev.window ||
        s.scrollPx !== prev.scrollPx ||
        s.selection !== prev.selection ||
        s.hoverResource !== prev.hoverResource ||
        s.layout.theme !== prev.layout.theme
      ) {
        this.schedule();
      }
    });
  }

  dispose(): void {
    this.unsubscribe();
    cancelAnimationFrame(this.raf);
  }

  resize(widthPx: number, heightPx: number, dpr: number): void {
    this.widthPx = Math.max(1, widthPx);
    this.heightPx = Math.max(1, heightPx);
    this.dpr = dpr;
    this.renderer.resize(this.widthPx, this.heightPx, dpr);
    const s = useApp.getState();
    s.setTimelineLanesPx(Math.max(0, this.heightPx - (s.laneLayout?.metrics.rulerPx ?? 30)));
    this.drawNow();
  }

  schedule(): void {
    if (this.raf) return;
    this.raf = requestAnimationFrame(() => {
      this.raf = 0;
      this.drawNow();
    });
  }

  /** Plans and draws one frame synchronously; returns false when there is nothing to draw. */
  drawNow(): boolean {
    const s = useApp.getState();
    const { trace, laneLayout, window: w } = s;
    if (!trace || !laneLayout || !w) return false;
    if (this.labelsFor !== trace) {
      this.labels = laneLabels(trace.analysis, trace.timeline);
      this.labelsFor = trace;
    }
    const b = trace.timeline;
    const t0 = performance.now();
    const selectedItems = s.selection.resources
      .map((r) => b.itemOfResource[r] as number)
      .filter((x) => x !== undefined);
    const plan = this.planner.plan({
      buffers: b,
      layout: laneLayout,
      window: w,
      scrollPx: s.scrollPx,
      widthPx: this.widthPx,
      heightPx: this.heightPx,
      selectedItems,
      hoverItem: s.hoverResource >= 0 ? (b.itemOfResource[s.hoverResource] as number) : -1,
      selectedDevice: s.selection.device,
    });
    const t1 = performance.now();
    this.renderer.draw({
      plan,
      buffers: b,
      theme: timelineTheme(s.layout.theme),
      labels: this.labels,
      widthPx: this.widthPx,
      heightPx: this.heightPx,
    });
    const t2 = performance.now();
    this.lastFrame = { planMs: t1 - t0, drawMs: t2 - t1, rects: plan.bars.total() };
    // Test hooks: what the frame shows (window in ns, selected resource ids).
    this.canvas.dataset["window"] = `${Math.round(w.startNs)}:${Math.round(w.endNs)}`;
    this.canvas.dataset["selected"] = s.selection.resources
      .slice(0, 50)
      .map((r) => trace.analysis.resources[r]?.id ?? "")
      .join(",");
    if (this.markedTrace !== trace) {
      this.markedTrace = trace;
      performance.mark(MARK_FIRST_TIMELINE);
    }
    return true;
  }

  private bounds(s: AppState): TimeWindow | null {
    return s.trace
      ? { startNs: s.trace.timeline.spanStartNs, endNs: s.trace.timeline.spanEndNs }
      : null;
  }

  private hit(x: number, y: number): Hit | null {
    const s = useApp.getState();
    if (!s.trace || !s.laneLayout || !s.window) return null;
    return hitTest(s.trace.timeline, s.laneLayout, s.window, s.scrollPx, this.widthPx, x, y);
  }

  private plotFrac(x: number): number {
    const gutter = useApp.getState().laneLayout?.metrics.gutterPx ?? 0;
    return (x - gutter) / Math.max(1, this.widthPx - gutter);
  }

  onWheel(e: WheelEvent, x: number): void {
    const s = useApp.getState();
    const b = this.bounds(s);
    if (!b || !s.window || !s.laneLayout) return;
    e.preventDefault();
    const dy = e.deltaMode === 1 ? e.deltaY * 16 : e.deltaY;
    const dx = e.deltaMode === 1 ? e.deltaX * 16 : e.deltaX;
    if (x < s.laneLayout.metrics.gutterPx && !e.ctrlKey) {
      s.setScroll(s.scrollPx + dy);
      return;
    }
    if (e.shiftKey || Math.abs(dx) > Math.abs(dy)) {
      // Horizontal gesture (or shift+wheel): pan in time.
      s.setWindow(
        panWindowPx(
          s.window,
          -(Math.abs(dx) > Math.abs(dy) ? dx : dy),
          this.widthPx - s.laneLayout.metrics.gutterPx,
          b,
        ),
      );
      return;
    }
    // Wheel and trackpad pinch (ctrlKey wheel): zoom around the pointer.
    s.setWindow(
      zoomWindow(s.window, wheelZoomFactor(e.ctrlKey ? dy * 4 : dy), this.plotFrac(x), b),
    );
  }

  onPointerDown(e: PointerEvent, x: number, y: number): void {
    this.pointers.set(e.pointerId, { x, y });
    if (this.pointers.size === 2) {
      const [p, q] = [...this.pointers.values()];
      this.pinchDist = Math.hypot(must(p).x - must(q).x, must(p).y - must(q).y);
      this.drag = null;
      return;
    }
    if (e.button !== 0) return;
    this.drag = { id: e.pointerId, x, y, moved: false };
    this.canvas.setPointerCapture?.(e.pointerId);
  }

  onPointerMove(e: PointerEvent, x: number, y: number): void {
    const s = useApp.getState();
    const b = this.bounds(s);
    if (this.pointers.has(e.pointerId)) this.pointers.set(e.pointerId, { x, y });
    if (this.pointers.size === 2 && b && s.window) {
      const [p, q] = [...this.pointers.values()];
      const dist = Math.hypot(must(p).x - must(q).x, must(p).y - must(q).y);
      if (this.pinchDist > 0 && dist > 0)
        s.setWindow(
          zoomWindow(
            s.window,
            dist / this.pinchDist,
            this.plotFrac((must(p).x + must(q).x) / 2),
            b,
          ),
        );
      this.pinchDist = dist;
      return;
    }
    if (this.drag && this.drag.id === e.pointerId && b && s.window && s.laneLayout) {
      const dx = x - this.drag.x;
      const dy = y - this.drag.y;
      if (!this.drag.moved && Math.abs(dx) + Math.abs(dy) < 4) return;
      this.drag.moved = true;
      this.canvas.classList.add("grabbing");
      s.setWindow(panWindowPx(s.window, dx, this.widthPx - s.laneLayout.metrics.gutterPx, b));
      s.setScroll(s.scrollPx - dy);
      this.drag.x = x;
      this.drag.y = y;
      this.onHover(null);
      return;
    }
    const h = this.hit(x, y);
    const res =
      h && h.item >= 0 && s.trace ? (s.trace.timeline.resourceIndex[h.item] as number) : -1;
    s.setHover(res);
    const marker = h && h.region === "ruler" ? h.marker : -1;
    const finding = h && h.region === "ruler" ? h.finding : -1;
    this.onHover(
      res >= 0 || marker >= 0 || finding >= 0
        ? { resource: res, marker, finding, x, y, width: this.widthPx, height: this.heightPx }
        : null,
    );
  }

  onPointerUp(e: PointerEvent, x: number, y: number): void {
    this.pointers.delete(e.pointerId);
    if (this.pointers.size < 2) this.pinchDist = 0;
    const drag = this.drag;
    this.drag = null;
    this.canvas.classList.remove("grabbing");
    if (!drag || drag.id !== e.pointerId || drag.moved) return;
    this.click(x, y, e.detail >= 2);
  }

  onPointerLeave(): void {
    if (!this.drag) {
      useApp.getState().setHover(-1);
      this.onHover(null);
    }
  }

  private click(x: number, y: number, double: boolean): void {
    const s = useApp.getState();
    const h = this.hit(x, y);
    if (!h || !s.trace) return;
    if (h.region === "gutter" && h.lane >= 0) {
      s.selectDevice(must(s.trace.timeline.lanes[h.lane]).device);
      return;
    }
    if (h.region === "ruler" && h.finding >= 0) {
      s.selectFinding(h.finding);
      return;
    }
    if (h.region === "ruler" && h.marker >= 0) {
      const ns = s.trace.timeline.markerNs[h.marker] as number;
      s.setToast(`marker ${s.trace.timeline.markerText[h.marker]} at ${(ns / 1e9).toFixed(6)} s`);
      return;
    }
    if (h.item >= 0) {
      s.selectResources([s.trace.timeline.resourceIndex[h.item] as number], { focus: double });
    } else if (h.region === "plot") {
      s.clearSelection();
    }
  }

  onKeyDown(e: KeyboardEvent): boolean {
    const s = useApp.getState();
    const b = this.bounds(s);
    if (!b || !s.window || e.altKey || e.metaKey || e.ctrlKey) return false;
    const a = timelineKeyAction(e.key, e.shiftKey, s.window, b, s.timelineLanesPx);
    switch (a.kind) {
      case "window":
        s.setWindow(a.window);
        return true;
      case "scroll":
        s.setScroll(s.scrollPx + a.deltaPx);
        return true;
      case "fit":
        s.fitAll();
        return true;
      case "zoom-selection":
        s.zoomToSelection();
        return true;
      case "clear":
        s.clearSelection();
        return true;
      case "select-hover":
        if (s.hoverResource >= 0) s.selectResources([s.hoverResource]);
        return true;
      case "step":
        this.step(a.direction);
        return true;
      case "none":
        return false;
    }
  }

  /** Selects the previous/next bar in the selected bar's row (the first bar when none). */
  private step(direction: -1 | 1): void {
    const s = useApp.getState();
    const t = s.trace;
    if (!t || t.timeline.count === 0) return;
    const b = t.timeline;
    const cur = s.selection.resources[0];
    if (cur === undefined) {
      s.selectResources([b.resourceIndex[0] as number]);
      return;
    }
    const it = b.itemOfResource[cur] as number;
    const g = must(b.lanes[b.lane[it] as number]).firstRow + (b.row[it] as number);
    const next = it + direction;
    if (next < (b.rowStart[g] as number) || next >= (b.rowStart[g + 1] as number)) return;
    s.selectResources([b.resourceIndex[next] as number]);
    const w = s.window;
    if (w && ((b.startNs[next] as number) > w.endNs || (b.endNs[next] as number) < w.startNs))
      s.zoomToSelection();
  }
}
