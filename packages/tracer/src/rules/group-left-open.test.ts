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
import { groupLeftOpen } from "./group-left-open.js";

const DIR = fileURLToPath(new URL("../../../../fixtures/real-traces/", import.meta.url));
const read = (n: string): string => readFileSync(DIR + n, "utf8");

describe("group-left-open", () => {
  it("is clean on ahci (ata_host_alloc removes its group) and ata-piix (the failed probe released its outer group)", () => {
    expect(
      findingsOf(analyzeText(read("ahci-bind-unbind.ftrace.txt"), "ahci.txt"), "group-left-open"),
    ).toEqual([]);
    expect(
      findingsOf(
        analyzeText(read("ata-piix-probe-fail-on-ahci.ftrace.txt"), "piix.txt"),
        "group-left-open",
      ),
    ).toEqual([]);
  });

  it("flags ahci's group when the probe never removes it", () => {
    const lines = linesOf(read("ahci-bind-unbind.ftrace.txt"));
    const dev = "0000:00:1f.2";
    // Probe 2 (the sysfs bind): the group stays open; its pointer gets a name of its own since
    // the kernel reuses a freed group's memory.
    const add = lineIndex(lines, "ADD 000000006ca59458 grp<");
    lines[add] = (lines[add] as string).replace("000000006ca59458", "00000000abcd0001");
    lines.splice(lineIndex(lines, "REM 000000006ca59458 grp<"), 1);
    // devres_release_all at the unbind then releases the open group's marker first.
    insertByTime(
      lines,
      ftraceLine(
        "init",
        1,
        1,
        ".....",
        9.11157,
        "devres_log",
        `${dev} REL 00000000abcd0001 grp< (0 bytes)`,
      ),
    );
    const a = analyzeText(lines.join("\n"), "ahci-open-group.txt");
    expect(a.devices.find((d) => d.name === dev)?.epochs[1]?.releaseOrderOk).toBe(true);
    const fs = findingsOf(a, "group-left-open");
    expect(fs.map((f) => [f.severity, f.epoch])).toEqual([["warning", 1]]);
    expect(fs[0]?.line).toBe(add + 1);
    expect(fs[0]?.message).toContain("still open after the probe finished");
    expect(problems(a).map((f) => f.rule)).toEqual(["group-left-open"]);
  });

  it("reports what an open group absorbed after the probe, and accepts closed or removed groups", () => {
    const open = trace(`${probeStart(1, "m-1", "d", 1)}
1.1 m-1 devres d ADD g grp< 0
1.2 m-1 devres d ADD a devm_kzalloc_release 8
1.3 m-1 marker probe returned
2.0 app-5 devres d ADD late devm_kzalloc_release 64`);
    const f = analyzeEvents(open, { rules: [groupLeftOpen] }).findings;
    expect(f.map((x) => x.resources.length)).toEqual([2]);
    expect(f[0]?.message).toContain("absorbed 1 later resource");
    const closed = trace(`${probeStart(1, "m-1", "d", 1)}
1.1 m-1 devres d ADD g grp< 0
1.2 m-1 devres d ADD a devm_kzalloc_release 8
1.25 m-1 devres d ADD g2 grp> 0
1.3 m-1 marker probe returned`);
    expect(analyzeEvents(closed, { rules: [groupLeftOpen] }).findings).toEqual([]);
    const removed = trace(`${probeStart(1, "m-1", "d", 1)}
1.1 m-1 devres d ADD g grp< 0
1.25 m-1 devres d REM g grp< 0
1.3 m-1 marker probe returned`);
    expect(analyzeEvents(removed, { rules: [groupLeftOpen] }).findings).toEqual([]);
  });
});
