import { describe, expect, it } from "vitest";
import { diffAnalyses } from "./diff-analyses.js";
import { renderDiffJson } from "./diff-json.js";
import { renderDiffText } from "./diff-text.js";
import { analysisOf } from "./fixtures/analysis-spec.js";

const D = "0000:00:06.0";

function sample() {
  const a = analysisOf({
    [D]: [
      {
        res: "pcim_release:8 devm_irq_release:16 dmam_release:32 devm_kzalloc_release:64 devm_kzalloc_release:1288 drmm/kmalloc:80 drmm/drm_mode_config_init_release:0",
      },
    ],
  });
  const b = analysisOf({
    [D]: [
      {
        res: "pcim_release:8 dmam_release:32 devm_kzalloc_release:64 devm_irq_release:16 devm_kzalloc_release:1024 devm_ioremap_release:8 drmm/kmalloc:80 drmm/drm_mode_config_init_release:0",
      },
    ],
    gpu1: [{ res: "pcim_release:8" }],
  });
  return diffAnalyses(a, b, { labelA: ["real.txt"], labelB: ["sim.txt"] });
}

describe("renderDiffText", () => {
  it("draws a side-by-side with one marker per row and labels the two lists", () => {
    const text = renderDiffText(sample(), { context: -1, width: 110 });
    const rows = text.split("\n").filter((l) => /^ {6}[=\-+~↕·] /.test(l));
    // Acquisition: devres (IRQ moved, a resize, an extra ioremap), drmm; then the release
    // order: B's extra ioremap first, the resize, the IRQ released elsewhere, drmm.
    expect(rows.map((l) => l.trim()[0]).join("")).toBe("=↕==↕~+==" + "+~↕==↕===");
    expect(text).toContain("      devres\n");
    expect(text).toContain("      drm managed (drmm)\n");
    expect(text).toMatch(/~ devm_kzalloc_release +1288 r4 +devm_kzalloc_release +1024 r4/);
    expect(text).toContain("A: real.txt");
    expect(text).toContain("Devices only in B: gpu1");
    expect(text).not.toContain("\u001b[");
    expect(text.split("\n").every((l) => [...l].length <= 110)).toBe(true);
  });

  it("folds matched rows beyond the context and prints identical tables as one line", () => {
    const d = sample();
    const folded = renderDiffText(d, { context: 0 });
    expect(folded).toContain("… 2 matched");
    const same = renderDiffText(
      diffAnalyses(
        analysisOf({ [D]: [{ res: "pcim_release:8 dmam_release:32" }] }),
        analysisOf({ [D]: [{ res: "pcim_release:8 dmam_release:32" }] }),
      ),
    );
    expect(same).toContain("acquisition (ADD order): same (2 resources)");
    expect(same).toContain("release order: same (2 resources)");
    expect(same).toContain(
      "Summary: score 1.00 over 1 device pair(s); 2 matched, 0 only in A, 0 only in B",
    );
  });

  it("colours only when asked", () => {
    const text = renderDiffText(sample(), { color: true });
    expect(text).toContain("\u001b[31m");
    expect(text).toContain("\u001b[36m");
  });
});

describe("renderDiffJson", () => {
  it("prints the devscope.diff/1 object with its documented top-level keys, in order", () => {
    const o = JSON.parse(renderDiffJson(sample())) as Record<string, unknown>;
    expect(Object.keys(o)).toEqual([
      "schema",
      "a",
      "b",
      "score",
      "coverA",
      "coverB",
      "devices",
      "onlyA",
      "onlyB",
      "summary",
      "notes",
    ]);
    expect(o["schema"]).toBe("devscope.diff/1");
    const dev = (o["devices"] as Record<string, unknown>[])[0] as Record<string, unknown>;
    expect(Object.keys(dev)).toEqual([
      "a",
      "b",
      "pairing",
      "score",
      "coverA",
      "coverB",
      "epochPairing",
      "epochs",
      "summary",
    ]);
    const ep = (dev["epochs"] as Record<string, unknown>[])[0] as Record<string, unknown>;
    expect(Object.keys(ep)).toEqual(
      expect.arrayContaining([
        "a",
        "b",
        "score",
        "matched",
        "onlyA",
        "onlyB",
        "reordered",
        "resized",
        "rows",
        "releaseRows",
      ]),
    );
  });
});
