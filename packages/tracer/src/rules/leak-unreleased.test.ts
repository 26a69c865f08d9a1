import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { analyzeEvents } from "../analysis/analyze-events.js";
import { probeStart, trace } from "../analysis/fixtures/trace-dsl.js";
import { analyzeText, findingsOf, lineIndex, linesOf, problems } from "./fixtures/real-trace.js";
import { leakUnreleased } from "./leak-unreleased.js";

const DIR = fileURLToPath(new URL("../../../../fixtures/real-traces/", import.meta.url));
const AHCI = readFileSync(`${DIR}ahci-bind-unbind.ftrace.txt`, "utf8");

describe("leak-unreleased", () => {
  it("is clean on the real ahci bind/unbind capture", () => {
    expect(findingsOf(analyzeText(AHCI, "ahci.txt"), "leak-unreleased")).toEqual([]);
  });

  it("flags the node whose REL line was removed from the first unbind burst", () => {
    const lines = linesOf(AHCI);
    const rel = lineIndex(lines, "REL 0000000096164986 dmam_release");
    lines.splice(rel, 1);
    const a = analyzeText(lines.join("\n"), "ahci-missing-rel.txt");
    const fs = findingsOf(a, "leak-unreleased");
    expect(fs).toHaveLength(1);
    const f = fs[0];
    expect(f?.severity).toBe("error");
    expect(f?.device).toBe("0000:00:1f.2");
    expect(f?.epoch).toBe(0);
    const res = a.resources.find((r) => r.id === f?.resources[0]);
    expect(res?.node).toBe("0000000096164986");
    expect(res?.name).toBe("dmam_release");
    expect(res?.leftover).toBe(true);
    expect(f?.line).toBe(lineIndex(linesOf(AHCI), "ADD 0000000096164986 dmam_release") + 1);
    expect(f?.message).toContain("dmam_release (32 bytes");
    expect(f?.message).toContain("epoch 0");
    // Nothing else is reported for it: the next probe found the list as the kernel left it.
    expect(problems(a).map((x) => x.rule)).toEqual(["leak-unreleased"]);
  });

  it("flags the oldest node when the last REL of the rmmod burst is missing", () => {
    const lines = linesOf(AHCI);
    lines.splice(lineIndex(lines, "REL 0000000020c6ca0a pcim_release"), 1);
    const a = analyzeText(lines.join("\n"), "ahci-missing-last.txt");
    const [f] = findingsOf(a, "leak-unreleased");
    expect(f?.epoch).toBe(2);
    expect(a.resources.find((r) => r.id === f?.resources[0])?.name).toBe("pcim_release");
  });

  it("flags nodes still listed when the next probe starts, and lowers the severity after lost events", () => {
    const text = `
${probeStart(1, "modprobe-10", "dev0", 1)}
1.1 modprobe-10 devres dev0 ADD a pcim_release 8
1.2 modprobe-10 devres dev0 ADD b devm_kzalloc_release 64
2.0 init-1 devres dev0 REL a pcim_release 8
${probeStart(3, "init-1", "dev0", 2)}
`;
    const a = analyzeEvents(trace(text), { rules: [leakUnreleased] });
    expect(a.findings.map((f) => [f.severity, f.resources.length])).toEqual([["error", 1]]);
    const lost = analyzeEvents(
      trace(`${text}\n1.5 - lost 12`).sort((x, y) => x.ts - y.ts),
      { rules: [leakUnreleased] },
    );
    expect(lost.findings.map((f) => f.severity)).toEqual(["warning"]);
    expect(lost.findings[0]?.message).toContain("lost 12 events");
  });

  it("does not report a device that is still bound at the end", () => {
    const a = analyzeEvents(
      trace(
        `${probeStart(1, "modprobe-10", "dev0", 1)}\n1.1 modprobe-10 devres dev0 ADD a pcim_release 8`,
      ),
      {
        rules: [leakUnreleased],
      },
    );
    expect(a.findings).toEqual([]);
  });
});
