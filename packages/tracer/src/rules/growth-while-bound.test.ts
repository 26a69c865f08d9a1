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
import { growthWhileBound } from "./growth-while-bound.js";

const DIR = fileURLToPath(new URL("../../../../fixtures/real-traces/", import.meta.url));
const E1000E = readFileSync(`${DIR}e1000e-bind-unbind.ftrace.txt`, "utf8");
const BOOT = readFileSync(`${DIR}boot-all-drivers.ftrace.txt`, "utf8");
const DEV = "0000:00:03.0";

/** e1000e with a devm_kzalloc(4096) in each of `opens` open() calls after `ip link set up`. */
function withOpenGrowth(opens: number): string {
  const lines = linesOf(E1000E);
  for (let k = 1; k <= opens; k++) {
    const node = `00000000dead000${k}`;
    insertByTime(
      lines,
      ftraceLine(
        "ip",
        200 + k,
        0,
        "d..1.",
        9.2 + 0.2 * k,
        "devres_log",
        `${DEV} ADD ${node} devm_kzalloc_release (4096 bytes)`,
      ),
    );
    // rmmod's release burst frees them newest-first, before the MSI nodes of the probe.
    insertByTime(
      lines,
      ftraceLine(
        "rmmod",
        137,
        1,
        ".....",
        11.3043 - 0.000001 * k,
        "devres_log",
        `${DEV} REL ${node} devm_kzalloc_release (4096 bytes)`,
      ),
    );
  }
  return lines.join("\n");
}

describe("growth-while-bound", () => {
  it("is clean on the real e1000e capture and on boot (virtio adds MSI nodes to its parent once)", () => {
    expect(findingsOf(analyzeText(E1000E, "e1000e.txt"), "growth-while-bound")).toEqual([]);
    expect(findingsOf(analyzeText(BOOT, "boot.txt"), "growth-while-bound")).toEqual([]);
  });

  it("flags devm allocations added by three open() calls and kept until rmmod", () => {
    const a = analyzeText(withOpenGrowth(3), "e1000e-open-growth.txt");
    const fs = findingsOf(a, "growth-while-bound");
    expect(fs).toHaveLength(1);
    const f = fs[0];
    expect(f?.severity).toBe("warning");
    expect(f?.device).toBe(DEV);
    expect(f?.epoch).toBe(1);
    expect(f?.resources.map((id) => a.resources.find((r) => r.id === id)?.node)).toEqual([
      "00000000dead0001",
      "00000000dead0002",
      "00000000dead0003",
    ]);
    expect(f?.message).toContain(
      "devm_kzalloc_release (4096 bytes) was added 3 times after the probe, in 3 separate calls",
    );
    expect(f?.message).toContain("ip-201");
    // The planted nodes are released by rmmod in LIFO order: nothing else to report.
    expect(problems(a).map((x) => x.rule)).toEqual(["growth-while-bound"]);
    expect(a.devices.find((d) => d.name === DEV)?.epochs[1]?.releaseOrderOk).toBe(true);
  });

  it("needs three separate calls: two opens are not yet growth", () => {
    expect(
      findingsOf(analyzeText(withOpenGrowth(2), "e1000e-two.txt"), "growth-while-bound"),
    ).toEqual([]);
  });

  it("ignores additions freed again (devm_kfree on close) and additions of one burst", () => {
    const base = `${probeStart(1, "modprobe-10", "dev0", 1)}
1.1 modprobe-10 devres dev0 ADD p pcim_release 8
1.2 modprobe-10 marker probe done`;
    const freed = trace(`${base}
2.0 app-20 devres dev0 ADD o1 devm_kzalloc_release 256
2.1 app-20 devres dev0 REM o1 devm_kzalloc_release 256
3.0 app-21 devres dev0 ADD o2 devm_kzalloc_release 256
3.1 app-21 devres dev0 REM o2 devm_kzalloc_release 256
4.0 app-22 devres dev0 ADD o3 devm_kzalloc_release 256
4.1 app-22 devres dev0 REM o3 devm_kzalloc_release 256`);
    expect(analyzeEvents(freed, { rules: [growthWhileBound] }).findings).toEqual([]);
    const oneBurst = trace(`${base}
2.0 app-20 devres dev0 ADD o1 devm_kzalloc_release 256
2.0001 app-20 devres dev0 ADD o2 devm_kzalloc_release 256
2.0002 app-20 devres dev0 ADD o3 devm_kzalloc_release 256`);
    expect(analyzeEvents(oneBurst, { rules: [growthWhileBound] }).findings).toEqual([]);
    const kept = trace(`${base}
2.0 app-20 devres dev0 ADD o1 devm_kzalloc_release 256
3.0 app-20 devres dev0 ADD o2 devm_kzalloc_release 256
4.0 app-20 devres dev0 ADD o3 devm_kzalloc_release 256`);
    expect(
      analyzeEvents(kept, { rules: [growthWhileBound] }).findings.map((f) => f.resources.length),
    ).toEqual([3]);
  });
});
