import { describe, expect, it } from "vitest";
import {
  clampWindow,
  fitWindow,
  MIN_WINDOW_NS,
  panWindow,
  panWindowPx,
  pxToTime,
  timeToPx,
  windowAround,
  wheelZoomFactor,
  zoomWindow,
} from "./viewport.ts";

const bounds = { startNs: 1_000_000_000, endNs: 2_000_000_000 };

describe("viewport math", () => {
  it("converts between time and px", () => {
    const w = { startNs: 1_000, endNs: 2_000 };
    expect(timeToPx(w, 100, 1_500)).toBe(50);
    expect(pxToTime(w, 100, 25)).toBe(1_250);
  });

  it("zooms around the anchor so the time under the pointer stays put", () => {
    const w = fitWindow(bounds);
    const anchorNs = pxToTime(w, 1000, 300);
    const z = zoomWindow(w, 4, 0.3, bounds);
    expect(pxToTime(z, 1000, 300)).toBeCloseTo(anchorNs, 0);
    expect(z.endNs - z.startNs).toBeCloseTo((w.endNs - w.startNs) / 4, 0);
  });

  it("never zooms below 1 µs or out beyond the margined trace", () => {
    let w = fitWindow(bounds);
    for (let i = 0; i < 100; i++) w = zoomWindow(w, 10, 0.5, bounds);
    expect(w.endNs - w.startNs).toBe(MIN_WINDOW_NS);
    for (let i = 0; i < 100; i++) w = zoomWindow(w, 0.1, 0.5, bounds);
    expect(w.startNs).toBeGreaterThanOrEqual(bounds.startNs - 0.05 * 1e9);
    expect(w.endNs).toBeLessThanOrEqual(bounds.endNs + 0.05 * 1e9);
  });

  it("pans by fraction and by drag pixels, clamped at the ends", () => {
    const w = { startNs: 1_400_000_000, endNs: 1_500_000_000 };
    expect(panWindow(w, 0.5, bounds).startNs).toBe(1_450_000_000);
    expect(panWindowPx(w, 100, 1000, bounds).startNs).toBe(1_390_000_000);
    expect(panWindow(w, 100, bounds).endNs).toBe(bounds.endNs + 0.05 * 1e9);
  });

  it("frames a selection with a margin", () => {
    const w = windowAround(1_200_000_000, 1_300_000_000, bounds, 0.1);
    expect(w).toEqual({ startNs: 1_190_000_000, endNs: 1_310_000_000 });
  });

  it("repairs non-finite windows", () => {
    expect(clampWindow({ startNs: NaN, endNs: NaN }, bounds).startNs).toBe(
      bounds.startNs - 0.05 * 1e9,
    );
  });

  it("maps wheel deltas to a zoom factor (down = out)", () => {
    expect(wheelZoomFactor(-100)).toBeGreaterThan(1.2);
    expect(wheelZoomFactor(100)).toBeLessThan(0.85);
    expect(wheelZoomFactor(0)).toBe(1);
  });
});
