import { describe, expect, it } from "vitest";
import { smallAnalysis } from "../test-support/small-analysis.ts";
import { hitTest, itemAt } from "./hit-test.ts";
import { DEFAULT_METRICS, layoutLanes, rowTopPx } from "./lane-layout.ts";
import { buildTimelineBuffers } from "./timeline-buffers.ts";
import { must } from "../../shared/must.ts";

describe("hitTest", () => {
  const a = smallAnalysis();
  const b = buildTimelineBuffers(a);
  const layout = layoutLanes(b.lanes);
  const w = { startNs: must(a.span).startNs, endNs: must(a.span).endNs };
  const width = 1190;
  const xOf = (ns: number) =>
    DEFAULT_METRICS.gutterPx +
    ((ns - w.startNs) / (w.endNs - w.startNs)) * (width - DEFAULT_METRICS.gutterPx);

  it("finds the bar under the pointer", () => {
    for (const ri of [0, 3, 4, 6, 10]) {
      const it = b.itemOfResource[ri] as number;
      const r = must(a.resources[ri]);
      const mid = ((b.startNs[it] as number) + (b.endNs[it] as number)) / 2;
      const y =
        DEFAULT_METRICS.rulerPx + rowTopPx(layout, b.lane[it] as number, b.row[it] as number) + 2;
      const hit = hitTest(b, layout, w, 0, width, xOf(mid), y);
      expect(hit.region).toBe("plot");
      expect(must(a.resources[b.resourceIndex[hit.item] as number]).id).toBe(r.id);
    }
  });

  it("hits sub-pixel bars within the slop and reports gutter, ruler and markers", () => {
    const it = b.itemOfResource[8] as number; // 30 µs pinctrl REM, far below a pixel here
    const y =
      DEFAULT_METRICS.rulerPx + rowTopPx(layout, b.lane[it] as number, b.row[it] as number) + 1;
    expect(hitTest(b, layout, w, 0, width, xOf(b.startNs[it] as number) + 2, y).item).toBe(it);
    expect(hitTest(b, layout, w, 0, width, 20, y).region).toBe("gutter");
    const ruler = hitTest(b, layout, w, 0, width, xOf(3_600_000_000), 10);
    expect(ruler.region).toBe("ruler");
    expect(ruler.marker).toBe(0);
  });

  it("returns -1 in empty space", () => {
    const it = b.itemOfResource[0] as number;
    const y =
      DEFAULT_METRICS.rulerPx + rowTopPx(layout, b.lane[it] as number, b.row[it] as number) + 1;
    expect(hitTest(b, layout, w, 0, width, xOf(7_000_000_000), y).item).toBe(-1);
    expect(itemAt(b, 0, 1e12, 10)).toBe(-1);
  });
});

describe("hitTest on the ruler", () => {
  it("hits finding flags in their band and markers below it", () => {
    const a = smallAnalysis();
    const b = buildTimelineBuffers(a);
    const layout = layoutLanes(b.lanes);
    const w = { startNs: must(a.span).startNs, endNs: must(a.span).endNs };
    const x = 190 + ((7_779_000_000 - w.startNs) / (w.endNs - w.startNs)) * 1000;
    expect(hitTest(b, layout, w, 0, 1190, x + 2, 20).finding).toBe(0);
    expect(hitTest(b, layout, w, 0, 1190, x + 2, 35).finding).toBe(-1);
    const mx = 190 + ((3_600_000_000 - w.startNs) / (w.endNs - w.startNs)) * 1000;
    expect(hitTest(b, layout, w, 0, 1190, mx, 35).marker).toBe(0);
    expect(hitTest(b, layout, w, 0, 1190, mx, 20).marker).toBe(-1);
  });
});
