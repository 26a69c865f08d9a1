import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  concatLineIndexes,
  LINE_STRIDE,
  LineCollector,
  LineIndexer,
  seekLine,
} from "./line-index.ts";
import { must } from "../../shared/must.ts";

const enc = new TextEncoder();

function chunked(bytes: Uint8Array, size: number): Uint8Array[] {
  const out: Uint8Array[] = [];
  for (let i = 0; i < bytes.length; i += size) out.push(bytes.subarray(i, i + size));
  return out;
}

function readLines(
  text: string,
  from: number,
  to: number,
  chunk: number,
): { line: number; text: string }[] {
  const bytes = enc.encode(text);
  const ix = new LineIndexer();
  for (const c of chunked(bytes, chunk)) ix.push(c);
  const index = ix.finish();
  const seek = seekLine(index, from);
  const col = new LineCollector(seek.line, from, to);
  let done = false;
  for (const c of chunked(bytes.subarray(seek.offset), chunk)) if ((done = col.push(c))) break;
  if (!done) col.finish();
  return col.lines;
}

describe("line index", () => {
  it("counts lines with and without a trailing newline", () => {
    const count = (s: string) => {
      const ix = new LineIndexer();
      ix.push(enc.encode(s));
      return ix.finish().totalLines;
    };
    expect(count("")).toBe(0);
    expect(count("a")).toBe(1);
    expect(count("a\n")).toBe(1);
    expect(count("a\nb")).toBe(2);
    expect(count("\n\n")).toBe(2);
  });

  it("records a checkpoint every LINE_STRIDE lines", () => {
    const text =
      Array.from({ length: LINE_STRIDE * 3 + 5 }, (_, i) => `line ${i + 1}`).join("\n") + "\n";
    const ix = new LineIndexer();
    for (const c of chunked(enc.encode(text), 4096)) ix.push(c);
    const index = ix.finish();
    expect(must(index.parts[0]).checkpoints.length).toBe(4);
    expect(index.totalLines).toBe(LINE_STRIDE * 3 + 5);
    expect(seekLine(index, LINE_STRIDE * 2 + 7).line).toBe(LINE_STRIDE * 2 + 1);
  });

  it("reads any line range back, whatever the chunking (property)", () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.string({ maxLength: 30 }).map((s) => s.replace(/\n/g, " ")),
          { minLength: 1, maxLength: 3000 },
        ),
        fc.integer({ min: 1, max: 97 }),
        fc.nat(),
        fc.nat(5),
        fc.boolean(),
        (lines, chunk, fromSeed, span, trailing) => {
          // A file ending in "\n" has no extra empty last line: keep the model consistent.
          const text = lines.join("\n") + (trailing || lines[lines.length - 1] === "" ? "\n" : "");
          const from = (fromSeed % lines.length) + 1;
          const to = Math.min(lines.length, from + span);
          const got = readLines(text, from, to, chunk);
          expect(got).toEqual(
            lines.slice(from - 1, to).map((t, i) => ({ line: from + i, text: t })),
          );
        },
      ),
      { numRuns: 150 },
    );
  });

  it("strips CR and truncates huge lines", () => {
    expect(readLines("a\r\nb\r\n", 1, 2, 3)).toEqual([
      { line: 1, text: "a" },
      { line: 2, text: "b" },
    ]);
    const long = "x".repeat(10_000);
    const got = readLines(`${long}\nshort\n`, 1, 1, 1000);
    expect(must(got[0]).text.length).toBeLessThan(4100);
    expect(must(got[0]).text.endsWith("…")).toBe(true);
  });

  it("joins the indexes of segments indexed separately (parallel import)", () => {
    const lines = Array.from({ length: LINE_STRIDE * 3 + 300 }, (_, i) => `L${i + 1}`);
    const bytes = enc.encode(lines.join("\n") + "\n");
    // Split at the start of line 1500.
    const cut = enc.encode(lines.slice(0, 1499).join("\n") + "\n").length;
    const a = new LineIndexer(0);
    a.push(bytes.subarray(0, cut));
    const b = new LineIndexer(cut);
    b.push(bytes.subarray(cut));
    const index = concatLineIndexes([a.finish(), b.finish()]);
    expect(index.totalLines).toBe(lines.length);
    expect(index.parts.map((p) => p.firstLine)).toEqual([1, 1500]);
    for (const want of [1, 1024, 1025, 1499, 1500, 2523, 2524, lines.length]) {
      const seek = seekLine(index, want);
      const col = new LineCollector(seek.line, want, want);
      col.push(bytes.subarray(seek.offset));
      expect(col.lines).toEqual([{ line: want, text: `L${want}` }]);
    }
  });
});
