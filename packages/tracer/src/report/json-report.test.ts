import { describe, expect, it } from "vitest";
import { analyzeEvents } from "../analysis/analyze-events.js";
import { probeStart, trace } from "../analysis/fixtures/trace-dsl.js";
import { ANALYSIS_SCHEMA } from "../model/analysis.js";
import { renderJson } from "./json-report.js";

describe("json report", () => {
  it("prints the documented shape and round-trips", () => {
    const a = analyzeEvents(
      trace(`${probeStart(1, "m-1", "d0", 1)}
1.1 m-1 devres d0 ADD a pcim_release 8
2.0 rmmod-2 devres d0 REL a pcim_release 8`),
      { inputs: [{ path: "x.txt", format: "ftrace", bytes: 10, lines: 6 }] },
    );
    const text = renderJson(a);
    const back = JSON.parse(text) as Record<string, unknown>;
    expect(back).toEqual(JSON.parse(JSON.stringify(a)));
    expect(Object.keys(back).slice(0, 6)).toEqual([
      "schema",
      "inputs",
      "lines",
      "devices",
      "resources",
      "findings",
    ]);
    expect(back["schema"]).toBe(ANALYSIS_SCHEMA);
    const r = (back["resources"] as Record<string, unknown>[])[2] as Record<string, unknown>;
    expect(r).toMatchObject({
      id: "r2",
      device: "d0",
      node: "a",
      name: "pcim_release",
      kind: "pci",
      size: 8,
      end: "released",
      epoch: 0,
    });
    // Internal bookkeeping stays out of the JSON.
    for (const k of ["addIndex", "endIndex", "seq", "isGroup", "addPid"])
      expect(r).not.toHaveProperty(k);
    const e = (
      (back["devices"] as Record<string, unknown>[])[0]?.["epochs"] as Record<string, unknown>[]
    )[0] as Record<string, unknown>;
    expect(e).toMatchObject({
      index: 0,
      start_ns: 1_000_000_000,
      end_ns: 2_000_000_000,
      end: "unbind",
    });
    for (const k of ["resources", "leftovers", "closure", "startIndex"])
      expect(e).not.toHaveProperty(k);
    expect(text.endsWith("}\n")).toBe(true);
  });
});
