import { useEffect, useRef, useState } from "react";
import { formatBytes, formatDuration, formatTimestamp } from "../model/format.ts";
import { useApp } from "../state/app-store.ts";
import { timelineCanvas } from "../state/timeline-canvas.ts";
import { installBenchHook } from "../timeline/bench-hook.ts";
import { KIND_ORDER } from "../timeline/resource-style.ts";
import { type HoverInfo, TimelineController } from "../timeline/timeline-controller.ts";
import { KIND_COLORS, timelineTheme } from "../timeline/timeline-theme.ts";

function canvas2dAvailable(): boolean {
  try {
    return (
      typeof document !== "undefined" && document.createElement("canvas").getContext("2d") !== null
    );
  } catch {
    return false;
  }
}

/** The timeline panel: canvas, hover tooltip, zoom tools and the colour legend. */
export function TimelineView() {
  const boxRef = useRef<HTMLDivElement>(null);
  const canvasRef = useRef<HTMLCanvasElement>(null);
  const ctrlRef = useRef<TimelineController | null>(null);
  const [hover, setHover] = useState<HoverInfo | null>(null);
  // Probed once at mount: a browser without Canvas 2D still gets every other view.
  const [failure] = useState<string | null>(() =>
    canvas2dAvailable()
      ? null
      : "This browser has no Canvas 2D context: the timeline cannot be drawn (the other views work).",
  );
  const trace = useApp((s) => s.trace);
  const theme = useApp((s) => s.layout.theme);
  const hasSelection = useApp((s) => s.selection.resources.length > 0);

  useEffect(() => {
    const canvas = canvasRef.current;
    const box = boxRef.current;
    if (!canvas || !box || failure) return;
    const ctrl = new TimelineController(canvas, setHover);
    ctrlRef.current = ctrl;
    timelineCanvas.current = canvas;
    const uninstall = installBenchHook(ctrl);
    const measure = (): void => {
      const r = box.getBoundingClientRect();
      ctrl.resize(Math.floor(r.width), Math.floor(r.height), window.devicePixelRatio || 1);
    };
    const ro = new ResizeObserver(measure);
    ro.observe(box);
    measure();
    const pos = (e: MouseEvent): [number, number] => {
      const r = canvas.getBoundingClientRect();
      return [e.clientX - r.left, e.clientY - r.top];
    };
    const wheel = (e: WheelEvent): void => ctrl.onWheel(e, pos(e)[0]);
    const down = (e: PointerEvent): void => {
      box.focus({ preventScroll: true });
      ctrl.onPointerDown(e, ...pos(e));
    };
    const move = (e: PointerEvent): void => ctrl.onPointerMove(e, ...pos(e));
    const up = (e: PointerEvent): void => ctrl.onPointerUp(e, ...pos(e));
    const leave = (): void => ctrl.onPointerLeave();
    const key = (e: KeyboardEvent): void => {
      if (ctrl.onKeyDown(e)) {
        e.preventDefault();
        e.stopPropagation();
      }
    };
    canvas.addEventListener("wheel", wheel, { passive: false });
    canvas.addEventListener("pointerdown", down);
    canvas.addEventListener("pointermove", move);
    canvas.addEventListener("pointerup", up);
    canvas.addEventListener("pointercancel", up);
    canvas.addEventListener("pointerleave", leave);
    box.addEventListener("keydown", key);
    return () => {
      ro.disconnect();
      canvas.removeEventListener("wheel", wheel);
      canvas.removeEventListener("pointerdown", down);
      canvas.removeEventListener("pointermove", move);
      canvas.removeEventListener("pointerup", up);
      canvas.removeEventListener("pointercancel", up);
      canvas.removeEventListener("pointerleave", leave);
      box.removeEventListener("keydown", key);
      uninstall();
      ctrl.dispose();
      if (timelineCanvas.current === canvas) timelineCanvas.current = null;
      ctrlRef.current = null;
    };
  }, [failure]);

  useEffect(() => {
    ctrlRef.current?.schedule();
  }, [trace, theme]);

  const kinds = trace ? new Set(trace.analysis.resources.map((r) => r.kind)) : new Set<string>();
  const tl = timelineTheme(theme);
  return (
    <section className="panel" style={{ flex: 1 }} aria-label="Timeline">
      <div className="panel-header">
        Timeline
        <span className="count">
          {trace
            ? `${trace.timeline.lanes.length} lanes · ${trace.timeline.count.toLocaleString("en")} resources`
            : ""}
        </span>
        <span className="spacer" />
        <span className="faint" style={{ fontWeight: 400 }}>
          wheel zoom · drag pan · W/A/S/D · F zoom to selection · 0 fit
        </span>
        {trace && (
          <div className="timeline-tools">
            <button
              className="btn small"
              title="Zoom in (W)"
              onClick={() => ctrlRef.current?.onKeyDown(new KeyboardEvent("keydown", { key: "w" }))}
            >
              +
            </button>
            <button
              className="btn small"
              title="Zoom out (S)"
              onClick={() => ctrlRef.current?.onKeyDown(new KeyboardEvent("keydown", { key: "s" }))}
            >
              −
            </button>
            <button
              className="btn small"
              title="Show the whole trace (0)"
              onClick={() => useApp.getState().fitAll()}
            >
              Fit
            </button>
            <button
              className="btn small"
              title="Zoom to the selection (F)"
              disabled={!hasSelection}
              onClick={() => useApp.getState().zoomToSelection()}
              data-testid="zoom-to-selection"
            >
              Zoom to selection
            </button>
          </div>
        )}
      </div>
      <div
        className="timeline"
        ref={boxRef}
        tabIndex={0}
        data-view="timeline"
        aria-label="Resource timeline (use W A S D to zoom and pan)"
      >
        <canvas ref={canvasRef} data-testid="timeline" aria-label="Timeline canvas" />
        {failure && (
          <div className="notice error" style={{ position: "absolute", left: 200, top: 50 }}>
            {failure}
          </div>
        )}
        {hover && trace && <Tooltip hover={hover} />}
      </div>
      {trace && (
        <div className="legend" aria-label="Legend">
          {KIND_ORDER.filter((k) => kinds.has(k)).map((k) => (
            <span key={k}>
              <span className="kind-swatch" style={{ background: KIND_COLORS[k] }} />
              {k}
            </span>
          ))}
          <span>
            <span className="kind-swatch" style={{ background: tl.live }} />
            live at end
          </span>
          <span>
            <span
              className="kind-swatch"
              style={{ background: KIND_COLORS.memory, opacity: 0.5 }}
            />
            removed (REM)
          </span>
          <span>
            <span className="kind-swatch" style={{ background: tl.epochAlt[0] }} />
            epoch
          </span>
          <span>
            <span className="kind-swatch" style={{ background: tl.epochAlt[1] }} />
            failed probe
          </span>
          <span>
            <span className="kind-swatch" style={{ background: tl.finding }} />
            finding
          </span>
        </div>
      )}
    </section>
  );
}

function Tooltip({ hover }: { hover: HoverInfo }) {
  const trace = useApp((s) => s.trace);
  // Keep the tooltip inside the timeline: flip to the pointer's left/top near the edges.
  const left = hover.x + 14 + 300 > hover.width ? Math.max(0, hover.x - 314) : hover.x + 14;
  const top = hover.y + 16 + 150 > hover.height ? Math.max(0, hover.y - 150) : hover.y + 16;
  if (trace && hover.finding >= 0) {
    const f = trace.analysis.findings[hover.finding];
    if (!f) return null;
    return (
      <div className="tooltip" style={{ left, top }} role="tooltip" data-testid="finding-tooltip">
        <div>
          <span className={`badge ${f.severity}`}>{f.severity}</span> <b>{f.rule}</b>{" "}
          <span className="mono dim">{formatTimestamp(f.atNs)} s</span>
        </div>
        <div>{f.message}</div>
        <div className="faint">click to select</div>
      </div>
    );
  }
  if (trace && hover.marker >= 0) {
    const b = trace.timeline;
    return (
      <div className="tooltip" style={{ left, top }} role="tooltip" data-testid="marker-tooltip">
        <div>
          <b>marker</b>{" "}
          <span className="mono">{formatTimestamp(b.markerNs[hover.marker] ?? 0)} s</span>
        </div>
        <div className="mono">{b.markerText[hover.marker]}</div>
      </div>
    );
  }
  const r = trace?.analysis.resources[hover.resource];
  if (!trace || !r) return null;
  const end = r.endedNs;
  return (
    <div className="tooltip" style={{ left, top }} role="tooltip">
      <div>
        <b>{r.recoveredName ?? r.name}</b> <span className="dim">{r.kind}</span>
      </div>
      <div className="row">
        <span>device</span>
        <span className="mono">{r.device}</span>
      </div>
      <div className="row">
        <span>size</span>
        <span>{formatBytes(r.size)}</span>
      </div>
      <div className="row">
        <span>added</span>
        <span className="mono">
          {r.addCutOff ? "before trace start" : `${formatTimestamp(r.addedNs)} s`}
        </span>
      </div>
      <div className="row">
        <span>
          {r.end === "live" ? "state" : r.end === "removed" ? "removed (REM)" : "released (REL)"}
        </span>
        <span className="mono">
          {end === undefined ? "live at end of trace" : `${formatTimestamp(end)} s`}
        </span>
      </div>
      {end !== undefined && !r.addCutOff && (
        <div className="row">
          <span>lifetime</span>
          <span>{formatDuration(end - r.addedNs)}</span>
        </div>
      )}
      {r.allocSite && (
        <div className="row">
          <span>caller</span>
          <span className="mono">{r.allocSite}</span>
        </div>
      )}
    </div>
  );
}
