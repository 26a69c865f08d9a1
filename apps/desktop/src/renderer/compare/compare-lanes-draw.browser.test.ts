import { diffAnalyses } from "@devscope/tracer";
import { describe, expect, it } from "vitest";
import { KIND_COLORS } from "../timeline/timeline-theme.ts";
import { must } from "../../shared/must.ts";
import { specAnalysis } from "./compare-fixtures.ts";
import {
  drawLanes,
  hitTest,
  LANES,
  type LanesTheme,
  type LanesView,
} from "./compare-lanes-draw.ts";
import { laneModel } from "./compare-model.ts";

// Pixel tests of the Compare lanes in real Chromium (Vitest browser mode).
const W = 600;
const THEME: LanesTheme = {
  bg: "#ffffff",
  band: "#f7f8fa",
  border: "#dde1e6",
  strong: "#c5cbd3",
  fg: "#1d2430",
  dim: "#5f6975",
  onlyA: "#c62828",
  onlyB: "#2e7d32",
  resized: "#b86e00",
  reordered: "#2f6fdf",
  accent: "#2f6fdf",
  selectedBg: "#dbe7fb",
};

function rgb(hex: string): [number, number, number] {
  const v = parseInt(hex.slice(1), 16);
  return [(v >> 16) & 255, (v >> 8) & 255, v & 255];
}

function setup(selected = -1) {
  const a = specAnalysis("dev0", [
    "pcim_release:8 devm_irq_release:16 dmam_release:32 devm_kzalloc_release:64",
  ]);
  const b = specAnalysis("dev0", [
    "pcim_release:8 dmam_release:32 devm_kzalloc_release:1024 devm_kzalloc_release:8",
  ]);
  const model = laneModel(must(diffAnalyses(a, b).devices[0]), "add");
  const canvas = document.createElement("canvas");
  canvas.width = W;
  canvas.height = LANES.height;
  document.body.appendChild(canvas);
  const ctx = must(canvas.getContext("2d"));
  const view: LanesView = {
    scrollPx: 0,
    colPx: 20,
    widthPx: W,
    selected,
    hover: -1,
    deviceA: "dev0",
    deviceB: "dev0",
  };
  drawLanes(ctx, model, view, THEME);
  const px = (x: number, y: number): [number, number, number] => {
    const d = ctx.getImageData(x, y, 1, 1).data;
    return [d[0] as number, d[1] as number, d[2] as number];
  };
  return { model, view, px };
}

describe("compare lanes", () => {
  it("draws A's and B's boxes in one column per alignment row, in the kind's colour", () => {
    const { model, px } = setup();
    expect(model.columns.map((c) => c.row.mark).join("")).toBe("=-=+~");
    const mid = (col: number): number => LANES.gutter + col * 20 + 10;
    // Column 0: pcim_release on both lanes, in its kind's colour (the fixture's kinds).
    expect(px(mid(0), LANES.laneA + 11)).toEqual(rgb(KIND_COLORS.memory));
    expect(px(mid(0), LANES.laneB + 11)).toEqual(rgb(KIND_COLORS.memory));
    // Column 1: the IRQ only in A: a red bar above A's box, nothing on B's lane.
    expect(px(mid(1), LANES.laneA - 3)).toEqual(rgb(THEME.onlyA));
    expect(px(mid(1), LANES.laneB + 11)).toEqual(rgb(THEME.bg));
    // Column 3: only B (green bar under B's box); column 4: resized (yellow bar).
    expect(px(mid(3), LANES.laneB + LANES.box + 2)).toEqual(rgb(THEME.onlyB));
    expect(px(mid(3), LANES.laneA + 11)).toEqual(rgb(THEME.bg));
    expect(px(mid(4), LANES.laneA - 3)).toEqual(rgb(THEME.resized));
  });

  it("links matched boxes and hit-tests boxes to entries", () => {
    const { model, view, px } = setup();
    const mid = (col: number): number => LANES.gutter + col * 20 + 10;
    // The vertical link of column 0 crosses the gap between the lanes.
    const linkY = LANES.laneA + LANES.box + 20;
    expect(px(mid(0), linkY)).not.toEqual(rgb(THEME.bg));
    expect(px(mid(1), linkY)).toEqual(rgb(THEME.bg));
    expect(hitTest(model, view, mid(1), LANES.laneA + 5)).toBe(model.columns[1]?.entry);
    expect(hitTest(model, view, mid(1), LANES.laneB + 5)).toBe(-1);
    expect(hitTest(model, view, 10, LANES.laneA + 5)).toBe(-1);
  });

  it("highlights the selected entry's column", () => {
    const { px } = setup(1);
    const mid = LANES.gutter + 1 * 20 + 10;
    expect(px(mid, LANES.laneB + 11)).toEqual(rgb(THEME.selectedBg));
  });
});
