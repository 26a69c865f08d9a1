/**
 * The visible time window of the timeline and the pure math that moves it. Times are ns on
 * the trace clock; widths are CSS px of the plot area (the canvas minus the label gutter).
 */
export interface TimeWindow {
  startNs: number;
  endNs: number;
}

/** Smallest window the user can zoom into, ns (1 µs: below the trace's µs timestamps). */
export const MIN_WINDOW_NS = 1_000;

export function windowNs(w: TimeWindow): number {
  return w.endNs - w.startNs;
}

/** Scale of a window drawn across `widthPx` px, in px per ns. */
export function pxPerNs(w: TimeWindow, widthPx: number): number {
  return widthPx / Math.max(windowNs(w), 1e-9);
}

export function timeToPx(w: TimeWindow, widthPx: number, ns: number): number {
  return (ns - w.startNs) * pxPerNs(w, widthPx);
}

export function pxToTime(w: TimeWindow, widthPx: number, px: number): number {
  return w.startNs + px / pxPerNs(w, widthPx);
}

/**
 * Keeps a window inside the trace bounds (with a 5% margin each side so bars at the very edge
 * stay visible), no narrower than MIN_WINDOW_NS and no wider than the margined bounds.
 */
export function clampWindow(w: TimeWindow, bounds: TimeWindow): TimeWindow {
  const margin = windowNs(bounds) * 0.05;
  const lo = bounds.startNs - margin;
  const hi = bounds.endNs + margin;
  const maxSpan = hi - lo;
  let span = Math.min(Math.max(windowNs(w), MIN_WINDOW_NS), maxSpan);
  if (!Number.isFinite(span)) span = maxSpan;
  let start = w.startNs;
  if (!Number.isFinite(start)) start = lo;
  if (start < lo) start = lo;
  if (start + span > hi) start = hi - span;
  return { startNs: start, endNs: start + span };
}

/** The whole trace, margined. */
export function fitWindow(bounds: TimeWindow): TimeWindow {
  const margin = windowNs(bounds) * 0.02;
  return clampWindow({ startNs: bounds.startNs - margin, endNs: bounds.endNs + margin }, bounds);
}

/**
 * Zooms by `factor` (>1 zooms in) keeping the time under `anchorFrac` (0..1 across the plot)
 * fixed on screen — the point under the mouse stays under the mouse.
 */
export function zoomWindow(
  w: TimeWindow,
  factor: number,
  anchorFrac: number,
  bounds: TimeWindow,
): TimeWindow {
  const a = Math.min(Math.max(anchorFrac, 0), 1);
  const span = windowNs(w);
  const anchorNs = w.startNs + span * a;
  const next = Math.max(span / factor, MIN_WINDOW_NS);
  return clampWindow({ startNs: anchorNs - next * a, endNs: anchorNs - next * a + next }, bounds);
}

/** Pans by a fraction of the window (positive = later in time). */
export function panWindow(w: TimeWindow, frac: number, bounds: TimeWindow): TimeWindow {
  const d = windowNs(w) * frac;
  return clampWindow({ startNs: w.startNs + d, endNs: w.endNs + d }, bounds);
}

/** Pans by a pixel delta (drag): content follows the pointer. */
export function panWindowPx(
  w: TimeWindow,
  dxPx: number,
  widthPx: number,
  bounds: TimeWindow,
): TimeWindow {
  return panWindow(w, -dxPx / Math.max(widthPx, 1), bounds);
}

/** A window showing [startNs, endNs] with `marginFrac` of air each side (zoom to selection). */
export function windowAround(
  startNs: number,
  endNs: number,
  bounds: TimeWindow,
  marginFrac = 0.1,
): TimeWindow {
  const span = Math.max(endNs - startNs, MIN_WINDOW_NS);
  const m = span * marginFrac;
  return clampWindow({ startNs: startNs - m, endNs: startNs + span + m }, bounds);
}

/** Wheel delta (px, as DOM WheelEvent deltaY in pixel mode) to a zoom factor. */
export function wheelZoomFactor(deltaY: number): number {
  // 100 px of wheel (one notch on most mice) zooms by ~1.25x; trackpads send small deltas.
  return Math.pow(1.0022, -Math.max(-600, Math.min(600, deltaY)));
}
