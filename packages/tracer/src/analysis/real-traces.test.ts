import { createReadStream, readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { importChunks } from "../import/import-chunks.js";
import type { Analysis, DeviceSummary } from "../model/analysis.js";
import { analyzeText, analyzeTexts, problems } from "../rules/fixtures/real-trace.js";
import { analyzeImports } from "./analyze-imports.js";

// Ground truth: fixtures/real-traces/README.md (measured by an awk replay of every line).
const DIR = fileURLToPath(new URL("../../../../fixtures/real-traces/", import.meta.url));
const read = (name: string): string => readFileSync(DIR + name, "utf8");
const analyze = (name: string): Analysis => analyzeText(read(name), name);

function dev(a: Analysis, name: string): DeviceSummary {
  const d = a.devices.find((x) => x.name === name);
  if (d === undefined) throw new Error(`no device ${name}`);
  return d;
}

function counts(a: Analysis, name: string): [number, number, number, number] {
  const d = dev(a, name);
  return [d.counts.add, d.counts.rel, d.counts.rem, d.liveAtEnd];
}

/** Clean: nothing rejected, no warning/error, info facts at most one per device and epoch. */
function expectClean(a: Analysis): void {
  expect(a.lines.rejected).toBe(0);
  expect(problems(a)).toEqual([]);
  const keys = a.findings.map((f) => `${f.rule} ${f.device} ${f.epoch ?? ""}`);
  expect(new Set(keys).size).toBe(keys.length);
}

describe("real captures: counts equal the README ground truth, no false findings", () => {
  it("ahci-bind-unbind: 3 probes, 2 unbinds and an rmmod, all unbind; sd 0:0:0:0 pinctrl pairs", () => {
    const a = analyze("ahci-bind-unbind.ftrace.txt");
    expect(counts(a, "0000:00:1f.2")).toEqual([93, 84, 9, 0]);
    expect(counts(a, "0:0:0:0")).toEqual([6, 0, 6, 0]);
    const epochs = dev(a, "0000:00:1f.2").epochs;
    expect(epochs.map((e) => e.end)).toEqual(["unbind", "unbind", "unbind"]);
    expect(epochs.map((e) => (e.start_ns / 1e9).toFixed(3))).toEqual(["3.798", "7.781", "10.272"]);
    expect(epochs.map((e) => (e.end_ns / 1e9).toFixed(3))).toEqual(["6.758", "9.255", "12.783"]);
    expect(epochs.every((e) => e.releaseOrderOk === true && e.added === 31)).toBe(true);
    expect(dev(a, "0000:00:1f.2").driver).toBe("ahci");
    expectClean(a);
    expect(a.findings).toEqual([]);
  });

  it("ata-piix-probe-fail-on-ahci: the forced bind is a failed probe (no dmesg needed)", () => {
    const a = analyze("ata-piix-probe-fail-on-ahci.ftrace.txt");
    expect(counts(a, "0000:00:1f.2")).toEqual([7, 4, 3, 0]);
    const [e] = dev(a, "0000:00:1f.2").epochs;
    expect(e?.end).toBe("probe-failed");
    expect(e?.endEvidence).toContain("without returning to user space");
    expect(e?.releaseOrderOk).toBe(true);
    expect(e?.driver).toBe("ata_piix");
    expectClean(a);
    expect(a.findings).toEqual([]);
  });

  it("ata-piix with its dmesg merged stays a failed probe", () => {
    const a = analyzeTexts([
      { text: read("ata-piix-probe-fail-on-ahci.ftrace.txt"), path: "ata-piix.ftrace.txt" },
      { text: read("ata-piix-probe-fail-on-ahci.dmesg.txt"), path: "ata-piix.dmesg.txt" },
    ]);
    expect(dev(a, "0000:00:1f.2").epochs.map((e) => e.end)).toEqual(["probe-failed"]);
    expectClean(a);
  });

  it("e1000e-bind-unbind: unbind then rmmod, MSI nodes released each time", () => {
    const a = analyze("e1000e-bind-unbind.ftrace.txt");
    expect(counts(a, "0000:00:03.0")).toEqual([8, 4, 4, 0]);
    expect(dev(a, "0000:00:03.0").epochs.map((e) => e.end)).toEqual(["unbind", "unbind"]);
    expectClean(a);
    expect(a.findings).toEqual([]);
  });

  it("cirrus-drm-unbind: devres 12/8/4 and 14 drmm ADD/REL, released inside devm_drm_dev_init_release", () => {
    const a = analyze("cirrus-drm-unbind.ftrace.txt");
    expect(counts(a, "0000:00:06.0")).toEqual([12, 8, 4, 0]);
    expect(dev(a, "0000:00:06.0").drm).toEqual({ add: 14, rel: 14, del: 0, liveAtEnd: 0 });
    expect(dev(a, "0000:00:06.0").epochs.map((e) => e.end)).toEqual(["unbind", "unbind"]);
    expect(dev(a, "0000:00:06.0").driver).toBe("cirrus");
    const drmm = a.resources.filter((r) => r.list === "drmm");
    expect(drmm).toHaveLength(14);
    expect(drmm.every((r) => r.kind === "drm" && r.end === "released")).toBe(true);
    expect(new Set(drmm.map((r) => r.drmInstance))).toEqual(new Set([0, 1]));
    expectClean(a);
  });

  it("bochs-drm-unbind: 36 drmm lines (18 ADD / 18 REL), unbind and rmmod", () => {
    const a = analyze("bochs-drm-unbind.ftrace.txt");
    expect(counts(a, "0000:00:01.0")).toEqual([6, 2, 4, 0]);
    expect(dev(a, "0000:00:01.0").drm).toEqual({ add: 18, rel: 18, del: 0, liveAtEnd: 0 });
    expect(dev(a, "0000:00:01.0").epochs.map((e) => e.end)).toEqual(["unbind", "unbind"]);
    expectClean(a);
  });

  it("bochs with its dmesg merged: drm lines present in both are counted once", () => {
    const a = analyzeTexts([
      { text: read("bochs-drm-unbind.ftrace.txt"), path: "bochs.ftrace.txt" },
      { text: read("bochs-drm-unbind.dmesg.txt"), path: "bochs.dmesg.txt" },
    ]);
    expect(dev(a, "0000:00:01.0").drm).toEqual({ add: 18, rel: 18, del: 0, liveAtEnd: 0 });
    expect(a.inputs[1]?.duplicates).toBeGreaterThanOrEqual(36);
    expect(Math.abs(a.inputs[1]?.clockOffsetNs ?? 1e9)).toBeLessThan(2_000_000);
    expect(a.notes?.some((n) => n.includes("clock aligned"))).toBe(true);
    expectClean(a);
  });

  it("boot-all-drivers: 39 devices, ADD 142 / REM 79, the README's live-at-end set", () => {
    const a = analyze("boot-all-drivers.ftrace.txt");
    expect(a.devices).toHaveLength(39);
    const sum = a.devices.reduce<[number, number, number]>(
      (s, d) => [s[0] + d.counts.add, s[1] + d.counts.rel, s[2] + d.counts.rem],
      [0, 0, 0],
    );
    expect(sum).toEqual([142, 0, 79]);
    const live = Object.fromEntries(
      a.devices.filter((d) => d.liveAtEnd > 0).map((d) => [d.name, d.liveAtEnd]),
    );
    expect(live).toEqual({
      "0000:00:1f.2": 28,
      "0000:00:08.0": 6,
      "0000:00:06.0": 4,
      "0000:00:07.0": 4,
      "0000:00:1f.3": 4,
      "0000:00:09.0": 4,
      "00:04": 3,
      "0000:00:05.0": 2,
      "0000:00:0a.0": 2,
      "0000:00:03.0": 2,
      "0000:00:1f.0": 2,
      "0000:00:01.0": 1,
      "reg-dummy": 1,
    });
    expect(a.devices.every((d) => d.epochs.every((e) => e.end === "bound-at-end"))).toBe(true);
    expectClean(a);
    expect(a.findings).toEqual([]);
  });

  it("trace-cmd report: ops and names recovered, cut-off start aggregated to one info", () => {
    const a = analyze("trace-cmd-ahci-e1000.trace-cmd-report.txt");
    expect(counts(a, "0000:00:1f.2")).toEqual([31, 28, 3, 28]);
    expect(counts(a, "0000:00:02.0")).toEqual([2, 0, 2, 0]);
    expect(counts(a, "0:0:0:0")).toEqual([2, 0, 2, 0]);
    const epochs = dev(a, "0000:00:1f.2").epochs;
    expect(epochs.map((e) => [e.end, e.startCutOff === true])).toEqual([
      ["unbind", true],
      ["bound-at-end", false],
    ]);
    expectClean(a);
    expect(a.findings.map((f) => [f.rule, f.severity, f.device, f.resources.length])).toEqual([
      ["release-unknown", "info", "0000:00:1f.2", 28],
    ]);
    // Names printed as pointers: the allocation call sites name most of them.
    const irq = a.resources.find((r) => r.recoveredName === "devm_irq_release");
    expect(irq?.kind).toBe("irq");
  });

  it("trace_pipe: no header, the first unbinds' nodes predate the trace (one info per device)", () => {
    const a = analyze("trace-pipe-ahci-sdhci.trace_pipe.txt");
    const total = a.devices.reduce(
      (n, d) => n + d.counts.add + d.counts.rel + d.counts.rem + d.counts.replace,
      0,
    );
    // 93 lines mention devres_log; one of them is the trace-start marker listing the events.
    expect(total).toBe(92);
    expect(dev(a, "0000:00:08.0").epochs.map((e) => e.end)).toEqual(["unbind", "unbind"]);
    expectClean(a);
    expect(a.findings.map((f) => [f.rule, f.severity, f.device])).toEqual([
      ["release-unknown", "info", "0000:00:1f.2"],
      ["release-unknown", "info", "0000:00:08.0"],
    ]);
  });

  it("large-stress (185 MB, 200 cycles x 7 devices): exact counts, constant live set, no findings", async () => {
    const r = await importChunks(
      createReadStream(`${DIR}large-stress.ftrace.txt.gz`, { highWaterMark: 1 << 20 }),
      {
        path: "large-stress.ftrace.txt.gz",
        keepKmem: "module",
      },
    );
    const a = analyzeImports([r]);
    expect(a.lines.rejected).toBe(0);
    expect(counts(a, "0000:00:1f.2")).toEqual([6231, 5600, 603, 28]);
    expect(counts(a, "0000:00:03.0")).toEqual([804, 400, 402, 2]);
    expect(counts(a, "0000:00:01.0")).toEqual([603, 200, 402, 1]);
    expect(counts(a, "0000:00:1f.3")).toEqual([1206, 800, 402, 4]);
    expect(counts(a, "0000:00:08.0")).toEqual([1608, 1200, 402, 6]);
    for (const name of ["0000:00:02.0", "0000:00:04.0", "0:0:0:0", "mmc0:4567"])
      expect(counts(a, name)).toEqual([402, 0, 402, 0]);
    const ahci = dev(a, "0000:00:1f.2").epochs;
    expect(ahci).toHaveLength(201);
    expect(ahci.slice(0, 200).every((e) => e.end === "unbind" && e.releaseOrderOk === true)).toBe(
      true,
    );
    expect(a.findings).toEqual([]);
  });
});
