import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { analyzeEvents } from "../analysis/analyze-events.js";
import { probeStart, trace } from "../analysis/fixtures/trace-dsl.js";
import {
  analyzeText,
  findingsOf,
  ftraceLine,
  insertByTime,
  lineIndex,
  linesOf,
  problems,
} from "./fixtures/real-trace.js";
import { irqOutlivesData } from "./irq-outlives-data.js";

const DIR = fileURLToPath(new URL("../../../../fixtures/real-traces/", import.meta.url));
const read = (n: string): string => readFileSync(DIR + n, "utf8");
const AHCI = read("ahci-bind-unbind.ftrace.txt");

describe("irq-outlives-data", () => {
  it("is clean on every real capture with a managed IRQ (ahci, i801, boot)", () => {
    for (const name of [
      "ahci-bind-unbind.ftrace.txt",
      "boot-all-drivers.ftrace.txt",
      "trace-pipe-ahci-sdhci.trace_pipe.txt",
    ]) {
      expect(findingsOf(analyzeText(read(name), name), "irq-outlives-data")).toEqual([]);
    }
  });

  it("flags ahci's IRQ when it is requested right after the BAR mapping, before its buffers", () => {
    const lines = linesOf(AHCI);
    const dev = "0000:00:1f.2";
    // Probe 1: move devm_request_irq() up to the first allocations...
    lines.splice(lineIndex(lines, "ADD 000000001179cd40 devm_irq_release"), 1);
    insertByTime(
      lines,
      ftraceLine(
        "modprobe",
        120,
        0,
        "d..1.",
        3.798512,
        "devres_log",
        `${dev} ADD 000000001179cd40 devm_irq_release (16 bytes)`,
      ),
    );
    // ...so the unbind burst, LIFO, frees it after everything allocated later.
    lines.splice(lineIndex(lines, "REL 000000001179cd40 devm_irq_release"), 1);
    insertByTime(
      lines,
      ftraceLine(
        "init",
        1,
        1,
        ".....",
        6.7578,
        "devres_log",
        `${dev} REL 000000001179cd40 devm_irq_release (16 bytes)`,
      ),
    );
    const a = analyzeText(lines.join("\n"), "ahci-early-irq.txt");
    expect(a.devices.find((d) => d.name === dev)?.epochs[0]?.releaseOrderOk).toBe(true);
    const fs = findingsOf(a, "irq-outlives-data");
    expect(fs).toHaveLength(1);
    const f = fs[0];
    expect(f?.severity).toBe("warning");
    expect(f?.epoch).toBe(0);
    const rs = (f?.resources ?? []).map((id) => a.resources.find((r) => r.id === id));
    expect(rs[0]?.name).toBe("devm_irq_release");
    const kinds = rs.slice(1).map((r) => r?.kind);
    expect(kinds.filter((k) => k === "dma-coherent")).toHaveLength(6);
    expect(kinds.filter((k) => k === "memory")).toHaveLength(13);
    expect(f?.message).toContain("was requested before 19 memory/DMA resources");
    expect(problems(a).map((x) => x.rule)).toEqual(["irq-outlives-data"]);
  });

  it("ignores an IRQ requested last, and one freed explicitly with devm_free_irq()", () => {
    const last = trace(`${probeStart(1, "m-1", "d", 1)}
1.1 m-1 devres d ADD buf devm_kzalloc_release 64
1.2 m-1 devres d ADD irq devm_irq_release 16`);
    expect(analyzeEvents(last, { rules: [irqOutlivesData] }).findings).toEqual([]);
    const freed = trace(`${probeStart(1, "m-1", "d", 1)}
1.1 m-1 devres d ADD irq devm_irq_release 16
1.2 m-1 devres d ADD buf devm_kzalloc_release 64
2.0 rmmod-2 devres d REM irq devm_irq_release 16
2.1 rmmod-2 devres d REL buf devm_kzalloc_release 64`);
    expect(analyzeEvents(freed, { rules: [irqOutlivesData] }).findings).toEqual([]);
    const early = trace(`${probeStart(1, "m-1", "d", 1)}
1.1 m-1 devres d ADD irq devm_irq_release 16
1.2 m-1 devres d ADD pool dmam_pool_release 8`);
    expect(
      analyzeEvents(early, { rules: [irqOutlivesData] }).findings.map((f) => f.resources.length),
    ).toEqual([2]);
  });
});
