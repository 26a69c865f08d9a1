import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { aggregateRow, lowerBound, StyleCounter } from "./lod.ts";
import { RectBatch } from "./rect-batch.ts";
import { STYLE_COUNT } from "./resource-style.ts";
import type { TimelineBuffers } from "./timeline-buffers.ts";
import { must } from "../../shared/must.ts";

/** A one-row TimelineBuffers from [start, end, style] triples (start-sorted, non-overlapping). */
function oneRow(items: [number, number, number][]): TimelineBuffers {
  const n = items.length;
  const startNs = Float64Array.from(items, (x) => x[0]);
  const endNs = Float64Array.from(items, (x) => x[1]);
  const rowMaxEnd = new Float64Array(n);
  let m = -Infinity;
  for (let i = 0; i < n; i++) rowMaxEnd[i] = m = Math.max(m, endNs[i] as number);
  return {
    count: n,
    spanStartNs: 0,
    spanEndNs: 1e9,
    startNs,
    endNs,
    style: Uint8Array.from(items, (x) => x[2]),
    flags: new Uint8Array(n),
    lane: new Uint32Array(n),
    row: new Uint16Array(n),
    resourceIndex: Uint32Array.from(items, (_, i) => i),
    itemOfResource: Uint32Array.from(items, (_, i) => i),
    rowStart: Uint32Array.from([0, n]),
    rowMaxEnd,
    lanes: [
      {
        key: "d",
        device: "d",
        list: "devres",
        deviceIndex: -1,
        firstRow: 0,
        rowCount: 1,
        overflow: 0,
      },
    ],
    findingItems: new Uint32Array(0),
    findingNs: new Float64Array(0),
    findingIndex: new Uint32Array(0),
    findingSeverity: new Uint8Array(0),
    deviceEpochStart: new Uint32Array(1),
    epochStartNs: new Float64Array(0),
    epochEndNs: new Float64Array(0),
    epochEnd: new Uint8Array(0),
    groupItem: new Uint32Array(0),
    groupRowMin: new Uint16Array(0),
    groupRowMax: new Uint16Array(0),
    markerNs: new Float64Array(0),
    markerText: [],
  };
}

function rectsOf(batch: RectBatch): { style: number; x: number; w: number }[] {
  const out: { style: number; x: number; w: number }[] = [];
  for (let s = 0; s < STYLE_COUNT; s++) {
    const r = batch.rects(s);
    for (let k = 0; k < batch.count(s); k++)
      out.push({ style: s, x: r[k * 4] as number, w: r[k * 4 + 2] as number });
  }
  return out.sort((a, b) => a.x - b.x);
}

describe("lowerBound", () => {
  it("finds the first index >= x", () => {
    const a = Float64Array.from([1, 3, 3, 7]);
    expect(lowerBound(a, 0, 4, 0)).toBe(0);
    expect(lowerBound(a, 0, 4, 3)).toBe(1);
    expect(lowerBound(a, 0, 4, 4)).toBe(3);
    expect(lowerBound(a, 0, 4, 9)).toBe(4);
  });
});

describe("aggregateRow", () => {
  const run = (b: TimelineBuffers, t0: number, pxPerNs: number, width: number) => {
    const batch = new RectBatch(STYLE_COUNT);
    const stats = { visited: 0, rects: 0 };
    aggregateRow(b, 0, t0, pxPerNs, width, 10, 6, batch, new StyleCounter(STYLE_COUNT), stats);
    return { rects: rectsOf(batch), stats };
  };

  it("draws wide bars as themselves, clipped to the plot", () => {
    const b = oneRow([
      [0, 100, 1],
      [200, 450, 2],
      [900, 5000, 3],
    ]);
    const { rects } = run(b, 0, 1, 1000);
    expect(rects).toEqual([
      { style: 1, x: 0, w: 100 },
      { style: 2, x: 200, w: 250 },
      { style: 3, x: 900, w: 101 },
    ]);
  });

  it("merges sub-pixel bars per column in the dominant style and joins equal neighbours", () => {
    // 10 ns per px: columns 0..2 each get three 1-ns bars; column 1 is mostly style 5.
    const items: [number, number, number][] = [
      [0, 1, 4],
      [2, 3, 4],
      [4, 5, 5],
      [10, 11, 5],
      [12, 13, 5],
      [14, 15, 4],
      [20, 21, 5],
      [22, 23, 5],
      [24, 25, 5],
    ];
    const { rects } = run(oneRow(items), 0, 0.1, 100);
    expect(rects).toEqual([
      { style: 4, x: 0, w: 1 },
      { style: 5, x: 1, w: 2 },
    ]);
  });

  it("merges same-style bars less than a pixel apart, keeps wider gaps", () => {
    const { rects } = run(
      oneRow([
        [0, 100, 2],
        [100.5, 200, 2],
        [203, 300, 2],
        [300.2, 400, 3],
      ]),
      0,
      1,
      1000,
    );
    expect(rects.map((r) => r.style)).toEqual([2, 2, 3]);
    expect(rects.slice(0, 2)).toEqual([
      { style: 2, x: 0, w: 200 },
      { style: 2, x: 203, w: 97 },
    ]);
    expect(must(rects[2]).x).toBeCloseTo(300.2, 4);
  });

  it("keeps a wide bar that follows sub-pixel bars in the same column at full width", () => {
    const { rects } = run(
      oneRow([
        [0, 1, 4],
        [3, 400, 6],
      ]),
      0,
      0.1,
      100,
    );
    expect(rects.map((r) => r.style)).toEqual([4, 6]);
    expect(rects[0]).toEqual({ style: 4, x: 0, w: 1 });
    expect(must(rects[1]).x).toBeCloseTo(0.3, 5);
    expect(must(rects[1]).w).toBeCloseTo(39.7, 4);
  });

  it("bounds the work per column: a million bars in 100 px visit at most a few thousand", () => {
    const n = 1_000_000;
    const items: [number, number, number][] = new Array(n);
    for (let i = 0; i < n; i++) items[i] = [i * 10, i * 10 + 5, i % 3];
    const { rects, stats } = run(oneRow(items), 0, 100 / (n * 10), 100);
    expect(stats.visited).toBeLessThanOrEqual(100 * 16 + 100);
    const covered = rects.reduce((s, r) => s + r.w, 0);
    expect(covered).toBe(100);
  });

  it("property: every visible pixel that holds a bar start is covered, nothing outside the plot", () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.tuple(
            fc.integer({ min: 0, max: 50 }),
            fc.integer({ min: 0, max: 40 }),
            fc.integer({ min: 0, max: 63 }),
          ),
          { minLength: 1, maxLength: 300 },
        ),
        fc.integer({ min: 1, max: 400 }),
        fc.integer({ min: 0, max: 2000 }),
        (gapsLens, width, t0) => {
          let t = 0;
          const items: [number, number, number][] = gapsLens.map(([gap, len, st]) => {
            const s = t + gap;
            t = s + len;
            return [s, s + len, st];
          });
          const pxPerNs = width / Math.max(1, t);
          const { rects } = run(oneRow(items), t0 / 4, pxPerNs, width);
          for (const r of rects) {
            expect(r.x).toBeGreaterThanOrEqual(-1);
            expect(r.x + r.w).toBeLessThanOrEqual(width + 1.0001);
          }
          for (const [s, e] of items) {
            const x0 = (s - t0 / 4) * pxPerNs;
            const x1 = (e - t0 / 4) * pxPerNs;
            if (x1 < 0 || x0 > width) continue;
            if (x1 - x0 >= 1) {
              const cx0 = Math.max(x0, -1);
              const cx1 = Math.min(x1, width + 1);
              // Covered by a rect (possibly a merged run of same-style neighbours).
              expect(rects.some((r) => r.x <= cx0 + 0.01 && r.x + r.w >= cx1 - 0.01)).toBe(true);
            } else {
              const col = Math.max(0, Math.min(width - 1, Math.floor(Math.max(0, x0))));
              expect(rects.some((r) => r.x <= col + 0.01 && r.x + r.w >= col + 0.99)).toBe(true);
            }
          }
        },
      ),
      { numRuns: 200 },
    );
  });
});
