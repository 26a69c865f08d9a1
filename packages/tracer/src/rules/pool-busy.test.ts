import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { analyzeEvents } from "../analysis/analyze-events.js";
import { probeStart, trace } from "../analysis/fixtures/trace-dsl.js";
import {
  analyzeText,
  analyzeTexts,
  findingsOf,
  insertDmesgByTime,
  linesOf,
} from "./fixtures/real-trace.js";
import { poolBusy } from "./pool-busy.js";

const DIR = fileURLToPath(new URL("../../../../fixtures/real-traces/", import.meta.url));
const read = (n: string): string => readFileSync(DIR + n, "utf8");

describe("pool-busy", () => {
  it("is clean on the real ahci capture", () => {
    expect(
      findingsOf(analyzeText(read("ahci-bind-unbind.ftrace.txt"), "ahci.txt"), "pool-busy"),
    ).toEqual([]);
  });

  it("reports dma_pool_destroy ... busy from the merged dmesg at the device's unbind", () => {
    const dmesg = linesOf(read("ahci-bind-unbind.dmesg.txt"));
    insertDmesgByTime(dmesg, "[    6.757950] ahci 0000:00:1f.2: dma_pool_destroy ahci_cmd busy");
    const a = analyzeTexts([
      { text: read("ahci-bind-unbind.ftrace.txt"), path: "ahci.ftrace.txt" },
      { text: dmesg.join("\n"), path: "ahci.dmesg.txt" },
    ]);
    const fs = findingsOf(a, "pool-busy");
    expect(fs.map((f) => [f.severity, f.device, f.src])).toEqual([["error", "0000:00:1f.2", 1]]);
    expect(fs[0]?.message).toContain('pool "ahci_cmd"');
  });

  it("names the dmam_pool_release node whose release destroyed the pool", () => {
    const a = analyzeEvents(
      trace(`${probeStart(1, "m-1", "d0", 1)}
1.1 m-1 devres d0 ADD pool dmam_pool_release 8
2.0 rmmod-3 devres d0 REL pool dmam_pool_release 8
2.0001 - pool_busy d0 rings`),
      { rules: [poolBusy] },
    );
    expect(a.findings.map((f) => f.resources)).toEqual([["r2"]]);
    expect(a.findings[0]?.message).toContain("dmam_pool_release (8 bytes");
  });
});
