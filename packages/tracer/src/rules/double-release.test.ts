import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { analyzeEvents } from "../analysis/analyze-events.js";
import { probeStart, trace } from "../analysis/fixtures/trace-dsl.js";
import { doubleRelease } from "./double-release.js";
import { analyzeText, findingsOf, lineIndex, linesOf } from "./fixtures/real-trace.js";

const DIR = fileURLToPath(new URL("../../../../fixtures/real-traces/", import.meta.url));
const AHCI = readFileSync(`${DIR}ahci-bind-unbind.ftrace.txt`, "utf8");

describe("double-release", () => {
  it("is clean on the real ahci capture, where node pointers are reused all the time", () => {
    expect(findingsOf(analyzeText(AHCI, "ahci.txt"), "double-release")).toEqual([]);
  });

  it("flags a REL line repeated after the unbind burst", () => {
    const lines = linesOf(AHCI);
    const i = lineIndex(lines, "REL 00000000037ef550 pcim_release");
    lines.splice(i + 1, 0, (lines[i] as string).replace("6.757923", "6.757924"));
    const a = analyzeText(lines.join("\n"), "ahci-double.txt");
    const fs = findingsOf(a, "double-release");
    expect(fs).toHaveLength(1);
    expect(fs[0]?.severity).toBe("error");
    expect(fs[0]?.line).toBe(i + 2);
    expect(fs[0]?.message).toContain(`released at line ${i + 1}`);
    expect(a.resources.find((r) => r.id === fs[0]?.resources[0])?.name).toBe("pcim_release");
  });

  it("does not mistake a reused pointer with another name for a double release", () => {
    const lines = linesOf(AHCI);
    // 000000006ca59458 is a grp< (removed), then dmam_release: drop the dmam ADD.
    lines.splice(lineIndex(lines, "ADD 000000006ca59458 dmam_release"), 1);
    const a = analyzeText(lines.join("\n"), "ahci-reuse.txt");
    expect(findingsOf(a, "double-release")).toEqual([]);
    expect(findingsOf(a, "release-unknown").map((f) => f.severity)).toEqual(["warning"]);
  });

  it("ties the kernel's double-free reports to the device being torn down", () => {
    const a = analyzeEvents(
      trace(`${probeStart(1, "m-1", "d0", 1)}
1.1 m-1 devres d0 ADD irq devm_irq_release 16
2.0 rmmod-3 devres d0 REL irq devm_irq_release 16
2.001 - report irq-double-free - genirq: Trying to free already-free IRQ 11`),
      { rules: [doubleRelease] },
    );
    expect(a.findings.map((f) => [f.device, f.severity, f.resources])).toEqual([
      ["d0", "error", ["r2"]],
    ]);
    expect(a.findings[0]?.message).toContain("already free");
  });
});
