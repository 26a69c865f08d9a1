import { describe, expect, it } from "vitest";
import { smallAnalysis } from "../test-support/small-analysis.ts";
import { Canvas2DTimelineRenderer, type LaneLabel } from "./canvas-renderer.ts";
import { FramePlanner } from "./frame-plan.ts";
import { DEFAULT_METRICS, layoutLanes, rowTopPx } from "./lane-layout.ts";
import { buildTimelineBuffers } from "./timeline-buffers.ts";
import {
  DARK_TIMELINE,
  KIND_COLORS,
  LIGHT_TIMELINE,
  type TimelineTheme,
} from "./timeline-theme.ts";
import { must } from "../../shared/must.ts";

// Pixel tests of the Canvas2D timeline renderer in real Chromium (Vitest browser mode).
const W = 1190;
const H = 400;

function rgb(hex: string): [number, number, number] {
  const v = parseInt(hex.slice(1), 16);
  return [(v >> 16) & 255, (v >> 8) & 255, v & 255];
}

function render(
  theme: TimelineTheme,
  selected: number[] = [],
  window?: { startNs: number; endNs: number },
) {
  const a = smallAnalysis();
  const b = buildTimelineBuffers(a);
  const layout = layoutLanes(b.lanes);
  const canvas = document.createElement("canvas");
  canvas.style.width = `${W}px`;
  canvas.style.height = `${H}px`;
  document.body.appendChild(canvas);
  const r = new Canvas2DTimelineRenderer(canvas);
  r.resize(W, H, 1);
  const win = window ?? { startNs: must(a.span).startNs, endNs: must(a.span).endNs };
  const plan = new FramePlanner().plan({
    buffers: b,
    layout,
    window: win,
    scrollPx: 0,
    widthPx: W,
    heightPx: H,
    selectedItems: selected,
    hoverItem: -1,
    selectedDevice: null,
  });
  const labels: LaneLabel[] = b.lanes.map((l) => ({ title: l.key, subtitle: "" }));
  r.draw({ plan, buffers: b, theme, labels, widthPx: W, heightPx: H });
  const ctx = canvas.getContext("2d") as CanvasRenderingContext2D;
  const px = (x: number, y: number): [number, number, number] => {
    const d = ctx.getImageData(Math.round(x), Math.round(y), 1, 1).data;
    return [d[0] as number, d[1] as number, d[2] as number];
  };
  const scale = (W - DEFAULT_METRICS.gutterPx) / (win.endNs - win.startNs);
  const xOf = (ns: number) => DEFAULT_METRICS.gutterPx + (ns - win.startNs) * scale;
  const barCenter = (ri: number): [number, number] => {
    const it = b.itemOfResource[ri] as number;
    const y =
      DEFAULT_METRICS.rulerPx +
      rowTopPx(layout, b.lane[it] as number, b.row[it] as number) +
      DEFAULT_METRICS.rowPx / 2;
    return [(xOf(b.startNs[it] as number) + xOf(b.endNs[it] as number)) / 2, y];
  };
  canvas.remove();
  return { a, b, px, barCenter, xOf, layout };
}

describe("Canvas2DTimelineRenderer", () => {
  it("fills a released bar with its kind colour", () => {
    const { px, barCenter } = render(LIGHT_TIMELINE);
    expect(px(...barCenter(3))).toEqual(rgb(KIND_COLORS["dma-coherent"]));
    expect(px(...barCenter(4))).toEqual(rgb(KIND_COLORS.irq));
    expect(px(...barCenter(10))).toEqual(rgb(KIND_COLORS.drm));
  });

  it("draws resources live at the end to the right edge in the warning colour", () => {
    const { px, barCenter } = render(LIGHT_TIMELINE);
    const [, y] = barCenter(6);
    expect(px(W - 2, y)).toEqual(rgb(LIGHT_TIMELINE.live));
    expect(px(...barCenter(6))).toEqual(rgb(LIGHT_TIMELINE.live));
  });

  it("uses the dark palette in the dark theme", () => {
    const { px, barCenter, xOf } = render(DARK_TIMELINE);
    expect(px(...barCenter(6))).toEqual(rgb(DARK_TIMELINE.live));
    // Empty lane background right of the last epoch of 0:0:0:0 (last lane).
    const [, y] = barCenter(7);
    const bg = px(xOf(10e9), y);
    expect(Math.max(...bg)).toBeLessThan(60);
  });

  it("outlines the selection in the selection colour", () => {
    const probe = render(LIGHT_TIMELINE);
    const it = probe.b.itemOfResource[3] as number;
    const { px, barCenter, xOf } = render(LIGHT_TIMELINE, [it]);
    const [, y] = barCenter(3);
    const x0 = xOf(probe.b.startNs[it] as number);
    // The 2 px stroke sits just outside the bar's left edge.
    expect(px(Math.round(x0) - 1, y)).toEqual(rgb(LIGHT_TIMELINE.selection));
  });

  it("paints the ruler and gutter", () => {
    const { px } = render(LIGHT_TIMELINE);
    expect(px(5, 5)).toEqual(rgb(LIGHT_TIMELINE.gutter));
    expect(px(5, DEFAULT_METRICS.rulerPx + 3)).toEqual(rgb(LIGHT_TIMELINE.gutter));
  });

  it("draws a sub-pixel bar as a 1 px column", () => {
    const { px, barCenter } = render(LIGHT_TIMELINE);
    // 0:0:0:0's 30 µs pinctrl REM: far below one pixel at this zoom; its column still shows.
    const [x, y] = barCenter(8);
    const c = px(Math.floor(x) + 0.2, y);
    expect(c).not.toEqual(rgb(LIGHT_TIMELINE.laneBand[0]));
  });
});
