import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { importText } from "../import/importer.js";
import type { ImportResult } from "../import/types.js";
import type { TraceEvent } from "../model/events.js";
import { trace } from "./fixtures/trace-dsl.js";
import { estimateOffset, mergeImports } from "./merge-inputs.js";

function result(events: TraceEvent[], format: ImportResult["format"], path: string): ImportResult {
  return {
    path,
    format,
    bytes: 100,
    events,
    lines: {
      total: events.length,
      parsed: events.length,
      ignored: {},
      rejected: 0,
      rejectedSamples: [],
    },
    meta: {},
    notes: [],
  };
}

describe("merging inputs of one boot", () => {
  const ftrace = trace(`
1.000000 init-1 marker rk: bind 0000:00:01.0
1.000500 init-1 drmres 0000:00:01.0 ADD d1 drm_dev_init_release 0
1.001000 init-1 log 0000:00:01.0 bochs-drm [drm] Initialized
2.000000 init-1 marker rk: unbind 0000:00:01.0
2.000500 init-1 drmres 0000:00:01.0 REL d1 drm_dev_init_release 0`);
  // dmesg: printk clock 0.3 ms ahead, the same drm/log lines, plus lines of its own.
  const dmesg = trace(`
0.500300 - log - - early boot line
1.000300 - log - - rk: bind 0000:00:01.0
1.000800 - drmres 0000:00:01.0 ADD d1 drm_dev_init_release 0
1.001300 - log 0000:00:01.0 bochs-drm [drm] Initialized
2.000300 - log - - rk: unbind 0000:00:01.0
2.000800 - drmres 0000:00:01.0 REL d1 drm_dev_init_release 0
3.000300 - probe_failed cirrus 0000:00:06.0 -12`);

  it("estimates the clock offset from lines present in both", () => {
    expect(estimateOffset(ftrace, dmesg)).toEqual({ offsetNs: 300_000, anchors: 5, spreadNs: 0 });
    expect(estimateOffset(ftrace, trace("1.0 - log - - nothing in common"))).toBeUndefined();
  });

  it("aligns, drops the duplicates, keeps dmesg-only lines, and sorts by time", () => {
    const m = mergeImports([
      result(ftrace, "ftrace", "b.ftrace.txt"),
      result(dmesg, "dmesg", "b.dmesg.txt"),
    ]);
    expect(
      m.inputs.map((i) => [i.path, i.clockOffsetNs ?? 0, i.duplicates ?? 0, i.events]),
    ).toEqual([
      ["b.ftrace.txt", 0, 0, 5],
      ["b.dmesg.txt", 300_000, 3, 4],
    ]);
    const drm = m.events.filter((e) => e.kind === "drmres");
    expect(drm).toHaveLength(2);
    expect(m.events.map((e) => e.ts)).toEqual([...m.events.map((e) => e.ts)].sort((a, b) => a - b));
    const pf = m.events.find((e) => e.kind === "probe_failed");
    expect(pf).toMatchObject({ ts: 3_000_000_000, src: 1 });
    expect(m.events[0]).toMatchObject({ kind: "log", text: "early boot line", ts: 500_000_000 });
    expect(m.lines.total).toBe(12);
    expect(m.notes.join("\n")).toMatch(/clock aligned .* by 5 lines/);
  });

  it("keeps a single input as it is", () => {
    const r = result(ftrace, "ftrace", "one.txt");
    const m = mergeImports([r]);
    expect(m.events).toBe(r.events);
    expect(m.inputs[0]?.clockOffsetNs).toBeUndefined();
  });

  it("aligns the real ahci dmesg to its ftrace by the rk: markers", () => {
    const dir = fileURLToPath(new URL("../../../../fixtures/real-traces/", import.meta.url));
    const a = importText(readFileSync(`${dir}ahci-bind-unbind.ftrace.txt`, "utf8"), {
      path: "ahci.ftrace.txt",
      src: 0,
    });
    const d = importText(readFileSync(`${dir}ahci-bind-unbind.dmesg.txt`, "utf8"), {
      path: "ahci.dmesg.txt",
      src: 1,
    });
    const m = mergeImports([a, d]);
    const off = m.inputs[1]?.clockOffsetNs ?? 0;
    // dmesg writes the marker text right after trace_marker: a fraction of a millisecond later.
    expect(off).toBeGreaterThan(0);
    expect(off).toBeLessThan(1_000_000);
    expect(m.events).toHaveLength(
      a.events.length + d.events.length - (m.inputs[1]?.duplicates ?? 0),
    );
  });
});
