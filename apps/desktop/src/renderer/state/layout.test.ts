import { describe, expect, it } from "vitest";
import { DEFAULT_LAYOUT, LAYOUT_KEY, loadLayout, parseLayout, saveLayout } from "./layout.ts";

describe("layout persistence", () => {
  it("round-trips through storage", () => {
    localStorage.clear();
    const l = {
      ...DEFAULT_LAYOUT,
      theme: "dark" as const,
      sidebarPx: 420,
      sideTab: "import" as const,
    };
    saveLayout(localStorage, l);
    expect(JSON.parse(localStorage.getItem(LAYOUT_KEY) ?? "{}")).toEqual(l);
    expect(loadLayout(localStorage, false)).toEqual(l);
  });

  it("falls back to defaults for missing, malformed or out-of-range values", () => {
    expect(parseLayout(null, true).theme).toBe("dark");
    expect(parseLayout("{not json", false)).toEqual(DEFAULT_LAYOUT);
    expect(
      parseLayout('{"sidebarPx": 5, "bottomPx": "x", "theme": "neon", "devicesFrac": 2}', false),
    ).toMatchObject({
      sidebarPx: 200,
      bottomPx: DEFAULT_LAYOUT.bottomPx,
      theme: "light",
      devicesFrac: 0.85,
    });
  });
});
