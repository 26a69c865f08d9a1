import { useCallback, useEffect, useLayoutEffect, useRef, useState } from "react";
import { useApp } from "../state/app-store.ts";
import {
  COL_MAX_PX,
  COL_MIN_PX,
  drawLanes,
  hitTest,
  LANES,
  type LanesView,
  lanesTheme,
  maxScroll,
  scrollToColumn,
} from "./compare-lanes-draw.ts";
import type { CompareEntry, LaneModel } from "./compare-model.ts";
import { TYPE_LABEL } from "./compare-model.ts";

/**
 * The synchronised device lanes of the Compare view: A above, B below, one column per
 * alignment row. Wheel scrolls, Ctrl+wheel (or +/-) zooms around the pointer, drag pans, a
 * click selects the entry under the pointer, `n`/`p` step through the differences.
 */
export function CompareLanes({
  model,
  deviceA,
  deviceB,
  selected,
  revealSeq,
  onSelect,
}: {
  model: LaneModel;
  deviceA: string;
  deviceB: string;
  /** Selected entry index, -1 for none. */
  selected: number;
  revealSeq: number;
  onSelect(entry: number): void;
}) {
  const canvas = useRef<HTMLCanvasElement>(null);
  const box = useRef<HTMLDivElement>(null);
  const theme = useApp((s) => s.layout.theme);
  const [widthPx, setWidthPx] = useState(800);
  const [colPx, setColPx] = useState(14);
  const [scrollPx, setScrollPx] = useState(0);
  const [hover, setHover] = useState(-1);
  const [tip, setTip] = useState<{ x: number; entry: CompareEntry } | null>(null);
  const drag = useRef<{ x: number; scroll: number; moved: boolean } | null>(null);

  const view: LanesView = { scrollPx, colPx, widthPx, selected, hover, deviceA, deviceB };

  // A new model (device or order changed): fit the columns if they fit, else start left.
  // (State derived from props during render, React's documented pattern, not an effect.)
  const [seenModel, setSeenModel] = useState<LaneModel | null>(null);
  if (seenModel !== model) {
    setSeenModel(model);
    const room = Math.max(100, widthPx - LANES.gutter - 8);
    const fit = model.columns.length > 0 ? room / model.columns.length : 14;
    setColPx(Math.max(COL_MIN_PX, Math.min(18, fit)));
    setScrollPx(0);
  }

  // Scroll the selection into the middle when asked (list click, n/p).
  const [seenReveal, setSeenReveal] = useState(revealSeq);
  if (seenReveal !== revealSeq) {
    setSeenReveal(revealSeq);
    const e = model.entries[selected];
    const cols = e ? [e.colA, e.colB].filter((c) => c >= 0) : [];
    if (cols.length > 0) {
      const mid = (Math.min(...cols) + Math.max(...cols)) / 2;
      setScrollPx(scrollToColumn(model, { ...view, colPx, widthPx }, mid));
    }
  }

  useLayoutEffect(() => {
    const el = box.current;
    if (!el) return;
    // The observer reports the first size too.
    const ro = new ResizeObserver(() => setWidthPx(Math.max(200, el.clientWidth)));
    ro.observe(el);
    return () => ro.disconnect();
  }, []);

  useEffect(() => {
    const c = canvas.current;
    if (!c) return;
    const dpr = window.devicePixelRatio || 1;
    c.width = Math.round(widthPx * dpr);
    c.height = Math.round(LANES.height * dpr);
    c.style.width = `${widthPx}px`;
    c.style.height = `${LANES.height}px`;
    const ctx = c.getContext("2d");
    if (!ctx) return;
    ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
    drawLanes(ctx, model, view, lanesTheme(c));
    // view fields are listed individually.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [model, scrollPx, colPx, widthPx, selected, hover, deviceA, deviceB, theme]);

  const clampScroll = useCallback(
    (px: number, cp = colPx) => Math.max(0, Math.min(maxScroll(model, { colPx: cp, widthPx }), px)),
    [model, colPx, widthPx],
  );

  const zoom = (factor: number, atX: number): void => {
    const next = Math.max(COL_MIN_PX, Math.min(COL_MAX_PX, colPx * factor));
    const colAt = (atX - LANES.gutter + scrollPx) / colPx;
    setColPx(next);
    setScrollPx(clampScroll(colAt * next - (atX - LANES.gutter), next));
  };

  // Wheel must be non-passive to keep the page from scrolling.
  useEffect(() => {
    const c = canvas.current;
    if (!c) return;
    const onWheel = (e: WheelEvent): void => {
      e.preventDefault();
      const rect = c.getBoundingClientRect();
      if (e.ctrlKey || e.metaKey) zoom(e.deltaY < 0 ? 1.25 : 0.8, e.clientX - rect.left);
      else
        setScrollPx((s) =>
          clampScroll(s + (Math.abs(e.deltaX) > Math.abs(e.deltaY) ? e.deltaX : e.deltaY)),
        );
    };
    c.addEventListener("wheel", onWheel, { passive: false });
    return () => c.removeEventListener("wheel", onWheel);
  });

  const pos = (e: React.PointerEvent): { x: number; y: number } => {
    const r = (canvas.current as HTMLCanvasElement).getBoundingClientRect();
    return { x: e.clientX - r.left, y: e.clientY - r.top };
  };

  const step = (dir: 1 | -1): void => {
    const n = model.entries.length;
    for (let k = 1; k <= n; k++) {
      const i = ((((selected < 0 ? (dir > 0 ? -1 : 0) : selected) + dir * k) % n) + n) % n;
      if ((model.entries[i] as CompareEntry).type !== "matched") {
        onSelect(i);
        return;
      }
    }
  };

  return (
    <div
      className="compare-lanes"
      ref={box}
      data-testid="compare-lanes"
      data-columns={model.columns.length}
    >
      <canvas
        ref={canvas}
        tabIndex={0}
        role="img"
        aria-label={`Synchronised lanes of ${deviceA} (A) and ${deviceB} (B): ${model.columns.length} columns`}
        data-testid="compare-canvas"
        onPointerDown={(e) => {
          drag.current = { x: e.clientX, scroll: scrollPx, moved: false };
          (e.target as HTMLElement).setPointerCapture?.(e.pointerId);
        }}
        onPointerMove={(e) => {
          const d = drag.current;
          if (d) {
            if (Math.abs(e.clientX - d.x) > 3) d.moved = true;
            if (d.moved) setScrollPx(clampScroll(d.scroll - (e.clientX - d.x)));
            return;
          }
          const p = pos(e);
          const h = hitTest(model, view, p.x, p.y);
          setHover(h);
          const en = model.entries[h];
          setTip(en ? { x: p.x, entry: en } : null);
        }}
        onPointerUp={(e) => {
          const d = drag.current;
          drag.current = null;
          if (d?.moved) return;
          const p = pos(e);
          const h = hitTest(model, view, p.x, p.y);
          if (h >= 0) onSelect(h);
        }}
        onPointerLeave={() => {
          setHover(-1);
          setTip(null);
        }}
        onKeyDown={(e) => {
          if (e.key === "n" || e.key === "ArrowRight") step(1);
          else if (e.key === "p" || e.key === "ArrowLeft") step(-1);
          else if (e.key === "+" || e.key === "=") zoom(1.25, widthPx / 2);
          else if (e.key === "-") zoom(0.8, widthPx / 2);
          else return;
          e.preventDefault();
        }}
      />
      {tip && (
        <div
          className="compare-tip"
          style={{ left: Math.min(tip.x + 12, widthPx - 260) }}
          role="tooltip"
        >
          <div className="mono">{tip.entry.name}</div>
          <div className="dim">
            {TYPE_LABEL[tip.entry.type]}
            {tip.entry.list === "drmm" ? " · drmm" : ""} · {tip.entry.kind}
          </div>
          <div className="dim">
            A: {tip.entry.a ? `${tip.entry.a.size} B, ${tip.entry.a.id}` : "—"} · B:{" "}
            {tip.entry.b ? `${tip.entry.b.size} B, ${tip.entry.b.id}` : "—"}
          </div>
        </div>
      )}
      <div className="compare-lanes-tools">
        <span className="compare-legend" aria-hidden>
          {(["matched", "onlyA", "onlyB", "resized", "reordered", "cutOff"] as const).map((t) => (
            <span key={t} className={`compare-legend-item ${t}`}>
              <span className="swatch" /> {TYPE_LABEL[t]}
            </span>
          ))}
          <span className="faint">
            · box colour = resource kind · wheel scrolls, Ctrl+wheel zooms, n/p steps
          </span>
        </span>
        <span className="grow" />
        <button
          className="btn small ghost"
          onClick={() => zoom(0.8, widthPx / 2)}
          aria-label="Zoom out"
        >
          −
        </button>
        <button
          className="btn small ghost"
          onClick={() => zoom(1.25, widthPx / 2)}
          aria-label="Zoom in"
        >
          +
        </button>
        <button
          className="btn small ghost"
          onClick={() => {
            const room = Math.max(100, widthPx - LANES.gutter - 8);
            setColPx(
              Math.max(COL_MIN_PX, Math.min(COL_MAX_PX, room / Math.max(1, model.columns.length))),
            );
            setScrollPx(0);
          }}
          title="Fit every column"
          data-testid="compare-fit"
        >
          Fit
        </button>
        <button
          className="btn small ghost"
          onClick={() => step(-1)}
          title="Previous difference (p)"
        >
          ‹ Prev
        </button>
        <button className="btn small ghost" onClick={() => step(1)} title="Next difference (n)">
          Next ›
        </button>
      </div>
    </div>
  );
}
