import { describe, expect, it } from "vitest";
import { analyzeEvents } from "../analysis/analyze-events.js";
import { probeStart, trace } from "../analysis/fixtures/trace-dsl.js";
import { renderText } from "./text-report.js";

const events = trace(`${probeStart(1, "modprobe-10", "0000:00:1f.2", 1)}
1.1 modprobe-10 devres 0000:00:1f.2 ADD a pcim_release 8
1.2 modprobe-10 devres 0000:00:1f.2 ADD b dmam_release 32
1.3 modprobe-10 log 0000:00:1f.2 ahci AHCI 0001.0000 32 slots
2.0 init-1 devres 0000:00:1f.2 REL a pcim_release 8
${probeStart(3, "init-1", "0000:00:1f.2", 2)}`);
const analysis = analyzeEvents(events, {
  inputs: [{ path: "t.ftrace.txt", format: "ftrace", bytes: 2048, lines: 12 }],
  lines: { total: 12, parsed: 11, ignored: { "#comment": 1 }, rejected: 0, rejectedSamples: [] },
});

describe("text report", () => {
  const text = renderText(analysis);

  it("has an aligned device table with epochs beneath", () => {
    const lines = text.split("\n");
    const header = lines.find((l) => l.includes("DEVICE"));
    const row = lines.find((l) => l.startsWith("  0000:00:1f.2"));
    expect(header).toBeDefined();
    expect(row).toBeDefined();
    // Numbers are right-aligned under their headers: the ADD count ends where "ADD" ends.
    const add = String(analysis.devices[0]?.counts.add);
    const end = (header as string).indexOf("ADD") + 3;
    expect((row as string).slice(end - add.length, end)).toBe(add);
    expect((row as string)[end - add.length - 1]).toBe(" ");
    expect(text).toContain("#0 1.000000 s → 2.000000 s  unbind");
    expect(text).toContain("ahci");
  });

  it("lists findings by severity with their resources, then the line accounting", () => {
    expect(text).toMatch(/Findings: 1 error, 0 warnings, 0 info/);
    expect(text).toContain("ERROR   leak-unreleased  0000:00:1f.2");
    expect(text).toMatch(/r3 dmam_release \(32 bytes\) 1\.200000 s → live live, line \d+/);
    expect(text).toContain("Lines: 12 total, 11 parsed, 1 ignored (#comment 1), 0 rejected");
    expect(text.indexOf("Findings")).toBeLessThan(text.indexOf("Lines:"));
  });

  it("colours only when asked", () => {
    expect(text).not.toContain("\u001b[");
    expect(renderText(analysis, { color: true })).toContain("\u001b[31m");
  });

  it("summarises long epoch lists", () => {
    let dsl = "";
    for (let i = 0; i < 12; i++) {
      dsl += `${probeStart(10 * i + 1, "sh-5", "d", i)}\n${10 * i + 1.1} sh-5 devres d ADD n${i} pcim_release 8\n${10 * i + 2} sh-6 devres d REL n${i} pcim_release 8\n`;
    }
    const t = renderText(analyzeEvents(trace(dsl)));
    // 6 shown by default: the first 4, a summary, the last 2.
    expect(t).toContain("... 6 more (6 unbind)");
    expect(t).toContain("#11 ");
  });
});
