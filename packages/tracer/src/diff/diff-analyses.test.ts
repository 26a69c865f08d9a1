import { describe, expect, it } from "vitest";
import { diffAnalyses } from "./diff-analyses.js";
import { DiffInputError, type DiffItem, type EpochDiff } from "./diff-model.js";
import { analysisOf, type DeviceSpec } from "./fixtures/analysis-spec.js";

const D = "0000:00:06.0";

function one(a: DeviceSpec, b: DeviceSpec): EpochDiff {
  const d = diffAnalyses(analysisOf(a), analysisOf(b));
  expect(d.devices).toHaveLength(1);
  const e = d.devices[0]?.epochs[0];
  if (e === undefined) throw new Error("no epoch");
  return e;
}

const names = (items: readonly DiffItem[]): string[] =>
  items.map((i) => `${i.name}:${i.a?.size ?? "-"}/${i.b?.size ?? "-"}@${i.at}`);

const PROBE =
  "devm_kzalloc_release:40! devm_pinctrl_release:8! pcim_release:8 devm_action_release:16 devm_ioremap_release:8 devm_ioremap_release:8";

describe("diffAnalyses: one epoch pair", () => {
  it("scores identical epochs 1 with every resource matched", () => {
    const e = one({ [D]: [{ res: PROBE }] }, { [D]: [{ res: PROBE }] });
    expect(e).toMatchObject({ a: 0, b: 0, score: 1, matched: 6, countA: 6, countB: 6 });
    expect([e.onlyA, e.onlyB, e.reordered, e.resized, e.cutOff]).toEqual([[], [], [], [], []]);
    expect(e.rows.map((r) => r.mark).join("")).toBe("======");
    expect(e.releaseRows.map((r) => r.mark).join("")).toBe("====");
  });

  it("lists a resource present on one side only, at acquisition", () => {
    const e = one(
      { [D]: [{ res: "pcim_release:8 devm_irq_release:16 dmam_release:32" }] },
      { [D]: [{ res: "pcim_release:8 dmam_release:32" }] },
    );
    expect(names(e.onlyA)).toEqual(["devm_irq_release:16/-@add"]);
    expect(e.onlyB).toEqual([]);
    expect(e.rows.map((r) => r.mark).join("")).toBe("=-=");
    // 2 matched of max(3, 2).
    expect(e.score).toBeCloseTo(2 / 3, 4);
  });

  it("calls a same-name resource of another size resized, in place", () => {
    const e = one(
      { [D]: [{ res: "pcim_release:8 devm_kzalloc_release:1288 dmam_release:32" }] },
      { [D]: [{ res: "pcim_release:8 devm_kzalloc_release:1024 dmam_release:32" }] },
    );
    expect(names(e.resized)).toEqual(["devm_kzalloc_release:1288/1024@add"]);
    expect(e.resized[0]?.moved).toBeUndefined();
    expect(e.rows.map((r) => r.mark).join("")).toBe("=~=");
    expect(e.score).toBeCloseTo((2 + 0.5) / 3, 4);
  });

  it("calls a resource acquired at another position reordered, with both positions", () => {
    const e = one(
      {
        [D]: [
          { res: "pcim_release:8 devm_irq_release:16 dmam_release:32 devm_kzalloc_release:64" },
        ],
      },
      {
        [D]: [
          { res: "pcim_release:8 dmam_release:32 devm_kzalloc_release:64 devm_irq_release:16" },
        ],
      },
    );
    const add = e.reordered.filter((i) => i.at === "add");
    expect(names(add)).toEqual(["devm_irq_release:16/16@add"]);
    expect(add[0]?.a?.pos).toBe(1);
    expect(add[0]?.b?.pos).toBe(3);
    expect(e.rows.map((r) => r.mark).join("")).toBe("=↕==↕");
    expect(e.onlyA).toEqual([]);
    // Released newest first on both sides, so the IRQ's release moves too (docs/diff.md,
    // worked example 3): (3 + 1 - 0.25 - 0.25) / 4.
    expect(names(e.reordered.filter((i) => i.at === "release"))).toEqual([
      "devm_irq_release:16/16@release",
    ]);
    expect(e.score).toBe(0.875);
  });

  it("reads swapped sizes of one name as two reorders, not two resizes", () => {
    const e = one(
      { [D]: [{ res: "devm_kzalloc_release:8 pcim_release:8 devm_kzalloc_release:16" }] },
      { [D]: [{ res: "devm_kzalloc_release:16 pcim_release:8 devm_kzalloc_release:8" }] },
    );
    expect(e.resized).toEqual([]);
    expect(names(e.reordered.filter((i) => i.at === "add"))).toEqual([
      "devm_kzalloc_release:8/8@add",
      "devm_kzalloc_release:16/16@add",
    ]);
  });

  it("finds resources released in a different order at unbind (longest common order)", () => {
    // A releases LIFO; B releases pcim_release before devm_action_release.
    const e = one(
      { [D]: [{ res: "pcim_release:8 devm_action_release:16 devm_ioremap_release:8" }] },
      {
        [D]: [
          {
            res: "pcim_release:8 devm_action_release:16 devm_ioremap_release:8",
            release: [2, 0, 1],
          },
        ],
      },
    );
    expect(e.rows.map((r) => r.mark).join("")).toBe("===");
    const rel = e.reordered.filter((i) => i.at === "release");
    expect(rel).toHaveLength(1);
    expect(e.releaseRows.map((r) => r.mark).join("")).toMatch(/^=(↕=↕|=↕↕|↕↕=)$/);
    expect(e.matched).toBe(2);
    expect(e.score).toBeCloseTo((2 + 0.75) / 3, 4);
  });

  it("reports a resource one side releases and the other removes", () => {
    const e = one(
      { [D]: [{ res: "pcim_release:8 devm_irq_release:16" }] },
      { [D]: [{ res: "pcim_release:8 devm_irq_release:16!" }] },
    );
    const rel = e.onlyA.filter((i) => i.at === "release");
    expect(names(rel)).toEqual(["devm_irq_release:16/-@release"]);
    expect(rel[0]?.note).toContain("removed");
    expect(e.score).toBeCloseTo((1 + 0.75) / 2, 4);
  });

  it("does not count releases against a side that is still bound", () => {
    const e = one(
      { [D]: [{ res: PROBE }] },
      {
        [D]: [{ res: PROBE.replaceAll(":8 ", ":8~ ").replace(/:8$/, ":8~"), end: "bound-at-end" }],
      },
    );
    expect(e.releaseMissing).toBe("b");
    expect(e.score).toBe(1);
    expect(e.notes?.join(" ")).toContain("still bound");
  });

  it("pairs a cut-off epoch by release order and sets aside what the late trace could not see", () => {
    // B's trace starts after the probe: the pinctrl pair (removed during probe) is invisible,
    // the rest shows as releases only.
    const e = one(
      { [D]: [{ res: PROBE }] },
      {
        [D]: [
          {
            res: "^pcim_release:8 ^devm_action_release:16 ^devm_ioremap_release:8 ^devm_ioremap_release:8",
            startCutOff: true,
          },
        ],
      },
    );
    expect(e.addMissing).toBe("b");
    expect(e.matched).toBe(4);
    expect(names(e.cutOff)).toEqual([
      "devm_kzalloc_release:40/-@add",
      "devm_pinctrl_release:8/-@add",
    ]);
    expect(e.cutOff[0]?.note).toContain("B's trace starts after");
    expect([e.onlyA, e.onlyB]).toEqual([[], []]);
    expect(e).toMatchObject({ countA: 4, countB: 4, score: 1 });
    expect(e.rows.map((r) => r.mark).join("")).toBe("······");
    expect(e.releaseRows.map((r) => r.mark).join("")).toBe("====");
  });

  it("still reports a resource the cut-off side should have released", () => {
    const e = one(
      { [D]: [{ res: PROBE }] },
      {
        [D]: [
          {
            res: "^pcim_release:8 ^devm_action_release:16 ^devm_ioremap_release:8",
            startCutOff: true,
          },
        ],
      },
    );
    expect(names(e.onlyA)).toEqual(["devm_ioremap_release:8/-@add"]);
    expect(e.cutOff).toHaveLength(2);
  });

  it("compares DRM managed resources as their own sequence", () => {
    const drmm =
      "drmm/drm_dev_init_release:0 drmm/kmalloc:80 drmm/drm_minor_alloc_release:8 drmm/kmalloc:248";
    const e = one(
      { [D]: [{ res: `pcim_release:8 ${drmm} devm_action_release:16` }] },
      {
        [D]: [
          {
            res: `pcim_release:8 devm_action_release:16 ${drmm.replace("kmalloc:248", "kmalloc:256")}`,
          },
        ],
      },
    );
    // drmm never aligns against devres: interleaving differently is not a difference.
    expect(e.reordered).toEqual([]);
    expect(e.resized.map((i) => [i.list, i.name, i.a?.size, i.b?.size])).toEqual([
      ["drmm", "kmalloc", 248, 256],
    ]);
    expect(
      e.rows
        .filter((r) => r.list === "drmm")
        .map((r) => r.mark)
        .join(""),
    ).toBe("===~");
  });

  it("normalises module name forms and infers unloaded-module names by page offset", () => {
    const a = analysisOf({ [D]: [{ res: "pcim_release:8 X:0 Y:0" }] });
    const b = analysisOf({ [D]: [{ res: "pcim_release:8 ata_devres_release:0 ata_host_stop:0" }] });
    // A: libata unloaded before the trace was read; B: still loaded.
    Object.assign(a.resources[1] as object, {
      name: "0xffffffffc0642715",
      nameForm: "module-gone",
      nameAddr: "0xffffffffc0642715",
    });
    Object.assign(a.resources[2] as object, {
      name: "(0xffffffffc06424b6)[UNSAFE-MEMORY]",
      kind: "other",
    });
    Object.assign(b.resources[1] as object, { nameForm: "module", nameAddr: "0xffffffffc0713715" });
    Object.assign(b.resources[2] as object, { nameForm: "module", nameAddr: "0xffffffffc07134b6" });
    const d = diffAnalyses(a, b);
    const e = d.devices[0]?.epochs[0];
    expect(e?.score).toBe(1);
    expect(e?.rows.map((r) => [r.mark, r.name, r.a?.printed])).toEqual([
      ["=", "pcim_release", undefined],
      ["=", "ata_devres_release", "0xffffffffc0642715"],
      ["=", "ata_host_stop", "(0xffffffffc06424b6)[UNSAFE-MEMORY]"],
    ]);
    expect(d.notes.join(" ")).toContain("?+0x715 = ata_devres_release, ?+0x4b6 = ata_host_stop");
  });

  it("matches nameless nodes of one module by offset when no trace names them", () => {
    const a = analysisOf({ [D]: [{ res: "X:0" }] });
    const b = analysisOf({ [D]: [{ res: "Y:0 Z:0" }] });
    Object.assign(a.resources[0] as object, {
      name: "0xffffffffc0642715",
      nameForm: "module-gone",
      nameAddr: "0xffffffffc0642715",
    });
    Object.assign(b.resources[0] as object, {
      name: "0xffffffffc0699715",
      nameForm: "module-gone",
      nameAddr: "0xffffffffc0699715",
    });
    Object.assign(b.resources[1] as object, {
      name: "0xffffffffc06994b6",
      nameForm: "module-gone",
      nameAddr: "0xffffffffc06994b6",
    });
    const e = diffAnalyses(a, b).devices[0]?.epochs[0];
    expect(e?.rows.map((r) => `${r.mark}${r.name}`)).toEqual(["=?+0x715", "+?+0x4b6"]);
  });
});

describe("diffAnalyses: epochs and devices", () => {
  const bind = { res: PROBE };
  it("pairs equal epoch counts in order and scores the device over all of them", () => {
    const d = diffAnalyses(
      analysisOf({ [D]: [bind, bind] }),
      analysisOf({ [D]: [bind, { res: "pcim_release:8" }] }),
    );
    const dev = d.devices[0];
    expect(dev?.epochPairing).toBe("order");
    expect(dev?.epochs.map((e) => [e.a, e.b])).toEqual([
      [0, 0],
      [1, 1],
    ]);
    // (6 + 1) credits over (6 + 6) resources.
    expect(dev?.score).toBeCloseTo(7 / 12, 4);
  });

  it("pairs different epoch counts by best score and reports the unpaired epoch", () => {
    const other = { res: "pcim_release:8 devm_irq_release:16 dmam_release:32 dmam_release:32" };
    const d = diffAnalyses(
      analysisOf({ [D]: [bind, other, bind] }),
      analysisOf({ [D]: [other, bind] }),
    );
    const dev = d.devices[0];
    expect(dev?.epochPairing).toBe("best");
    expect(dev?.epochs.map((e) => [e.a, e.b, e.score])).toEqual([
      [0, null, 0],
      [1, 0, 1],
      [2, 1, 1],
    ]);
    expect(dev?.epochs[0]?.notes).toEqual(["no partner epoch in B"]);
    expect(dev?.epochs[0]?.onlyA).toHaveLength(6);
  });

  it("pairs 200 identical binds against 199 quickly through shared signatures", () => {
    const a = analysisOf({ [D]: Array.from({ length: 200 }, () => bind) });
    const b = analysisOf({ [D]: Array.from({ length: 199 }, () => bind) });
    const dev = diffAnalyses(a, b).devices[0];
    expect(dev?.epochs).toHaveLength(200);
    expect(
      dev?.epochs.filter((e) => e.a !== null && e.b !== null).every((e) => e.score === 1),
    ).toBe(true);
    expect(dev?.epochs[199]).toMatchObject({ a: 199, b: null });
  });

  it("pairs devices by name, lists the others, and follows --map", () => {
    const a = analysisOf({ [D]: [bind], "0000:00:02.0": [bind] });
    const b = analysisOf({ gpu0: [bind], "0000:00:02.0": [bind] });
    const plain = diffAnalyses(a, b);
    expect(plain.devices.map((x) => [x.a, x.b, x.pairing])).toEqual([
      ["0000:00:02.0", "0000:00:02.0", "name"],
    ]);
    expect([plain.onlyA, plain.onlyB]).toEqual([[D], ["gpu0"]]);
    const mapped = diffAnalyses(a, b, { map: [{ a: D, b: "gpu0" }] });
    expect(mapped.devices.map((x) => [x.a, x.b, x.pairing, x.score])).toEqual([
      [D, "gpu0", "map", 1],
      ["0000:00:02.0", "0000:00:02.0", "name", 1],
    ]);
    expect([mapped.onlyA, mapped.onlyB]).toEqual([[], []]);
  });

  it("rejects mappings to unknown devices or epochs, in both directions", () => {
    const a = analysisOf({ [D]: [bind] });
    const b = analysisOf({ gpu0: [bind, bind] });
    expect(() => diffAnalyses(a, b, { map: [{ a: "nope", b: "gpu0" }] })).toThrow(DiffInputError);
    expect(() => diffAnalyses(a, b, { map: [{ a: "nope", b: "gpu0" }] })).toThrow(
      /no device "nope" in A \(A has: 0000:00:06.0\)/,
    );
    expect(() => diffAnalyses(a, b, { map: [{ a: D, b: "gpu1" }] })).toThrow(
      /no device "gpu1" in B \(B has: gpu0\)/,
    );
    expect(() => diffAnalyses(a, b, { map: [{ a: D, b: "gpu0#2" }] })).toThrow(
      /"gpu0" of B has 2 epoch\(s\) \(#0\.\.#1\)/,
    );
    expect(() =>
      diffAnalyses(a, b, {
        map: [
          { a: D, b: "gpu0" },
          { a: D, b: "gpu0#1" },
        ],
      }),
    ).toThrow(/already mapped/);
  });

  it("compares single epochs named in a mapping", () => {
    const a = analysisOf({ [D]: [bind, { res: "pcim_release:8" }, bind] });
    const d = diffAnalyses(a, a, {
      map: [
        { a: `${D}#0`, b: `${D}#2` },
        { a: `${D}#0`, b: `${D}#1` },
      ],
    });
    expect(
      d.devices.map((x) => [x.epochA, x.epochB, x.score, x.epochs.map((e) => [e.a, e.b])]),
    ).toEqual([
      [0, 2, 1, [[0, 2]]],
      [0, 1, 1 / 6, [[0, 1]]].map((v, i) => (i === 2 ? expect.closeTo(1 / 6, 4) : v)),
    ]);
  });

  it("pairs renamed devices automatically only when asked, and says so", () => {
    const a = analysisOf({
      [D]: [bind],
      "0:0:0:0": [{ res: "devm_kzalloc_release:40! devm_pinctrl_release:8!" }],
    });
    const b = analysisOf({
      gpu0: [bind],
      "mmc0:4567": [{ res: "devm_kzalloc_release:40! devm_pinctrl_release:8!" }],
    });
    expect(diffAnalyses(a, b).devices).toEqual([]);
    const auto = diffAnalyses(a, b, { autoPair: true });
    // The pinctrl pair alone is not evidence: 0:0:0:0 and mmc0:4567 stay apart.
    expect(auto.devices.map((x) => [x.a, x.b, x.pairing])).toEqual([[D, "gpu0", "auto"]]);
    expect(auto.onlyA).toEqual(["0:0:0:0"]);
    expect(auto.notes.join(" ")).toContain("paired automatically");
  });

  it("is deterministic and symmetric in its counts", () => {
    const a = analysisOf({ [D]: [{ res: "pcim_release:8 devm_irq_release:16 dmam_release:32" }] });
    const b = analysisOf({
      [D]: [{ res: "dmam_release:32 pcim_release:8 devm_kzalloc_release:8" }],
    });
    expect(JSON.stringify(diffAnalyses(a, b))).toBe(JSON.stringify(diffAnalyses(a, b)));
    const ab = diffAnalyses(a, b).summary;
    const ba = diffAnalyses(b, a).summary;
    expect([ab.matched, ab.onlyA, ab.onlyB, ab.reordered, ab.resized]).toEqual([
      ba.matched,
      ba.onlyB,
      ba.onlyA,
      ba.reordered,
      ba.resized,
    ]);
    expect(diffAnalyses(a, b).score).toBe(diffAnalyses(b, a).score);
  });
});
