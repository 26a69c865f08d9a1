import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { analyzeEvents } from "../analysis/analyze-events.js";
import { probeStart, trace } from "../analysis/fixtures/trace-dsl.js";
import { analyzeText, findingsOf, lineIndex, linesOf } from "./fixtures/real-trace.js";
import { releaseUnknown } from "./release-unknown.js";

const DIR = fileURLToPath(new URL("../../../../fixtures/real-traces/", import.meta.url));
const read = (n: string): string => readFileSync(DIR + n, "utf8");

describe("release-unknown", () => {
  it("is silent when the trace saw every ADD (ahci)", () => {
    expect(
      findingsOf(analyzeText(read("ahci-bind-unbind.ftrace.txt"), "ahci.txt"), "release-unknown"),
    ).toEqual([]);
  });

  it("aggregates a cut-off trace_pipe start into one info per device", () => {
    const fs = findingsOf(
      analyzeText(read("trace-pipe-ahci-sdhci.trace_pipe.txt"), "pipe.txt"),
      "release-unknown",
    );
    expect(fs.map((f) => [f.severity, f.device, f.resources.length, f.epoch])).toEqual([
      ["info", "0000:00:1f.2", 28, 0],
      ["info", "0000:00:08.0", 6, 0],
    ]);
    expect(fs[0]?.message).toContain("added before the trace started");
  });

  it("warns when the trace covers the device's list but an ADD line is missing", () => {
    const lines = linesOf(read("ahci-bind-unbind.ftrace.txt"));
    lines.splice(lineIndex(lines, "ADD 00000000fcfcdf3d devm_kzalloc_release"), 1);
    const fs = findingsOf(analyzeText(lines.join("\n"), "ahci-no-add.txt"), "release-unknown");
    expect(fs.map((f) => [f.severity, f.device, f.epoch, f.resources.length])).toEqual([
      ["warning", "0000:00:1f.2", 1, 1],
    ]);
    expect(fs[0]?.message).toContain("covers this device's list");
  });

  it("stays info when the ring buffer overwrote the trace's start", () => {
    const events = trace(`${probeStart(1, "m-1", "d", 1)}
2.0 rmmod-2 devres d REL ghost devm_kzalloc_release 64`);
    expect(
      analyzeEvents(events, { rules: [releaseUnknown] }).findings.map((f) => f.severity),
    ).toEqual(["warning"]);
    expect(
      analyzeEvents(events, { rules: [releaseUnknown], startLost: true }).findings.map(
        (f) => f.severity,
      ),
    ).toEqual(["info"]);
  });
});
