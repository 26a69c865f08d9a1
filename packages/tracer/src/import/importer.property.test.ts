// Fuzzing the importer with fast-check: truncation, garbage bytes, invalid UTF-8, 1 MB lines,
// shuffled real lines, random chunking. It must never throw, and every line read must be
// accounted (total = parsed + ignored + rejected = number of lines).
import { readFileSync } from "node:fs";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { createImporter } from "./importer.js";
import { accounted, countLines } from "./test-support.js";
import type { ImportResult } from "./types.js";

const dir = new URL("../../../../fixtures/real-traces/", import.meta.url);
const head = (f: string, n: number): string[] =>
  readFileSync(new URL(f, dir), "utf8").split("\n").slice(0, n);

const ftrace = head("ahci-bind-unbind.ftrace.txt", 1600);
const pool = [
  ...ftrace,
  ...head("bochs-drm-unbind.ftrace.txt", 1500).slice(1400),
  ...head("trace-cmd-ahci-e1000.trace-cmd-report.txt", 1000).slice(900),
  ...head("trace-pipe-ahci-sdhci.trace_pipe.txt", 104),
  ...head("cirrus-drm-unbind.dmesg.txt", 455).slice(300),
];
const enc = new TextEncoder();
const base = enc.encode(`${ftrace.join("\n")}\n`);

function run(bytes: Uint8Array, chunk = 65536): ImportResult {
  const imp = createImporter({ path: "fuzz" });
  for (let o = 0; o < bytes.length; o += chunk)
    imp.push(bytes.subarray(o, Math.min(bytes.length, o + chunk)));
  return imp.finish();
}

function sound(bytes: Uint8Array, r: ImportResult): void {
  expect(accounted(r.lines)).toBe(r.lines.total);
  if (r.error === undefined) expect(r.lines.total).toBe(countLines(bytes));
  else expect(r.error).toMatch(/^fuzz: /);
  for (const s of r.lines.rejectedSamples) {
    expect(s.line).toBeGreaterThanOrEqual(1);
    expect(s.line).toBeLessThanOrEqual(r.lines.total);
    expect(s.reason.length).toBeGreaterThan(0);
  }
}

describe("importer fuzzing", () => {
  it("random truncation", () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: base.length }), (cut) => {
        const b = base.subarray(0, cut);
        sound(b, run(b));
      }),
      { numRuns: 60 },
    );
  });

  it("garbage bytes (NULs, control characters, high bytes) at random places", () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.tuple(fc.nat({ max: base.length }), fc.uint8Array({ minLength: 1, maxLength: 16 })),
          { minLength: 1, maxLength: 20 },
        ),
        (edits) => {
          const b = new Uint8Array(base);
          for (const [at, bytes] of edits)
            b.set(bytes.subarray(0, Math.max(0, b.length - at)), Math.min(at, b.length));
          sound(b, run(b));
        },
      ),
      { numRuns: 60 },
    );
  });

  it("invalid UTF-8 inside lines still parses the structure", () => {
    const bad = [
      [0xff],
      [0xc3],
      [0xe2, 0x82],
      [0xf0, 0x9f, 0x98],
      [0xed, 0xa0, 0x80],
      [0xc0, 0xaf],
    ];
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.nat({ max: ftrace.length - 1 }), fc.constantFrom(...bad)), {
          minLength: 1,
          maxLength: 30,
        }),
        (edits) => {
          const lines = ftrace.map((l) => enc.encode(l));
          for (const [i, seq] of edits) {
            const l = lines[i] as Uint8Array;
            lines[i] = new Uint8Array([...l, ...seq]);
          }
          const b = new Uint8Array(lines.reduce((n, l) => n + l.length + 1, 0));
          let o = 0;
          for (const l of lines) {
            b.set(l, o);
            o += l.length;
            b[o++] = 10;
          }
          const r = run(b);
          sound(b, r);
          expect(r.error).toBeUndefined();
        },
      ),
      { numRuns: 40 },
    );
  });

  it("1 MB lines among real lines", () => {
    fc.assert(
      fc.property(
        fc.nat({ max: ftrace.length - 1 }),
        fc.constantFrom(0x41, 0x20, 0x5b, 0x3a),
        (at, fill) => {
          const big = String.fromCharCode(fill).repeat(1024 * 1024);
          const lines = [...ftrace];
          lines.splice(at, 0, big, `${ftrace[200] ?? ""}${big}`);
          const b = enc.encode(`${lines.join("\n")}\n`);
          const r = run(b, 300_000);
          sound(b, r);
        },
      ),
      { numRuns: 8 },
    );
  });

  it("shuffled real lines of every format", () => {
    fc.assert(
      fc.property(fc.shuffledSubarray(pool, { minLength: 1, maxLength: 400 }), (lines) => {
        const b = enc.encode(`${lines.join("\n")}\n`);
        sound(b, run(b));
      }),
      { numRuns: 60 },
    );
  });

  it("chunking never changes the result", () => {
    const whole = run(base, base.length);
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 5000 }), (chunk) => {
        expect(run(base, chunk)).toEqual(whole);
      }),
      { numRuns: 25 },
    );
  });
});
