import { LISTS, type EpochSide } from "./epoch-sequences.js";

/**
 * Which epoch of A is compared with which epoch of B.
 *
 * In order when both devices have as many epochs (the default), else by best total similarity:
 * a monotone alignment of the two epoch sequences (dynamic programming, O(EA·EB)) that
 * maximises Σ similarity over the paired epochs, where an epoch may stay unpaired. Order is
 * kept (bind 3 of A is never paired before bind 2 of B). The similarity used to pair is the
 * order-free overlap of the epochs' resource multisets (exact name/kind/size = 1, same
 * name/kind = ½), which is what the full alignment's credit approaches; equal epochs (a stress
 * test's 200 identical binds) share one multiset signature, so the overlap is computed once
 * per distinct pair of signatures. Resources added outside any epoch (index -1) pair with each
 * other.
 */

/** Above this many epoch pairs (EA·EB) the best-score pairing falls back to in-order. */
export const EPOCH_PAIR_LIMIT = 4_000_000;

export interface EpochPairing {
  /** Pairs and unpaired epochs in display order: array indices into the two epoch lists. */
  steps: { a: number | null; b: number | null }[];
  mode: "order" | "best";
  /** Set when best pairing was asked for but the sizes made it fall back to order. */
  fallback?: string;
}

/** Multiset signature of an epoch: exact and name-only counts. */
interface Signature {
  text: string;
  exact: Map<string, number>;
  byKey: Map<number, number>;
}

function signature(e: EpochSide): Signature {
  const exact = new Map<string, number>();
  const byKey = new Map<number, number>();
  for (const l of LISTS)
    for (const it of e.lists[l].all) {
      const k = `${it.key}:${it.res.size}`;
      exact.set(k, (exact.get(k) ?? 0) + 1);
      byKey.set(it.key, (byKey.get(it.key) ?? 0) + 1);
    }
  const text = [...exact.entries()]
    .sort((x, y) => (x[0] < y[0] ? -1 : x[0] > y[0] ? 1 : 0))
    .map(([k, n]) => `${k}*${n}`)
    .join(",");
  return { text, exact, byKey };
}

/** Overlap in half-units (integer): 2 per exact match, 1 per same-name match of another size. */
export function overlapHalves(x: Signature, y: Signature): number {
  let exact = 0;
  for (const [k, n] of x.exact) exact += Math.min(n, y.exact.get(k) ?? 0);
  let named = 0;
  for (const [k, n] of x.byKey) named += Math.min(n, y.byKey.get(k) ?? 0);
  return 2 * exact + (named - exact);
}

/** Pair the epochs of two devices. `mode` "auto" = order when the counts are equal. */
export function pairEpochs(
  A: readonly EpochSide[],
  B: readonly EpochSide[],
  mode: "auto" | "order" | "best" = "auto",
): EpochPairing {
  // The outside-any-epoch groups (index -1, always last) pair with each other.
  const outA = A.length > 0 && (A[A.length - 1] as EpochSide).index < 0 ? A.length - 1 : -1;
  const outB = B.length > 0 && (B[B.length - 1] as EpochSide).index < 0 ? B.length - 1 : -1;
  const ea = outA >= 0 ? outA : A.length;
  const eb = outB >= 0 ? outB : B.length;
  let res: EpochPairing;
  const wantBest = mode === "best" || (mode === "auto" && ea !== eb);
  if (wantBest && ea * eb > EPOCH_PAIR_LIMIT) {
    res = inOrder(ea, eb);
    res.fallback = `${ea} × ${eb} epochs are too many to pair by best score; paired in order`;
  } else if (wantBest) res = best(A.slice(0, ea), B.slice(0, eb));
  else res = inOrder(ea, eb);
  if (outA >= 0 || outB >= 0)
    res.steps.push({ a: outA >= 0 ? outA : null, b: outB >= 0 ? outB : null });
  return res;
}

function inOrder(ea: number, eb: number): EpochPairing {
  const steps: EpochPairing["steps"] = [];
  for (let i = 0; i < Math.max(ea, eb); i++)
    steps.push({ a: i < ea ? i : null, b: i < eb ? i : null });
  return { steps, mode: "order" };
}

/** A bonus per pair (below one half-unit of overlap) so that, at equal overlap, more epochs pair. */
const PAIR_BONUS = 1;
const SCALE = 1 << 20;

function best(A: readonly EpochSide[], B: readonly EpochSide[]): EpochPairing {
  const n = A.length;
  const m = B.length;
  // Distinct signatures, so identical epochs are compared once.
  const sigIdA: number[] = [];
  const sigIdB: number[] = [];
  const sigs: Signature[] = [];
  const byText = new Map<string, number>();
  const idOf = (e: EpochSide): number => {
    const s = signature(e);
    let id = byText.get(s.text);
    if (id === undefined) {
      id = sigs.length;
      sigs.push(s);
      byText.set(s.text, id);
    }
    return id;
  };
  for (const e of A) sigIdA.push(idOf(e));
  for (const e of B) sigIdB.push(idOf(e));
  const memo = new Map<number, number>();
  const value = (i: number, j: number): number => {
    const x = sigIdA[i] as number;
    const y = sigIdB[j] as number;
    const k = x * sigs.length + y;
    let v = memo.get(k);
    if (v === undefined) {
      v = overlapHalves(sigs[x] as Signature, sigs[y] as Signature) * SCALE + PAIR_BONUS;
      memo.set(k, v);
    }
    return v;
  };
  const w = m + 1;
  const dp = new Float64Array((n + 1) * w);
  for (let i = 1; i <= n; i++)
    for (let j = 1; j <= m; j++) {
      const diag = (dp[(i - 1) * w + j - 1] as number) + value(i - 1, j - 1);
      dp[i * w + j] = Math.max(dp[(i - 1) * w + j] as number, dp[i * w + j - 1] as number, diag);
    }
  // Traceback from the end; at equal totals skip the later epoch, so earlier ones pair first.
  const rev: EpochPairing["steps"] = [];
  let i = n;
  let j = m;
  while (i > 0 || j > 0) {
    const here = dp[i * w + j] as number;
    if (i > 0 && (j === 0 || dp[(i - 1) * w + j] === here)) {
      rev.push({ a: i - 1, b: null });
      i--;
    } else if (j > 0 && (i === 0 || dp[i * w + j - 1] === here)) {
      rev.push({ a: null, b: j - 1 });
      j--;
    } else {
      rev.push({ a: i - 1, b: j - 1 });
      i--;
      j--;
    }
  }
  rev.reverse();
  return { steps: orderUnpaired(rev), mode: "best" };
}

/**
 * Between two pairs, the traceback emits B's unpaired epochs after A's; show each unpaired
 * epoch where it falls instead: sorted by its own index, A before B at equal index.
 */
function orderUnpaired(steps: EpochPairing["steps"]): EpochPairing["steps"] {
  const out: EpochPairing["steps"] = [];
  let run: EpochPairing["steps"] = [];
  const flush = (): void => {
    run.sort((x, y) => (x.a ?? x.b ?? 0) - (y.a ?? y.b ?? 0) || (x.a === null ? 1 : -1));
    out.push(...run);
    run = [];
  };
  for (const s of steps) {
    if (s.a !== null && s.b !== null) {
      flush();
      out.push(s);
    } else run.push(s);
  }
  flush();
  return out;
}
