import { describe, expect, it } from "vitest";
import { syntheticAnalysis } from "../samples/synthetic-analysis.ts";
import { smallAnalysis } from "../test-support/small-analysis.ts";
import { FramePlanner, planFindingFlags, planMarkers, planTicks } from "./frame-plan.ts";
import { DEFAULT_METRICS, layoutLanes, rowTopPx } from "./lane-layout.ts";
import { buildTimelineBuffers } from "./timeline-buffers.ts";
import { fitWindow } from "./viewport.ts";
import { must } from "../../shared/must.ts";

describe("FramePlanner", () => {
  const a = smallAnalysis();
  const b = buildTimelineBuffers(a);
  const layout = layoutLanes(b.lanes);
  const base = {
    buffers: b,
    layout,
    window: { startNs: must(a.span).startNs, endNs: must(a.span).endNs },
    scrollPx: 0,
    widthPx: 1190,
    heightPx: 600,
    selectedItems: [] as number[],
    hoverItem: -1,
    selectedDevice: null,
  };

  it("plans every visible lane, its epochs and one rect per wide bar", () => {
    const p = new FramePlanner().plan(base);
    expect(p.plotX).toBe(DEFAULT_METRICS.gutterPx);
    expect(p.plotW).toBe(1000);
    expect(p.lanes.map((l) => l.lane)).toEqual([0, 1, 2, 3, 4]);
    expect(p.epochs.length).toBe(6); // the DRM device shades both its lanes
    // 8.5 s over 1000 px: 0.117 px/ms. The ahci bars are wide, the 0:0:0:0 pinctrl pair is sub-pixel.
    expect(p.bars.total()).toBeGreaterThanOrEqual(a.resources.length - 2);
    expect(p.ticks.length).toBeGreaterThan(3);
    expect(p.markers.length).toBe(2);
  });

  it("places a bar at its time and row", () => {
    const p = new FramePlanner().plan({ ...base, selectedItems: [b.itemOfResource[4] as number] });
    const it = b.itemOfResource[4] as number;
    const sel = must(p.selected[0]);
    const scale = 1000 / (must(a.span).endNs - must(a.span).startNs);
    expect(sel.x).toBeCloseTo(
      190 + (must(a.resources[4]).addedNs - must(a.span).startNs) * scale,
      6,
    );
    expect(sel.y).toBe(
      DEFAULT_METRICS.rulerPx + rowTopPx(layout, b.lane[it] as number, b.row[it] as number),
    );
  });

  it("draws only lanes inside the vertical viewport", () => {
    const p = new FramePlanner().plan({
      ...base,
      scrollPx: layout.top[2] as number,
      heightPx: DEFAULT_METRICS.rulerPx + (layout.height[2] as number),
    });
    expect(p.lanes.map((l) => l.lane)).toEqual([2]);
  });

  it("marks bars named by findings", () => {
    const p = new FramePlanner().plan(base);
    expect(p.findingTicks.length).toBe(5);
  });

  it("brackets the group", () => {
    const zoomed = { startNs: 3_640_000_000, endNs: 3_700_000_000 };
    const p = new FramePlanner().plan({ ...base, window: zoomed });
    expect(p.brackets.length).toBe(1);
    expect(must(p.brackets[0]).y1).toBeGreaterThan(must(p.brackets[0]).y0 + DEFAULT_METRICS.rowPx);
  });

  it("draws a million resources in a bounded number of rects", () => {
    const big = buildTimelineBuffers(
      syntheticAnalysis({ devices: 40, cycles: 1000, perProbe: 25, seed: 7 }),
    );
    expect(big.count).toBe(1_000_000);
    const l = layoutLanes(big.lanes);
    const p = new FramePlanner().plan({
      ...base,
      buffers: big,
      layout: l,
      window: fitWindow({ startNs: big.spanStartNs, endNs: big.spanEndNs }),
      heightPx: 900,
    });
    expect(p.bars.total()).toBeLessThan(80_000);
    expect(p.stats.visited).toBeLessThan(400_000);
  });
});

describe("planTicks / planMarkers", () => {
  it("labels ticks at a nice step with enough decimals", () => {
    const ticks = planTicks({ startNs: 3_000_000_000, endNs: 3_001_000_000 }, 0, 1000);
    expect(must(ticks[0]).label).toBe("3.0000 s");
    expect(must(ticks[1]).label).toBe("3.0002 s");
  });

  it("merges markers that share a pixel and labels only those with room", () => {
    const b = buildTimelineBuffers({
      ...smallAnalysis(),
      markers: [
        { ns: 4_000_000_000, text: "a" },
        { ns: 4_000_000_001, text: "b" },
        { ns: 4_000_500_000, text: "c" },
        { ns: 9_000_000_000, text: "d" },
      ],
    });
    const m = planMarkers(b, 3_500_000_000, 1000 / 8.5e9, 0, 1000);
    expect(m.map((x) => x.count)).toEqual([3, 1]);
    expect(m.map((x) => x.label)).toEqual([true, true]);
  });
});

describe("finding flags", () => {
  it("puts one flag per finding on the ruler, the worst severity wins a shared pixel", () => {
    const a = smallAnalysis();
    const b = buildTimelineBuffers(a);
    expect([...b.findingIndex]).toEqual([2, 1, 0]); // by time: 3.670 s, 5.0 s, 7.779 s
    const flags = planFindingFlags(b, must(a.span).startNs, 1000 / 8.5e9, 190, 1000);
    expect(flags.map((f) => f.severity)).toEqual([1, 2, 0]);
    const merged = planFindingFlags(b, must(a.span).startNs, 1 / 1e12, 190, 1000);
    expect(merged).toHaveLength(1);
    expect(merged[0]).toMatchObject({ count: 3, severity: 0 });
  });
});
