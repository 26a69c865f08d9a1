// Chunk claiming (parallel parse of one file): however the chunks end up distributed among
// threads, and wherever chunk boundaries fall (mid-line, right after a "\n", inside a line
// longer than a chunk), the merged segments are exactly the one-pass import. Threads are
// simulated in this thread by running their claim loops one after another.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { importText } from "../import/importer.js";
import { finalizeImport } from "../import/segment-merge.js";
import type { ImportResult, KeepKmem } from "../import/types.js";
import { type ClaimedSegment, newClaimPlan, parseClaimedChunks } from "./claimed-segments.js";

const fixture = (f: string): string =>
  fileURLToPath(new URL(`../../../../fixtures/real-traces/${f}`, import.meta.url));
let tmp = "";
beforeAll(() => {
  tmp = mkdtempSync(join(tmpdir(), "devscope-claims-"));
});
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

/** Runs claim loops for threads (id, first chunk) in turn; merges what they parsed. */
function claimed(
  path: string,
  chunkBytes: number,
  keepKmem: KeepKmem,
  threads: [number, number][],
): { result: ImportResult; segments: ClaimedSegment[] } {
  const size = readFileSync(path).length;
  const plan = newClaimPlan(path, 0, size, chunkBytes, { format: "ftrace", keepKmem });
  const segments: ClaimedSegment[] = [];
  for (const [me, first] of threads)
    segments.push(...parseClaimedChunks(plan, me, Math.min(first, plan.chunks - 1)));
  segments.sort((a, b) => a.firstChunk - b.firstChunk);
  // The segments tile the chunks.
  segments.forEach((s, i) => expect(s.firstChunk).toBe(i === 0 ? 0 : segments[i - 1]?.endChunk));
  expect(segments[segments.length - 1]?.endChunk).toBe(plan.chunks);
  const result = finalizeImport(
    segments.map((s) => s.partial),
    { path, bytes: size, keepKmem },
  );
  return { result, segments };
}

describe("parseClaimedChunks", () => {
  for (const keepKmem of ["linked", "evidence"] as const) {
    it(`a thread starting mid-file steals the rest in pieces == one pass (keepKmem ${keepKmem})`, () => {
      const f = fixture("ahci-bind-unbind.ftrace.txt");
      const whole = importText(readFileSync(f, "utf8"), { path: f, keepKmem });
      const { result, segments } = claimed(f, 64 * 1024, keepKmem, [[2, 20]]);
      expect(segments.length).toBeGreaterThan(2);
      expect(result).toEqual({ ...whole, bytes: result.bytes });
    });
  }

  it("two threads, random chunk sizes and start points == one pass", () => {
    const f = fixture("cirrus-drm-unbind.ftrace.txt");
    const whole = importText(readFileSync(f, "utf8"), { path: f, keepKmem: "evidence" });
    fc.assert(
      fc.property(fc.integer({ min: 2000, max: 400_000 }), fc.nat(), (chunkBytes, first) => {
        const chunks = Math.ceil(whole.bytes / chunkBytes);
        const { result } = claimed(f, chunkBytes, "evidence", [
          [2, first % chunks],
          [1, 0],
        ]);
        expect(result).toEqual({ ...whole, bytes: result.bytes });
      }),
      { numRuns: 12 },
    );
  });

  it("lines longer than a chunk, and boundaries right after a newline", () => {
    const real = readFileSync(fixture("ata-piix-probe-fail-on-ahci.ftrace.txt"), "utf8").split(
      "\n",
    );
    // A marker line of 200 KiB in the middle (chunks of 64 KiB start inside it).
    real.splice(
      2000,
      0,
      `            init-1       [001] .....     4.900000: tracing_mark_write: ${"x".repeat(200 * 1024)}`,
    );
    const text = real.join("\n");
    const path = join(tmp, "long-line.txt");
    writeFileSync(path, text);
    const whole = importText(text, { path, keepKmem: "linked" });
    expect(whole.events.some((e) => e.kind === "marker" && e.text.length === 200 * 1024)).toBe(
      true,
    );
    for (const chunkBytes of [64 * 1024, text.indexOf("\n", 70_000) + 1, 4096]) {
      const { result } = claimed(path, chunkBytes, "linked", [
        [2, 7],
        [1, 0],
      ]);
      expect(result).toEqual({ ...whole, bytes: result.bytes });
    }
  });
});
