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
import { probeRollbackIncomplete } from "./probe-rollback-incomplete.js";

const DIR = fileURLToPath(new URL("../../../../fixtures/real-traces/", import.meta.url));
const PIIX = readFileSync(`${DIR}ata-piix-probe-fail-on-ahci.ftrace.txt`, "utf8");

describe("probe-rollback-incomplete", () => {
  it("is clean on the real failed ata_piix probe (kmem traced)", () => {
    const a = analyzeText(PIIX, "piix.txt");
    expect(a.devices[0]?.epochs[0]?.end).toBe("probe-failed");
    expect(findingsOf(a, "probe-rollback-incomplete")).toEqual([]);
  });

  it("flags a devres node the rollback did not release", () => {
    const lines = linesOf(PIIX);
    lines.splice(lineIndex(lines, "REL 000000004c271dba pcim_release"), 1);
    const a = analyzeText(lines.join("\n"), "piix-left.txt");
    const fs = findingsOf(a, "probe-rollback-incomplete");
    expect(fs.map((f) => [f.severity, f.epoch])).toEqual([["error", 0]]);
    expect(a.resources.find((r) => r.id === fs[0]?.resources[0])?.name).toBe("pcim_release");
    expect(problems(a).map((f) => f.rule)).toEqual(["probe-rollback-incomplete"]);
  });

  it("flags a kmalloc from the driver module that the error path never freed", () => {
    const lines = linesOf(PIIX);
    insertByTime(
      lines,
      ftraceLine(
        "init",
        1,
        1,
        ".....",
        4.8359,
        "kmalloc",
        "call_site=piix_init_one+0x2b0/0x5b2 [ata_piix] ptr=00000000beef0001 bytes_req=512 bytes_alloc=512 gfp_flags=GFP_KERNEL node=-1 accounted=false",
      ),
    );
    const a = analyzeText(lines.join("\n"), "piix-kmalloc.txt");
    const fs = findingsOf(a, "probe-rollback-incomplete");
    expect(fs.map((f) => [f.severity, f.details?.["bytes"]])).toEqual([["error", 512]]);
    expect(fs[0]?.message).toContain("piix_init_one+0x2b0/0x5b2 [ata_piix]");
  });

  it("flags devres nodes the failed probe left on another device", () => {
    const a = analyzeEvents(
      trace(`${probeStart(1, "m-1", "parent", 1)}
1.1 m-1 devres parent ADD p pcim_release 8
1.2 m-1 marker parent bound
${probeStart(2, "kworker/0:1-7", "child", 2)}
2.1 kworker/0:1-7 devres parent ADD msi msi_device_data_release 72
2.2 kworker/0:1-7 devres child ADD c devm_kzalloc_release 16
2.3 kworker/0:1-7 devres child REL c devm_kzalloc_release 16`),
      { rules: [probeRollbackIncomplete] },
    );
    expect(a.devices.find((d) => d.name === "child")?.epochs[0]?.end).toBe("probe-failed");
    expect(a.findings.map((f) => [f.severity, f.device, f.message.includes("parent")])).toEqual([
      ["warning", "child", true],
    ]);
  });
});
