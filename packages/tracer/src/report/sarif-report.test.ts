import { describe, expect, it } from "vitest";
import { analyzeEvents } from "../analysis/analyze-events.js";
import { probeStart, trace } from "../analysis/fixtures/trace-dsl.js";
import { ALL_RULES } from "../rules/index.js";
import { SARIF_SCHEMA, toSarif } from "./sarif-report.js";

type Obj = Record<string, unknown>;
const get = (o: unknown, ...path: (string | number)[]): unknown =>
  path.reduce<unknown>((x, k) => (x as Record<string | number, unknown> | undefined)?.[k], o);

describe("sarif report", () => {
  const a = analyzeEvents(
    trace(`${probeStart(1, "m-1", "0000:00:1f.2", 1)}
1.1 m-1 devres 0000:00:1f.2 ADD a pcim_release 8
1.2 m-1 devres 0000:00:1f.2 ADD b dmam_release 32
2.0 rmmod-2 devres 0000:00:1f.2 REL a pcim_release 8
${probeStart(3, "sh-3", "0000:00:1f.2", 2)}`),
    { inputs: [{ path: "traces/ahci.ftrace.txt", format: "ftrace", bytes: 100, lines: 12 }] },
  );
  const s = toSarif(a, { version: "0.1.0" });

  it("is SARIF 2.1.0 with every rule described", () => {
    expect(s["$schema"]).toBe(SARIF_SCHEMA);
    expect(s["version"]).toBe("2.1.0");
    const rules = get(s, "runs", 0, "tool", "driver", "rules") as Obj[];
    expect(rules.map((r) => r["id"])).toEqual(ALL_RULES.map((r) => r.id));
    for (const r of rules) {
      expect(get(r, "shortDescription", "text")).toBeTruthy();
      expect(get(r, "help", "text")).toContain("Kernel:");
      expect(["error", "warning", "note"]).toContain(get(r, "defaultConfiguration", "level"));
    }
  });

  it("locates each result in the input file at the finding's line", () => {
    const results = get(s, "runs", 0, "results") as Obj[];
    expect(results).toHaveLength(1);
    const r = results[0] as Obj;
    expect(r["ruleId"]).toBe("leak-unreleased");
    expect(r["level"]).toBe("error");
    expect(get(r, "message", "text")).toContain("dmam_release");
    expect(get(r, "locations", 0, "physicalLocation", "artifactLocation", "uri")).toBe(
      "traces/ahci.ftrace.txt",
    );
    // probeStart() is lines 1-4, so the dmam_release ADD is line 6.
    expect(get(r, "locations", 0, "physicalLocation", "region", "startLine")).toBe(6);
    expect(get(s, "runs", 0, "tool", "driver", "rules", r["ruleIndex"] as number, "id")).toBe(
      "leak-unreleased",
    );
  });

  it("maps info to note and absolute paths to file URIs", () => {
    const info = analyzeEvents(trace(`1.0 sh-1 devres d0 REL x pcim_release 8`), {
      inputs: [{ path: "/tmp/my trace.txt", format: "trace_pipe", bytes: 1, lines: 1 }],
    });
    const r = get(toSarif(info), "runs", 0, "results", 0) as Obj;
    expect(r["level"]).toBe("note");
    expect(get(r, "locations", 0, "physicalLocation", "artifactLocation", "uri")).toBe(
      "file:///tmp/my%20trace.txt",
    );
  });
});
