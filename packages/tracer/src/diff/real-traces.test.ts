import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import type { Analysis } from "../model/analysis.js";
import { analyzeText, analyzeTexts } from "../rules/fixtures/real-trace.js";
import { diffAnalyses } from "./diff-analyses.js";
import type { DiffItem, DiffResult } from "./diff-model.js";
import { renderDiffText } from "./diff-text.js";

const FIX = fileURLToPath(new URL("../../../../fixtures/real-traces/", import.meta.url));
const cache = new Map<string, Analysis>();
function real(...files: string[]): Analysis {
  const key = files.join("+");
  let a = cache.get(key);
  if (a === undefined) {
    const texts = files.map((f) => ({ path: f, text: readFileSync(FIX + f, "utf8") }));
    a =
      texts.length === 1
        ? analyzeText((texts[0] as { text: string }).text, files[0] as string)
        : analyzeTexts(texts);
    cache.set(key, a);
  }
  return a;
}

const AHCI = "ahci-bind-unbind.ftrace.txt";
const PIPE = "trace-pipe-ahci-sdhci.trace_pipe.txt";
const CMD = "trace-cmd-ahci-e1000.trace-cmd-report.txt";
const DEV = "0000:00:1f.2";

const label = (i: DiffItem): string => `${i.name} ${i.a?.size ?? i.b?.size ?? ""}`;

function epochOnly(d: DiffResult, dev = DEV) {
  const e = d.devices.find((x) => x.a === dev)?.epochs;
  expect(e).toHaveLength(1);
  return e?.[0];
}

describe("real against real", () => {
  it("scores the three ahci binds of ahci-bind-unbind 1.0 against each other", () => {
    const a = real(AHCI);
    for (const [x, y] of [
      [0, 1],
      [0, 2],
      [1, 2],
      [2, 0],
    ] as const) {
      const d = diffAnalyses(a, a, { map: [{ a: `${DEV}#${x}`, b: `${DEV}#${y}` }] });
      const e = epochOnly(d);
      expect(e).toMatchObject({ a: x, b: y, score: 1, matched: 31, countA: 31, countB: 31 });
      expect([e?.onlyA, e?.onlyB, e?.reordered, e?.resized, e?.cutOff]).toEqual([
        [],
        [],
        [],
        [],
        [],
      ]);
      // 31 ADDs (3 removed during probe) and 28 releases, in identical order.
      expect(e?.rows.map((r) => r.mark).join("")).toBe("=".repeat(31));
      expect(e?.releaseRows.map((r) => r.mark).join("")).toBe("=".repeat(28));
      expect(d.devices[0]).toMatchObject({
        a: DEV,
        b: DEV,
        pairing: "map",
        epochA: x,
        epochB: y,
        score: 1,
      });
    }
  });

  it("compares the whole capture with itself at 1.0", () => {
    const a = real(AHCI);
    const d = diffAnalyses(a, a);
    expect(d.score).toBe(1);
    expect(d.devices.map((x) => [x.a, x.epochPairing, x.epochs.length])).toEqual([
      [DEV, "order", 3],
      ["0:0:0:0", "order", 3],
    ]);
    expect(d.summary).toEqual({
      matched: 99,
      onlyA: 0,
      onlyB: 0,
      reordered: 0,
      resized: 0,
      cutOff: 0,
    });
  });

  it("lists every difference against trace_pipe's ahci epochs (one cut off at the start, one still bound)", () => {
    const d = diffAnalyses(real(AHCI), real(PIPE));
    expect(d.onlyA).toEqual([]);
    expect(d.onlyB).toEqual(["0000:00:08.0", "mmc0:4567"]);
    const ahci = d.devices.find((x) => x.a === DEV);
    expect(ahci?.epochPairing).toBe("best");
    expect(ahci?.epochs.map((e) => [e.a, e.b, e.score])).toEqual([
      [0, 0, 1],
      [1, 1, 1],
      [2, null, 0],
    ]);
    const [cut, bound, extra] = ahci?.epochs ?? [];
    // trace_pipe started after the first probe: its ADDs are missing, the 28 releases pair
    // by release order, and what ended during the probe (the pinctrl pair and the group
    // ata_host_alloc removes) could not be in it.
    expect(cut).toMatchObject({ addMissing: "b", matched: 28, countA: 28, countB: 28 });
    expect(cut?.cutOff.map(label)).toEqual([
      "devm_kzalloc_release 40",
      "devm_pinctrl_release 8",
      "grp< 0",
    ]);
    expect([cut?.onlyA, cut?.onlyB, cut?.reordered, cut?.resized]).toEqual([[], [], [], []]);
    expect(cut?.releaseRows.map((r) => r.mark).join("")).toBe("=".repeat(28));
    // The rebind is still bound when trace_pipe stopped: acquisition only.
    expect(bound).toMatchObject({ releaseMissing: "b", matched: 31 });
    expect(bound?.rows.map((r) => r.mark).join("")).toBe("=".repeat(31));
    // ahci-bind-unbind has one more bind (rmmod's) than trace_pipe.
    expect(extra?.onlyA).toHaveLength(31);
    expect(extra?.notes).toEqual(["no partner epoch in B"]);
    // libata was unloaded before ahci-bind-unbind was read; trace_pipe printed the names.
    expect(d.notes.join("\n")).toContain("?+0x715 = ata_devres_release, ?+0x4b6 = ata_host_stop");
    const named = bound?.rows.find((r) => r.a?.printed === "0xffffffffc0642715");
    expect(named).toMatchObject({ name: "ata_devres_release", mark: "=" });
  });

  it("scores each ahci bind 1.0 against each trace_pipe ahci epoch", () => {
    for (const x of [0, 1, 2])
      for (const y of [0, 1]) {
        const e = epochOnly(
          diffAnalyses(real(AHCI), real(PIPE), { map: [{ a: `${DEV}#${x}`, b: `${DEV}#${y}` }] }),
        );
        expect(e?.score).toBe(1);
        expect(e?.cutOff).toHaveLength(y === 0 ? 3 : 0);
      }
  });

  it("names trace-cmd's raw pointers by offset and by position, and scores the binds 1.0", () => {
    const d = diffAnalyses(real(AHCI), real(CMD));
    const ahci = d.devices.find((x) => x.a === DEV);
    expect(ahci?.epochs.map((e) => [e.a, e.b, e.score])).toEqual([
      [0, 0, 1],
      [1, 1, 1],
      [2, null, 0],
    ]);
    // devm_action_release's name pointer is core kernel (0xffffffffb89e82a2) and no kmalloc
    // call site names it: the alignment places it against A's devm_action_release.
    expect(d.notes.join("\n")).toContain("?core+0x2a2 = devm_action_release");
    // Neither capture names libata's two release functions: they still match by offset.
    expect(
      ahci?.epochs[1]?.rows
        .filter((r) => r.name.startsWith("?+0x"))
        .map((r) => `${r.mark}${r.name}`),
    ).toEqual(["=?+0x715", "=?+0x4b6"]);
    expect(d.onlyB).toEqual(["0000:00:02.0"]);
  });

  it("scores the two cirrus binds 1.0 against each other, DRM managed resources included", () => {
    const c = real("cirrus-drm-unbind.ftrace.txt", "cirrus-drm-unbind.dmesg.txt");
    const e = epochOnly(
      diffAnalyses(c, c, { map: [{ a: "0000:00:06.0#0", b: "0000:00:06.0#1" }] }),
      "0000:00:06.0",
    );
    expect(e).toMatchObject({ score: 1, matched: 13 });
    expect(e?.rows.filter((r) => r.list === "drmm").map((r) => `${r.name}:${r.a?.size}`)).toEqual([
      "drm_dev_init_release:0",
      "kmalloc:80",
      "drm_minor_alloc_release:8",
      "kmalloc:248",
      "drm_gem_init_release:0",
      "kmalloc:13",
      "drm_mode_config_init_release:0",
    ]);
    expect(e?.releaseRows.filter((r) => r.list === "drmm")).toHaveLength(7);
  });

  it("shows what a different driver on the same device does differently", () => {
    // ata_piix's failed probe on the AHCI controller vs ahci's first bind.
    const d = diffAnalyses(real(AHCI), real("ata-piix-probe-fail-on-ahci.ftrace.txt"));
    const e = d.devices[0]?.epochs[0];
    expect(e).toMatchObject({ a: 0, b: 0, endA: "unbind", endB: "probe-failed" });
    expect(e?.onlyB.map(label)).toEqual(["grp< 0"]);
    expect(e?.resized.map((i) => `${i.name} ${i.a?.size}->${i.b?.size}`)).toEqual([
      "devm_kzalloc_release 312->24",
    ]);
    expect(e?.score).toBeLessThan(0.25);
  });

  it("scores every real capture 1.0 against itself, with nothing listed", () => {
    for (const files of [
      [AHCI],
      [PIPE],
      [CMD],
      ["ata-piix-probe-fail-on-ahci.ftrace.txt"],
      ["bochs-drm-unbind.ftrace.txt", "bochs-drm-unbind.dmesg.txt"],
      ["boot-all-drivers.ftrace.txt", "boot-all-drivers.dmesg.txt"],
      ["cirrus-drm-unbind.ftrace.txt", "cirrus-drm-unbind.dmesg.txt"],
      ["e1000e-bind-unbind.ftrace.txt"],
    ]) {
      const a = real(...files);
      const d = diffAnalyses(a, a);
      expect([files[0], d.score]).toEqual([files[0], 1]);
      expect(d.summary).toEqual({
        matched: a.resources.length,
        onlyA: 0,
        onlyB: 0,
        reordered: 0,
        resized: 0,
        cutOff: 0,
      });
      expect(d.devices).toHaveLength(a.devices.length);
    }
  });

  it("prints a readable side-by-side", () => {
    const text = renderDiffText(diffAnalyses(real(AHCI), real(PIPE)), { width: 100 });
    expect(text).toContain(
      "A#0 (unbind) ↔ B#0 (unbind, starts before trace)  score 1.00  28 matched, 3 cut off",
    );
    expect(text).toContain("A#1 (unbind) ↔ B#1 (bound-at-end)  score 1.00  31 matched");
    expect(text).toContain("0000:00:1f.2  (same name)  score 0.66 (A in B 0.66, B in A 1.00)");
    expect(text).toContain("A#2 (unbind) ↔ B —  score 0.00  0 matched, 31 only A");
    expect(text).toContain("Devices only in B: 0000:00:08.0, mmc0:4567");
    // Overall: 61 credits over ahci's 90 + 0:0:0:0's 6 + the 16 resources of B's sdhci devices.
    expect(text).toMatch(
      /Summary: score 0\.54 \(A in B 0\.64, B in A 0\.79\) over 2 device pair\(s\) and 2 device\(s\)\s+without\s+a\s+partner;\s+61\s+matched,\s+35\s+only\s+in\s+A/,
    );
    expect(text).toContain("(not in B's trace: it starts later)");
    expect(text).toContain("\n    note: B's trace starts after this epoch's probe");
    const long = text.split("\n").filter((l) => [...l].length > 100);
    expect(long).toEqual([]);
  });
});
