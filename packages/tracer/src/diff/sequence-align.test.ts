import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  ALIGN_COST,
  alignmentCost,
  alignSequences,
  type AlignStep,
  type AlignTokens,
} from "./sequence-align.js";

/** `a8 b16 a8` -> keys by letter, sizes by number. */
function seq(text: string): AlignTokens {
  const toks = text.trim() === "" ? [] : text.trim().split(/\s+/);
  return {
    keys: toks.map((t) => (t.codePointAt(0) ?? 0) - 97),
    sizes: toks.map((t) => Number(t.slice(1) || "0")),
  };
}

function show(A: AlignTokens, B: AlignTokens, steps: readonly AlignStep[]): string {
  const tok = (s: AlignTokens, i: number): string =>
    `${String.fromCodePoint(97 + (s.keys[i] as number))}${s.sizes[i] as number}`;
  return steps
    .map((s) =>
      s.a < 0
        ? `+${tok(B, s.b)}`
        : s.b < 0
          ? `-${tok(A, s.a)}`
          : s.a >= 0 && A.sizes[s.a] !== B.sizes[s.b]
            ? `~${tok(A, s.a)}/${tok(B, s.b)}`
            : `=${tok(A, s.a)}`,
    )
    .join(" ");
}

/** Every index of both sides appears once, in increasing order. */
function valid(A: AlignTokens, B: AlignTokens, steps: readonly AlignStep[]): boolean {
  let ia = 0;
  let ib = 0;
  for (const s of steps) {
    if (s.a >= 0) {
      if (s.a !== ia) return false;
      ia++;
    }
    if (s.b >= 0) {
      if (s.b !== ib) return false;
      ib++;
    }
    if (
      s.a >= 0 &&
      s.b >= 0 &&
      A.keys[s.a] !== B.keys[s.b] &&
      (A.wild?.[s.a] ?? 0) === (B.wild?.[s.b] ?? 0)
    )
      return false;
  }
  return ia === A.keys.length && ib === B.keys.length;
}

/** Optimal cost by plain recursion with memo (an independent reference for small inputs). */
function bruteCost(A: AlignTokens, B: AlignTokens): number {
  const memo = new Map<number, number>();
  const go = (i: number, j: number): number => {
    if (i === A.keys.length) return (B.keys.length - j) * ALIGN_COST.gap;
    if (j === B.keys.length) return (A.keys.length - i) * ALIGN_COST.gap;
    const k = i * 1000 + j;
    const m = memo.get(k);
    if (m !== undefined) return m;
    let best = Math.min(go(i + 1, j), go(i, j + 1)) + ALIGN_COST.gap;
    if (A.keys[i] === B.keys[j])
      best = Math.min(best, go(i + 1, j + 1) + (A.sizes[i] === B.sizes[j] ? 0 : ALIGN_COST.resize));
    else if ((A.wild?.[i] ?? 0) !== (B.wild?.[j] ?? 0) && A.sizes[i] === B.sizes[j])
      best = Math.min(best, go(i + 1, j + 1) + ALIGN_COST.wild);
    memo.set(k, best);
    return best;
  };
  return go(0, 0);
}

const tokens = fc
  .array(fc.record({ k: fc.integer({ min: 0, max: 4 }), s: fc.constantFrom(0, 8, 16) }), {
    maxLength: 24,
  })
  .map((xs) => ({ keys: xs.map((x) => x.k), sizes: xs.map((x) => x.s) }));
/** Key 9 marks a nameless token. */
const wildTokens = fc
  .array(fc.record({ k: fc.constantFrom(0, 1, 2, 9), s: fc.constantFrom(0, 8) }), { maxLength: 16 })
  .map((xs) => ({
    keys: xs.map((x) => x.k),
    sizes: xs.map((x) => x.s),
    wild: xs.map((x) => (x.k === 9 ? 1 : 0)),
  }));

describe("alignSequences", () => {
  it("aligns identical sequences column by column", () => {
    const A = seq("a8 b16 c0 a8");
    expect(show(A, A, alignSequences(A, A))).toBe("=a8 =b16 =c0 =a8");
  });

  it("keeps a resource whose size changed in place as one resize", () => {
    const A = seq("a8 b1288 c32");
    const B = seq("a8 b1024 c32");
    expect(show(A, B, alignSequences(A, B))).toBe("=a8 ~b1288/b1024 =c32");
  });

  it("shows insertions and deletions as gaps, never substitutes different names", () => {
    const A = seq("a8 b8 c8");
    const B = seq("a8 d8 c8 e8");
    expect(show(A, B, alignSequences(A, B))).toBe("=a8 -b8 +d8 =c8 +e8");
  });

  it("reads a swap of two sizes of one name as a match and two gaps (a move), not two resizes", () => {
    const A = seq("a8 a16");
    const B = seq("a16 a8");
    const steps = alignSequences(A, B);
    expect(alignmentCost(A, B, steps)).toBe(2 * ALIGN_COST.gap);
    expect(steps.filter((s) => s.a >= 0 && s.b >= 0)).toHaveLength(1);
  });

  it("handles empty sides", () => {
    expect(alignSequences(seq(""), seq(""))).toEqual([]);
    expect(show(seq("a1"), seq(""), alignSequences(seq("a1"), seq("")))).toBe("-a1");
    expect(show(seq(""), seq("b2 c3"), alignSequences(seq(""), seq("b2 c3")))).toBe("+b2 +c3");
  });

  it("finds an optimal, valid alignment (full matrix)", () => {
    fc.assert(
      fc.property(tokens, tokens, (A, B) => {
        const steps = alignSequences(A, B);
        expect(valid(A, B, steps)).toBe(true);
        expect(alignmentCost(A, B, steps)).toBe(bruteCost(A, B));
      }),
      { numRuns: 300 },
    );
  });

  it("finds an equally optimal alignment in linear space (Hirschberg)", () => {
    fc.assert(
      fc.property(tokens, tokens, (A, B) => {
        const steps = alignSequences(A, B, { cellLimit: 4 });
        expect(valid(A, B, steps)).toBe(true);
        expect(alignmentCost(A, B, steps)).toBe(bruteCost(A, B));
      }),
      { numRuns: 300 },
    );
  });

  it("lets a nameless token stand in for a named one of the same size, when asked", () => {
    const A = { ...seq("a8 j16 c8"), wild: [0, 1, 0] };
    const B = seq("a8 b16 c8");
    expect(alignSequences(A, B).map((s) => [s.a, s.b])).toEqual([
      [0, 0],
      [1, 1],
      [2, 2],
    ]);
    expect(alignmentCost(A, B, alignSequences(A, B))).toBe(ALIGN_COST.wild);
    // Different sizes: no stand-in; without the flag: no stand-in.
    expect(alignmentCost(A, seq("a8 b8 c8"), alignSequences(A, seq("a8 b8 c8")))).toBe(
      2 * ALIGN_COST.gap,
    );
    expect(alignmentCost(seq("a8 j16 c8"), B, alignSequences(seq("a8 j16 c8"), B))).toBe(
      2 * ALIGN_COST.gap,
    );
  });

  it("stays optimal with nameless tokens, in both algorithms", () => {
    fc.assert(
      fc.property(wildTokens, wildTokens, (A, B) => {
        for (const cellLimit of [undefined, 4]) {
          const steps = alignSequences(A, B, cellLimit !== undefined ? { cellLimit } : {});
          expect(alignmentCost(A, B, steps)).toBe(bruteCost(A, B));
        }
      }),
      { numRuns: 300 },
    );
  });

  it("aligns long sequences beyond the matrix limit", () => {
    // 3000 × 3000 with a few edits: trimmed prefix/suffix, Hirschberg in the middle.
    const n = 3000;
    const keys = Array.from({ length: n }, (_, i) => i % 7);
    const sizes = Array.from({ length: n }, (_, i) => (i % 3) * 8);
    const B = { keys: [...keys], sizes: [...sizes] };
    B.keys.splice(1500, 1);
    B.sizes.splice(1500, 1);
    B.sizes[10] = 999;
    B.keys.push(6);
    B.sizes.push(0);
    const steps = alignSequences({ keys, sizes }, B, { cellLimit: 1000 });
    expect(valid({ keys, sizes }, B, steps)).toBe(true);
    expect(alignmentCost({ keys, sizes }, B, steps)).toBe(ALIGN_COST.resize + 2 * ALIGN_COST.gap);
  });
});
