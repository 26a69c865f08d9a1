import { describe, expect, it } from "vitest";
import { timelineKeyAction } from "./timeline-keys.ts";

const bounds = { startNs: 0, endNs: 1_000_000_000 };
const w = { startNs: 400_000_000, endNs: 600_000_000 };

describe("timeline keys", () => {
  it("W/S and +/- zoom around the centre, shift zooms faster", () => {
    const a = timelineKeyAction("w", false, w, bounds, 500);
    const b = timelineKeyAction("W", true, w, bounds, 500);
    if (a.kind !== "window" || b.kind !== "window") throw new Error("expected window actions");
    expect(a.window.endNs - a.window.startNs).toBeCloseTo(200_000_000 / 1.6, 0);
    expect((a.window.startNs + a.window.endNs) / 2).toBeCloseTo(500_000_000, 0);
    expect(b.window.endNs - b.window.startNs).toBeLessThan(a.window.endNs - a.window.startNs);
    expect(timelineKeyAction("-", false, w, bounds, 500).kind).toBe("window");
  });

  it("A/D and arrows pan; up/down and page keys scroll lanes", () => {
    const d = timelineKeyAction("ArrowRight", false, w, bounds, 500);
    if (d.kind !== "window") throw new Error("expected window");
    expect(d.window.startNs).toBe(430_000_000);
    expect(timelineKeyAction("ArrowDown", false, w, bounds, 500)).toEqual({
      kind: "scroll",
      deltaPx: 40,
    });
    expect(timelineKeyAction("PageUp", false, w, bounds, 500)).toEqual({
      kind: "scroll",
      deltaPx: -450,
    });
  });

  it("maps fit, zoom-to-selection, clear, select and step", () => {
    expect(timelineKeyAction("0", false, w, bounds, 1).kind).toBe("fit");
    expect(timelineKeyAction("f", false, w, bounds, 1).kind).toBe("zoom-selection");
    expect(timelineKeyAction("Escape", false, w, bounds, 1).kind).toBe("clear");
    expect(timelineKeyAction("Enter", false, w, bounds, 1).kind).toBe("select-hover");
    expect(timelineKeyAction("]", false, w, bounds, 1)).toEqual({ kind: "step", direction: 1 });
    expect(timelineKeyAction("q", false, w, bounds, 1).kind).toBe("none");
  });
});
