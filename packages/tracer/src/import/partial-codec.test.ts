// The compact cross-thread form of a segment result decodes to exactly the original.
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { LineFeeder } from "./line-feeder.js";
import { decodePartial, encodePartial, transferables } from "./partial-codec.js";
import { SegmentParser } from "./segment-parser.js";
import type { KeepKmem, TraceFormat } from "./types.js";

const dir = new URL("../../../../fixtures/real-traces/", import.meta.url);

function partial(file: string, format: TraceFormat, keepKmem: KeepKmem, src?: number) {
  const p = new SegmentParser(src === undefined ? { format, keepKmem } : { format, keepKmem, src });
  const f = new LineFeeder(p);
  f.push(new Uint8Array(readFileSync(new URL(file, dir))));
  f.finish();
  return p.finish();
}

describe("partial codec", () => {
  for (const [file, format] of [
    ["ahci-bind-unbind.ftrace.txt", "ftrace"],
    ["trace-cmd-ahci-e1000.trace-cmd-report.txt", "trace-cmd-report"],
    ["bochs-drm-unbind.ftrace.txt", "ftrace"],
  ] as const) {
    for (const keep of ["all", "module", "linked", "none"] as const) {
      it(`${file}, keepKmem ${keep}: decode(encode(p)) deep-equals p`, () => {
        const p = partial(file, format, keep, keep === "all" ? 3 : undefined);
        const e = structuredClone(encodePartial(p));
        expect(decodePartial(e)).toEqual(p);
      });
    }
  }

  it("kmem events travel as transferable columns", () => {
    const e = encodePartial(partial("ahci-bind-unbind.ftrace.txt", "ftrace", "all"));
    expect(e.kmem.count).toBe(7295 + 8212);
    expect(e.others.length).toBe(198 + 14 + 15);
    const t = transferables(e);
    expect(t.length).toBe(15);
    expect(t.every((b) => b instanceof ArrayBuffer)).toBe(true);
  });
});
