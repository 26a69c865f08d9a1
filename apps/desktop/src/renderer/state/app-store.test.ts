import { beforeEach, describe, expect, it } from "vitest";
import { must } from "../../shared/must.ts";
import { loadedTrace } from "../test-support/loaded-trace.ts";
import { EMPTY_SELECTION, useApp } from "./app-store.ts";
import { LAYOUT_KEY } from "./layout.ts";

const fresh = useApp.getState();

describe("app store", () => {
  beforeEach(() => {
    useApp.setState(fresh, true);
    useApp.getState().setTrace(loadedTrace());
    useApp.getState().setTimelineLanesPx(120);
  });

  it("loading a trace fits the window to it and resets selection and filters", () => {
    const s = useApp.getState();
    useApp.getState().setFilter({ kind: "irq" });
    useApp.getState().selectResources([3]);
    useApp.getState().setTrace(loadedTrace());
    const t = useApp.getState();
    expect(t.selection).toBe(EMPTY_SELECTION);
    expect(t.filter.kind).toBe("");
    expect(must(t.window).startNs).toBeLessThan(3_500_000_000);
    expect(must(t.window).endNs).toBeGreaterThan(12_000_000_000);
    expect(s.deviceOrder).toEqual(["0000:00:03.0", "0000:00:1f.2", "0000:00:06.0", "0:0:0:0"]);
  });

  it("selecting a finding selects its resources and zooms the timeline onto them", () => {
    useApp.getState().selectFinding(2); // irq-outlives-data: r4, r3
    const s = useApp.getState();
    expect(s.selection).toEqual({ resources: [4, 3], device: "0000:00:1f.2", finding: 2 });
    const w = must(s.window);
    expect(w.startNs).toBeLessThanOrEqual(3_660_000_000);
    expect(w.endNs).toBeGreaterThanOrEqual(6_325_700_000);
    expect(w.endNs - w.startNs).toBeLessThan(8.5e9);
    expect(s.revealSeq).toBeGreaterThan(0);
  });

  it("scrolls the selected resource's row into view", () => {
    useApp.getState().setTimelineLanesPx(60);
    const before = useApp.getState().scrollPx;
    useApp.getState().selectResources([8]); // 0:0:0:0 is the last lane, below 60 px
    expect(useApp.getState().scrollPx).toBeGreaterThan(before);
  });

  it("zoom to selection is a no-op without a selection and frames it otherwise", () => {
    const w0 = useApp.getState().window;
    useApp.getState().zoomToSelection();
    expect(useApp.getState().window).toBe(w0);
    useApp.getState().selectResources([7], { reveal: false });
    useApp.getState().zoomToSelection();
    const w = must(useApp.getState().window);
    expect(w.endNs - w.startNs).toBeLessThan(1e6);
  });

  it("clamps vertical scroll to the content", () => {
    useApp.getState().setScroll(-50);
    expect(useApp.getState().scrollPx).toBe(0);
    useApp.getState().setScroll(1e9);
    const s = useApp.getState();
    expect(s.scrollPx).toBe(must(s.laneLayout).totalPx - 120);
  });

  it("persists the theme and layout", () => {
    localStorage.clear();
    const theme = useApp.getState().layout.theme;
    useApp.getState().toggleTheme();
    useApp.getState().setLayout({ sidebarPx: 500 });
    const saved = JSON.parse(localStorage.getItem(LAYOUT_KEY) ?? "{}") as {
      theme: string;
      sidebarPx: number;
    };
    expect(saved.theme).toBe(theme === "dark" ? "light" : "dark");
    expect(saved.sidebarPx).toBe(500);
  });

  it("tracks the import lifecycle", () => {
    const s = useApp.getState();
    s.startImport("x.txt");
    expect(useApp.getState().importStatus).toBe("running");
    s.finishImport({ cancelled: true });
    expect(useApp.getState()).toMatchObject({
      importStatus: "idle",
      importCancelled: true,
      progress: null,
    });
    s.finishImport({ error: "x.txt: boom" });
    expect(useApp.getState()).toMatchObject({ importStatus: "error", importError: "x.txt: boom" });
  });

  it("a device filter that would hide the new selection is lifted", () => {
    useApp.getState().setFilter({ device: "0:0:0:0", kind: "memory" });
    useApp.getState().selectFinding(0); // resources of 0000:00:1f.2
    expect(useApp.getState().filter).toMatchObject({ device: "", kind: "memory" });
    useApp.getState().setFilter({ device: "0000:00:1f.2" });
    useApp.getState().selectResources([3]);
    expect(useApp.getState().filter.device).toBe("0000:00:1f.2");
  });
});
