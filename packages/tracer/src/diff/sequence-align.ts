/**
 * Global sequence alignment (Needleman–Wunsch) of two resource sequences, with Hirschberg's
 * linear-space divide and conquer for long ones.
 *
 * Tokens are (key, size): `key` is an interned (list, normalised name, kind) identity. Cost
 * model, integers so that ties are exact:
 * - same key and size: 0 (matched);
 * - same key, different size: RESIZE (a "resized" substitution);
 * - different key: never substituted; two gaps instead;
 * - a gap (token on one side only): GAP;
 * - optionally, a "wild" token (a resource whose name the trace did not print) against a token
 *   of another key and the same size: WILD, so the first of diff-analyses' two passes can see
 *   where a nameless node sits and vote for its name.
 * RESIZE < 2 × GAP, so a resource whose size changed in place stays paired; RESIZE > GAP, so
 * a swap of two sizes of one name ([x8, x16] vs [x16, x8]) costs less as one match and two
 * gaps, which the move pass then reads as a reorder instead of two resizes.
 *
 * Time O(n·m) after trimming the common prefix and suffix (identical epochs cost O(n));
 * memory O(n·m) bytes up to CELL_LIMIT cells, O(n + m) beyond (Hirschberg).
 */

export const ALIGN_COST = { match: 0, wild: 1, resize: 3, gap: 2 } as const;

/** Cells (n·m) up to which the full traceback matrix is used: 4 Mi cells = 4 MiB. */
export const CELL_LIMIT = 4 * 1024 * 1024;

export interface AlignTokens {
  /** Token identity: only tokens with equal keys may be paired. */
  readonly keys: ArrayLike<number>;
  /** Payload bytes: equal key and size = exact match, else a resize. */
  readonly sizes: ArrayLike<number>;
  /** Nonzero: the token's name is unknown; it may pair with another key of equal size. */
  readonly wild?: ArrayLike<number>;
}

/** Cost of putting A[i] and B[j] in one column; -1 when they may not share one. */
function subst(A: AlignTokens, i: number, B: AlignTokens, j: number): number {
  if (A.keys[i] === B.keys[j])
    return A.sizes[i] === B.sizes[j] ? ALIGN_COST.match : ALIGN_COST.resize;
  const wa = A.wild !== undefined && A.wild[i] !== 0;
  const wb = B.wild !== undefined && B.wild[j] !== 0;
  // One nameless token against a named one of the same size (two different nameless
  // addresses are two different functions).
  return wa !== wb && A.sizes[i] === B.sizes[j] ? ALIGN_COST.wild : -1;
}

/** One alignment column: indices into A and B; -1 marks a gap on that side. */
export interface AlignStep {
  a: number;
  b: number;
}

export interface AlignOptions {
  /** Override CELL_LIMIT (tests force the Hirschberg path with a small one). */
  cellLimit?: number;
}

const DIAG = 1;
const UP = 2; // A token against a gap
const LEFT = 3; // B token against a gap

/** Align A with B; returns the columns in order. */
export function alignSequences(
  A: AlignTokens,
  B: AlignTokens,
  opts: AlignOptions = {},
): AlignStep[] {
  const n = A.keys.length;
  const m = B.keys.length;
  const out: AlignStep[] = [];
  let lo = 0;
  while (lo < n && lo < m && exact(A, lo, B, lo)) lo++;
  let hiA = n;
  let hiB = m;
  while (hiA > lo && hiB > lo && exact(A, hiA - 1, B, hiB - 1)) {
    hiA--;
    hiB--;
  }
  for (let i = 0; i < lo; i++) out.push({ a: i, b: i });
  new Aligner(A, B, opts.cellLimit ?? CELL_LIMIT, out).run(lo, hiA, lo, hiB);
  for (let k = 0; hiA + k < n; k++) out.push({ a: hiA + k, b: hiB + k });
  return out;
}

/** Total cost of an alignment under ALIGN_COST (tests, docs). */
export function alignmentCost(A: AlignTokens, B: AlignTokens, steps: readonly AlignStep[]): number {
  let c = 0;
  for (const s of steps) {
    if (s.a < 0 || s.b < 0) {
      c += ALIGN_COST.gap;
      continue;
    }
    const x = subst(A, s.a, B, s.b);
    if (x < 0) return Number.POSITIVE_INFINITY;
    c += x;
  }
  return c;
}

function exact(A: AlignTokens, i: number, B: AlignTokens, j: number): boolean {
  return A.keys[i] === B.keys[j] && A.sizes[i] === B.sizes[j];
}

class Aligner {
  constructor(
    private readonly A: AlignTokens,
    private readonly B: AlignTokens,
    private readonly cellLimit: number,
    private readonly out: AlignStep[],
  ) {}

  run(aLo: number, aHi: number, bLo: number, bHi: number): void {
    const n = aHi - aLo;
    const m = bHi - bLo;
    if (n === 0) {
      for (let j = bLo; j < bHi; j++) this.out.push({ a: -1, b: j });
      return;
    }
    if (m === 0) {
      for (let i = aLo; i < aHi; i++) this.out.push({ a: i, b: -1 });
      return;
    }
    if (n * m <= this.cellLimit || n === 1) {
      this.full(aLo, aHi, bLo, bHi);
      return;
    }
    // Hirschberg: the cheapest split of B for the middle of A, from a forward pass over the
    // top half and a backward pass over the bottom half.
    const mid = aLo + (n >> 1);
    const fwd = this.lastRow(aLo, mid, bLo, bHi, false);
    const bwd = this.lastRow(mid, aHi, bLo, bHi, true);
    let split = 0;
    let best = Number.POSITIVE_INFINITY;
    for (let j = 0; j <= m; j++) {
      const c = (fwd[j] as number) + (bwd[m - j] as number);
      if (c < best) {
        best = c;
        split = j;
      }
    }
    this.run(aLo, mid, bLo, bLo + split);
    this.run(mid, aHi, bLo + split, bHi);
  }

  /** Full DP with a traceback matrix; ties prefer the diagonal, then a B gap, then an A gap. */
  private full(aLo: number, aHi: number, bLo: number, bHi: number): void {
    const { A, B } = this;
    const n = aHi - aLo;
    const m = bHi - bLo;
    const w = m + 1;
    const dir = new Uint8Array((n + 1) * w);
    let prev = new Int32Array(w);
    let cur = new Int32Array(w);
    for (let j = 1; j <= m; j++) {
      prev[j] = j * ALIGN_COST.gap;
      dir[j] = LEFT;
    }
    const anyWild = A.wild !== undefined || B.wild !== undefined;
    for (let i = 1; i <= n; i++) {
      const ia = aLo + i - 1;
      const ka = A.keys[ia];
      const sa = A.sizes[ia];
      cur[0] = i * ALIGN_COST.gap;
      dir[i * w] = UP;
      for (let j = 1; j <= m; j++) {
        let best = Number.MAX_SAFE_INTEGER;
        let d = 0;
        const jb = bLo + j - 1;
        const c =
          B.keys[jb] === ka
            ? B.sizes[jb] === sa
              ? ALIGN_COST.match
              : ALIGN_COST.resize
            : anyWild
              ? subst(A, ia, B, jb)
              : -1;
        if (c >= 0) {
          best = (prev[j - 1] as number) + c;
          d = DIAG;
        }
        // At equal cost the traceback (which runs backwards) takes the B gap first, so in
        // forward order a deletion prints before the insertion that replaces it.
        const left = (cur[j - 1] as number) + ALIGN_COST.gap;
        if (left < best) {
          best = left;
          d = LEFT;
        }
        const up = (prev[j] as number) + ALIGN_COST.gap;
        if (up < best) {
          best = up;
          d = UP;
        }
        cur[j] = best;
        dir[i * w + j] = d;
      }
      const t = prev;
      prev = cur;
      cur = t;
    }
    const rev: AlignStep[] = [];
    let i = n;
    let j = m;
    while (i > 0 || j > 0) {
      const d = dir[i * w + j];
      if (d === DIAG) {
        rev.push({ a: aLo + i - 1, b: bLo + j - 1 });
        i--;
        j--;
      } else if (d === UP) {
        rev.push({ a: aLo + i - 1, b: -1 });
        i--;
      } else {
        rev.push({ a: -1, b: bLo + j - 1 });
        j--;
      }
    }
    for (let k = rev.length - 1; k >= 0; k--) this.out.push(rev[k] as AlignStep);
  }

  /**
   * Costs of aligning A[aLo, aHi) with every prefix of B[bLo, bHi) (or, reversed, with every
   * suffix), in O(m) memory.
   */
  private lastRow(
    aLo: number,
    aHi: number,
    bLo: number,
    bHi: number,
    reverse: boolean,
  ): Int32Array {
    const { A, B } = this;
    const m = bHi - bLo;
    let prev = new Int32Array(m + 1);
    let cur = new Int32Array(m + 1);
    for (let j = 1; j <= m; j++) prev[j] = j * ALIGN_COST.gap;
    const n = aHi - aLo;
    const anyWild = A.wild !== undefined || B.wild !== undefined;
    for (let r = 1; r <= n; r++) {
      const ia = reverse ? aHi - r : aLo + r - 1;
      const ka = A.keys[ia];
      const sa = A.sizes[ia];
      cur[0] = r * ALIGN_COST.gap;
      for (let j = 1; j <= m; j++) {
        const jb = reverse ? bHi - j : bLo + j - 1;
        let best = Math.min(
          (prev[j] as number) + ALIGN_COST.gap,
          (cur[j - 1] as number) + ALIGN_COST.gap,
        );
        const c =
          B.keys[jb] === ka
            ? B.sizes[jb] === sa
              ? ALIGN_COST.match
              : ALIGN_COST.resize
            : anyWild
              ? subst(A, ia, B, jb)
              : -1;
        if (c >= 0 && (prev[j - 1] as number) + c < best) best = (prev[j - 1] as number) + c;
        cur[j] = best;
      }
      const t = prev;
      prev = cur;
      cur = t;
    }
    return prev;
  }
}
