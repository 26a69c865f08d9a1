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
  linesOf,
  problems,
} from "./fixtures/real-trace.js";
import { resourcesBeforeProbe } from "./resources-before-probe.js";

const DIR = fileURLToPath(new URL("../../../../fixtures/real-traces/", import.meta.url));
const AHCI = readFileSync(`${DIR}ahci-bind-unbind.ftrace.txt`, "utf8");

describe("resources-before-probe", () => {
  it("is clean on the real ahci capture", () => {
    expect(findingsOf(analyzeText(AHCI, "ahci.txt"), "resources-before-probe")).toEqual([]);
  });

  it("flags a node added to the unbound controller that is still listed at its next probe", () => {
    const lines = linesOf(AHCI);
    insertByTime(
      lines,
      ftraceLine(
        "kworker/0:2",
        40,
        0,
        "d..1.",
        7.0,
        "devres_log",
        "0000:00:1f.2 ADD 00000000feed0001 devm_kzalloc_release (64 bytes)",
      ),
    );
    const a = analyzeText(lines.join("\n"), "ahci-stray.txt");
    const fs = findingsOf(a, "resources-before-probe");
    expect(fs.map((f) => [f.severity, f.epoch, f.resources.length])).toEqual([["error", 1, 1]]);
    expect(a.resources.find((r) => r.id === fs[0]?.resources[0])).toMatchObject({
      node: "00000000feed0001",
      epoch: -1,
      addTask: "kworker/0:2-40",
    });
    expect(fs[0]?.message).toContain("added while no driver was bound");
    expect(problems(a).map((f) => f.rule)).toEqual(["resources-before-probe"]);
  });

  it("reports the kernel's own refusal with the nodes that were listed", () => {
    const a = analyzeEvents(
      trace(`${probeStart(1, "m-1", "d0", 1)}
1.1 m-1 devres d0 ADD a pcim_release 8
2.0 sh-4 devres d0 REL a pcim_release 8
2.5 kworker/1:1-9 devres d0 ADD s devm_kzalloc_release 32
3.0 - resources_before_probe d0 ahci`),
      { rules: [resourcesBeforeProbe] },
    );
    expect(a.findings.map((f) => [f.severity, f.resources])).toEqual([["error", ["r3"]]]);
    expect(a.findings[0]?.message).toContain("Resources present before probing");
  });

  it("warns about nodes on an unbound device that are still there when the trace ends", () => {
    const a = analyzeEvents(
      trace(`${probeStart(1, "m-1", "d0", 1)}
1.1 m-1 devres d0 ADD a pcim_release 8
2.0 sh-4 devres d0 REL a pcim_release 8
2.5 kworker/1:1-9 devres d0 ADD s devm_kzalloc_release 32`),
      { rules: [resourcesBeforeProbe] },
    );
    expect(a.findings.map((f) => f.severity)).toEqual(["warning"]);
    expect(a.findings[0]?.message).not.toContain("release callback");
  });

  it("says when the stray node came from a release callback during the unbind", () => {
    const a = analyzeEvents(
      trace(`${probeStart(1, "m-1", "d0", 1)}
1.1 m-1 devres d0 ADD a pcim_release 8
2.0 sh-4 devres d0 REL a pcim_release 8
2.0005 sh-4 devres d0 ADD cb devm_kzalloc_release 32`),
      { rules: [resourcesBeforeProbe] },
    );
    expect(a.findings[0]?.message).toContain("added by a release callback");
  });
});
