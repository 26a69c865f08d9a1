import { describe, expect, it } from "vitest";
import { blendOver, DARK_TIMELINE, LIGHT_TIMELINE } from "./timeline-theme.ts";
import { STYLE_COUNT } from "./resource-style.ts";

describe("timeline theme", () => {
  it("composites translucent colours onto the lane band exactly like alpha blending", () => {
    expect(blendOver("rgba(255, 0, 0, 0.5)", "#0000ff")).toBe("#800080");
    expect(blendOver("rgba(0, 0, 0, 0)", "#123456")).toBe("#123456");
    expect(blendOver("#abcdef", "#000000")).toBe("#abcdef");
  });

  it("has a fill for every style and opaque epoch fills for both lane parities", () => {
    for (const t of [LIGHT_TIMELINE, DARK_TIMELINE]) {
      expect(t.styleFill).toHaveLength(STYLE_COUNT);
      expect(t.epochFill.flat(2).every((c) => /^#[0-9a-f]{6}$/.test(c))).toBe(true);
      expect(t.epochFill).toHaveLength(2);
    }
  });
});
