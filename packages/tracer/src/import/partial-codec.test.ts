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
    for (const keep of ["all", "module", "linked", "none", "evidence"] as const) {
      it(`${file}, keepKmem ${keep}: decode(encode(p)) is p, key order included`, () => {
        const p = partial(file, format, keep, keep === "all" ? 3 : undefined);
        const e = encodePartial(p);
        // Transferring detaches the arrays the partial shares with its encoding (evidence's
        // ptr set): compare with a copy taken before.
        const before = structuredClone(p);
        const d = decodePartial(structuredClone(e, { transfer: transferables(e) }));
        expect(d).toEqual(before);
        expect(JSON.stringify(d.events)).toBe(JSON.stringify(p.events));
        expect(JSON.stringify(d.extras)).toBe(JSON.stringify(p.extras));
        expect(JSON.stringify(d.link)).toBe(JSON.stringify(p.link));
      });
    }
  }

  it("every event travels as typed-array columns, strings once each", () => {
    const p = partial("ahci-bind-unbind.ftrace.txt", "ftrace", "all");
    const e = encodePartial(p);
    // 7295 kmalloc + 8212 kfree + 198 devres + 14 markers + 15 module, plus the link export's own.
    expect(e.packed.count).toBeGreaterThanOrEqual(7295 + 8212 + 198 + 14 + 15);
    expect(new Set(e.packed.strings).size).toBe(e.packed.strings.length);
    const t = transferables(e);
    expect(t.every((b) => b instanceof ArrayBuffer)).toBe(true);
    expect(new Set(t).size).toBe(t.length);
  });
});
