// Parallel parsing splits a file into segments at line boundaries and merges the results. The
// merge must give exactly the one-pass result: line numbers, kmalloc/kfree links whose two
// halves sit in different segments, LOST marker times, op recovery. Property-tested with random
// cuts on real captures (pure, in-thread; the worker path is tested in node/import-file.test.ts).
import { readFileSync } from "node:fs";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { detectFromHead } from "./detect-format.js";
import { importText } from "./importer.js";
import { LineFeeder } from "./line-feeder.js";
import { finalizeImport } from "./segment-merge.js";
import { SegmentParser, type SegmentPartial } from "./segment-parser.js";
import type { ImportResult, KeepKmem } from "./types.js";

const dir = new URL("../../../../fixtures/real-traces/", import.meta.url);

function lineStarts(b: Uint8Array): number[] {
  const out = [0];
  let pos = 0;
  for (;;) {
    const nl = b.indexOf(10, pos);
    if (nl < 0 || nl + 1 >= b.length) break;
    out.push(nl + 1);
    pos = nl + 1;
  }
  return out;
}

/** Parses `b` as segments cut at the given byte offsets (each a line start) and merges them. */
function importSegments(b: Uint8Array, cuts: readonly number[], keepKmem: KeepKmem): ImportResult {
  const format = detectFromHead(b, true);
  if (format === undefined) throw new Error("undetectable");
  const bounds = [0, ...cuts, b.length];
  const partials: SegmentPartial[] = [];
  for (let i = 0; i + 1 < bounds.length; i++) {
    const p = new SegmentParser({ format, keepKmem });
    const f = new LineFeeder(p);
    f.push(b.subarray(bounds[i], bounds[i + 1]));
    f.finish();
    partials.push(p.finish());
  }
  return finalizeImport(partials, { bytes: b.length, keepKmem });
}

function check(file: string, keepKmem: KeepKmem, runs: number): void {
  const b = new Uint8Array(readFileSync(new URL(file, dir)));
  const whole = importText(new TextDecoder().decode(b), { keepKmem });
  const starts = lineStarts(b).slice(1);
  fc.assert(
    fc.property(
      fc.uniqueArray(fc.constantFrom(...starts), { minLength: 1, maxLength: 40 }),
      (picked) => {
        const cuts = [...picked].sort((x, y) => x - y);
        const merged = importSegments(b, cuts, keepKmem);
        expect(merged).toEqual(whole);
      },
    ),
    { numRuns: runs },
  );
}

describe("segment merge == one pass", () => {
  it("ahci-bind-unbind (kmalloc/kfree links across cuts), keepKmem linked", () =>
    check("ahci-bind-unbind.ftrace.txt", "linked", 25));
  it("ahci-bind-unbind, keepKmem module", () => check("ahci-bind-unbind.ftrace.txt", "module", 8));
  it("ahci-bind-unbind, keepKmem evidence (what later segments make redundant is dropped)", () =>
    check("ahci-bind-unbind.ftrace.txt", "evidence", 15));
  it("trace-cmd report (op recovery over all segments)", () =>
    check("trace-cmd-ahci-e1000.trace-cmd-report.txt", "linked", 20));
  it("bochs-drm-unbind (console DRM lines)", () =>
    check("bochs-drm-unbind.ftrace.txt", "linked", 10));

  it("cuts right between every ADD and its kmalloc, and every release and its kfree", () => {
    const b = new Uint8Array(readFileSync(new URL("ahci-bind-unbind.ftrace.txt", dir)));
    const whole = importText(new TextDecoder().decode(b));
    const starts = lineStarts(b);
    // line numbers (1-based) of devres lines -> cut just before each one and just after
    const cuts = new Set<number>();
    for (const e of whole.events) {
      if (e.kind !== "devres") continue;
      const before = starts[e.line - 1];
      const after = starts[e.line];
      if (before !== undefined && before > 0) cuts.add(before);
      if (after !== undefined) cuts.add(after);
    }
    const merged = importSegments(
      b,
      [...cuts].sort((x, y) => x - y),
      "linked",
    );
    expect(merged).toEqual(whole);
    expect(
      merged.events.filter((e) => e.kind === "devres" && e.allocSite !== undefined),
    ).toHaveLength(99);
  });

  it("LOST markers take the time of the next event on their CPU in a later segment", () => {
    const text = [
      "CPU:1 [LOST 5 EVENTS]",
      "            init-1       [000] .....     6.000001: foo: x",
      "            init-1       [001] .....     6.000002: foo: x",
      "",
    ].join("\n");
    const b = new TextEncoder().encode(text);
    const starts = lineStarts(b);
    const whole = importText(text);
    expect(whole.events[0]).toMatchObject({ kind: "lost", ts: 6000002000 });
    expect(importSegments(b, [starts[1] as number, starts[2] as number], "linked")).toEqual(whole);
  });
});
