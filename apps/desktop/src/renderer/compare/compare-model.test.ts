import ahciText from "../../../../../fixtures/real-traces/ahci-bind-unbind.ftrace.txt?raw";
import pipeText from "../../../../../fixtures/real-traces/trace-pipe-ahci-sdhci.trace_pipe.txt?raw";
import { analyzeImports, diffAnalyses, importText } from "@devscope/tracer";
import { describe, expect, it } from "vitest";
import { must } from "../../shared/must.ts";
import { specAnalysis } from "./compare-fixtures.ts";
import { countTypes, laneModel } from "./compare-model.ts";

const analyze = (text: string, path: string) => analyzeImports([importText(text, { path })]);

describe("laneModel", () => {
  it("lays out a real comparison: one column per alignment row, epoch bands, vertical links", () => {
    const d = diffAnalyses(analyze(ahciText, "ahci.txt"), analyze(pipeText, "pipe.txt"));
    const dev = must(d.devices.find((x) => x.a === "0000:00:1f.2"));
    const m = laneModel(dev, "add");
    const rows = dev.epochs.reduce((n, e) => n + e.rows.length, 0);
    expect(m.columns).toHaveLength(rows);
    expect(m.bands.map((b) => [b.label, b.count, b.score])).toEqual([
      ["A#0 ↔ B#0", 31, 1],
      ["A#1 ↔ B#1", 31, 1],
      ["A#2 ↔ B —", 31, 0],
    ]);
    const c = countTypes(m.entries);
    // Epoch 0: 28 paired by release order (B has no ADD: "·" rows of type matched) + 3 cut off;
    // epoch 1: 31 matched; epoch 2: 31 only in A.
    expect(c).toEqual({ matched: 59, onlyA: 31, onlyB: 0, resized: 0, reordered: 0, cutOff: 3 });
    // Every link of a both-sided row is vertical.
    expect(m.links.every((l) => l.a === l.b)).toBe(true);
    expect(m.links).toHaveLength(31);
    const rel = laneModel(dev, "release");
    expect(rel.bands.map((b) => b.count)).toEqual([28, 0, 28]);
  });

  it("merges the two halves of a moved resource into one entry, linked across columns", () => {
    const a = specAnalysis("gpu0", [
      "pcim_release:8 devm_irq_release:16 dmam_release:32 devm_kzalloc_release:64",
    ]);
    const b = specAnalysis("gpu0", [
      "pcim_release:8 dmam_release:32 devm_kzalloc_release:64 devm_irq_release:16",
    ]);
    const dev = must(diffAnalyses(a, b).devices[0]);
    const m = laneModel(dev, "add");
    expect(m.columns.map((c) => c.row.mark).join("")).toBe("=↕==↕");
    const moved = m.entries.filter((e) => e.type === "reordered");
    expect(moved).toHaveLength(1);
    expect(moved[0]).toMatchObject({ name: "devm_irq_release", colA: 1, colB: 4 });
    expect(m.links.find((l) => l.type === "reordered")).toMatchObject({ a: 1, b: 4 });
    // Both columns select the same entry.
    expect(must(m.columns[1]).entry).toBe(must(m.columns[4]).entry);
    expect(m.entries).toHaveLength(4);
  });

  it("keeps one-sided rows as their own entries", () => {
    const a = specAnalysis("gpu0", ["pcim_release:8 devm_irq_release:16"]);
    const b = specAnalysis("gpu0", ["pcim_release:8 devm_kzalloc_release:1024"]);
    const m = laneModel(must(diffAnalyses(a, b).devices[0]), "add");
    expect(m.entries.map((e) => [e.type, e.name, e.colA, e.colB])).toEqual([
      ["matched", "pcim_release", 0, 0],
      ["onlyA", "devm_irq_release", 1, -1],
      ["onlyB", "devm_kzalloc_release", -1, 2],
    ]);
  });
});
