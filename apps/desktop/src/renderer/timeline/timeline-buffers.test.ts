import { describe, expect, it } from "vitest";
import { syntheticAnalysis } from "../samples/synthetic-analysis.ts";
import { smallAnalysis } from "../test-support/small-analysis.ts";
import { BarState, kindIndex, styleIndex, styleState } from "./resource-style.ts";
import {
  buildTimelineBuffers,
  ItemFlag,
  laneDeviceOrder,
  timelineTransferables,
} from "./timeline-buffers.ts";
import { must } from "../../shared/must.ts";

describe("buildTimelineBuffers", () => {
  const a = smallAnalysis();
  const b = buildTimelineBuffers(a);

  it("orders lanes by first activity and gives DRM managed resources their own lane", () => {
    expect(laneDeviceOrder(a)).toEqual(["0000:00:03.0", "0000:00:1f.2", "0000:00:06.0", "0:0:0:0"]);
    expect(b.lanes.map((l) => l.key)).toEqual([
      "0000:00:03.0",
      "0000:00:1f.2",
      "0000:00:06.0",
      "0000:00:06.0 drm",
      "0:0:0:0",
    ]);
    expect(must(b.lanes[3]).list).toBe("drmm");
  });

  it("keeps one item per resource with an exact inverse index", () => {
    expect(b.count).toBe(a.resources.length);
    for (let i = 0; i < a.resources.length; i++)
      expect(b.resourceIndex[b.itemOfResource[i] as number]).toBe(i);
  });

  it("sorts items by lane, row, start and packs overlapping bars into separate rows", () => {
    for (let j = 1; j < b.count; j++) {
      const prev = [b.lane[j - 1] as number, b.row[j - 1] as number, b.startNs[j - 1] as number];
      const cur = [b.lane[j] as number, b.row[j] as number, b.startNs[j] as number];
      const cmp =
        (prev[0] as number) - (cur[0] as number) ||
        (prev[1] as number) - (cur[1] as number) ||
        (prev[2] as number) - (cur[2] as number);
      expect(cmp).toBeLessThanOrEqual(0);
    }
    // Within a row bars never overlap (no overflow here).
    for (let g = 0; g + 1 < b.rowStart.length; g++) {
      for (let j = (b.rowStart[g] as number) + 1; j < (b.rowStart[g + 1] as number); j++)
        expect(b.startNs[j] as number).toBeGreaterThanOrEqual(b.endNs[j - 1] as number);
    }
    // ahci epoch 0 is a LIFO stack: pcim_release, grp<, kzalloc, dmam, irq overlap -> rows 0..3
    // (grp< is removed early, so dmam reuses its row).
    const lane = b.lanes.findIndex((l) => l.key === "0000:00:1f.2");
    expect(must(b.lanes[lane]).rowCount).toBe(4);
  });

  it("draws live resources to the end of the trace in the live style and cut-off ADDs from the start", () => {
    const live = b.itemOfResource[5] as number;
    expect(b.endNs[live]).toBe(must(a.span).endNs);
    expect(styleState(b.style[live] as number)).toBe(BarState.Live);
    const cut = b.itemOfResource[11] as number;
    expect(b.startNs[cut]).toBe(must(a.span).startNs);
    expect(b.style[cut]).toBe(styleIndex(kindIndex("msi"), BarState.CutOff));
    expect(styleState(b.style[b.itemOfResource[7] as number] as number)).toBe(BarState.Removed);
  });

  it("flags the resources findings name", () => {
    const flagged = [...b.findingItems]
      .map((j) => must(a.resources[b.resourceIndex[j] as number]).id)
      .sort();
    expect(flagged).toEqual(["r11", "r3", "r4", "r5", "r6"]);
    for (const j of b.findingItems) expect((b.flags[j] as number) & ItemFlag.Finding).toBeTruthy();
  });

  it("brackets a group over the rows of its members", () => {
    expect(b.groupItem.length).toBe(1);
    const g = b.groupItem[0] as number;
    expect(must(a.resources[b.resourceIndex[g] as number]).name).toBe("grp<");
    expect(b.groupRowMax[0] as number).toBeGreaterThan(b.groupRowMin[0] as number);
  });

  it("keeps epochs per device and markers sorted", () => {
    expect([...b.deviceEpochStart]).toEqual([0, 2, 3, 4, 5]);
    expect(b.epochEnd[1]).toBe(2); // bound-at-end
    expect(b.epochEndNs[1]).toBe(must(a.span).endNs);
    expect([...b.markerNs]).toEqual([3_600_000_000, 6_300_000_000]);
  });

  it("caps rows per lane and shares an overflow row beyond it", () => {
    const big = syntheticAnalysis({ devices: 1, cycles: 3, perProbe: 40, seed: 3 });
    const capped = buildTimelineBuffers(big, { maxRowsPerLane: 8 });
    expect(must(capped.lanes[0]).rowCount).toBe(8);
    expect(must(capped.lanes[0]).overflow).toBeGreaterThan(0);
    // Running max end is monotonic inside every row, so binary search over it is valid.
    for (let g = 0; g + 1 < capped.rowStart.length; g++) {
      for (
        let j = (capped.rowStart[g] as number) + 1;
        j < (capped.rowStart[g + 1] as number);
        j++
      ) {
        expect(capped.rowMaxEnd[j] as number).toBeGreaterThanOrEqual(
          capped.rowMaxEnd[j - 1] as number,
        );
      }
    }
  });

  it("lists distinct transferable buffers", () => {
    const t = timelineTransferables(b);
    expect(new Set(t).size).toBe(t.length);
  });
});
