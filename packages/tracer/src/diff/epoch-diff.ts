import type { DiffItem, DiffList, DiffRow, DiffSide, DiffType, EpochDiff } from "./diff-model.js";
import { LISTS, type EpochSide, type ListSide, type SeqItem } from "./epoch-sequences.js";
import { alignSequences, type AlignStep, type AlignTokens } from "./sequence-align.js";

/**
 * The comparison of one bind epoch of A with one of B, per list (devres, then drmm):
 *
 * 1. Acquisition: the ADD sequences are aligned (sequence-align.ts). Resized substitutions
 *    whose sizes fit another resized pair of the same name are re-paired exactly (a swap is a
 *    reorder, not two resizes). Tokens left on both sides with the same identity are then
 *    paired in order: a reorder (same size) or a resize at another position.
 * 2. Cut-off starts: resources seen only being released (their ADD predates the trace) are
 *    paired by aligning the release sequences of what is still unpaired.
 * 3. The other side's resources whose whole life precedes a cut-off side's first visible event
 *    are `cutOff`: that trace cannot show them (neither a match nor a difference).
 * 4. Release order: the release sequences of both sides are aligned by pair identity (a
 *    longest common subsequence); paired resources outside it were released in a different
 *    order. A paired resource released on one side only, while the other side's epoch ended,
 *    is a release difference too.
 *
 * Each pair earns a credit of 1, minus 0.5 when resized, 0.25 when reordered at acquisition
 * and 0.25 when its release differs; score = Σ credit / max(countA, countB), where the counts
 * exclude cut-off resources (docs/diff.md, "Scores").
 */

export const CREDIT = { resized: 0.5, addReordered: 0.25, releaseDiffers: 0.25 } as const;

interface Pair {
  a: SeqItem;
  b: SeqItem;
  resized: boolean;
  /** A nameless node paired with a named one by position (first pass only). */
  wild?: boolean;
  /** Reordered at acquisition (paired outside the alignment's columns). */
  addMoved: boolean;
  /** Paired through the release sequences (one side has no ADD). */
  byRelease: boolean;
  /** How the releases compare, once known. */
  release?: "reordered" | "onlyA" | "onlyB";
}

/** Options of one epoch comparison. */
export interface EpochDiffOptions {
  /**
   * Let nameless nodes pair with named ones of equal size (diff-analyses' first pass), and
   * report each such pairing to `vote(unknownKey, name)`.
   */
  vote?: (unknownKey: string, name: string) => void;
}

/** Per-epoch-pair working state. */
class PairState {
  wild = false;
  readonly ofA = new Map<SeqItem, Pair>();
  readonly ofB = new Map<SeqItem, Pair>();
  readonly cutA = new Set<SeqItem>();
  readonly cutB = new Set<SeqItem>();

  add(p: Pair): void {
    this.ofA.set(p.a, p);
    this.ofB.set(p.b, p);
  }
  remove(p: Pair): void {
    this.ofA.delete(p.a);
    this.ofB.delete(p.b);
  }
}

function tokens(items: readonly SeqItem[], wildcards = false): AlignTokens {
  const keys = new Int32Array(items.length);
  const sizes = new Float64Array(items.length);
  const wild = wildcards ? new Uint8Array(items.length) : undefined;
  items.forEach((it, i) => {
    keys[i] = it.key;
    sizes[i] = it.res.size;
    if (wild !== undefined && it.unknown !== undefined) wild[i] = 1;
  });
  return wild !== undefined ? { keys, sizes, wild } : { keys, sizes };
}

/** Phase 1: acquisition alignment of one list; returns the alignment columns for the rows. */
function pairAdds(la: ListSide, lb: ListSide, st: PairState): AlignStep[] {
  const steps = alignSequences(tokens(la.adds, st.wild), tokens(lb.adds, st.wild));
  const resizedByKey = new Map<number, Pair[]>();
  for (const s of steps) {
    if (s.a < 0 || s.b < 0) continue;
    const a = la.adds[s.a] as SeqItem;
    const b = lb.adds[s.b] as SeqItem;
    const p: Pair = { a, b, resized: a.res.size !== b.res.size, addMoved: false, byRelease: false };
    if (a.key !== b.key) p.wild = true;
    st.add(p);
    if (p.resized) {
      const g = resizedByKey.get(a.key);
      if (g === undefined) resizedByKey.set(a.key, [p]);
      else g.push(p);
    }
  }
  // Resized pairs of one name whose sizes fit each other exactly are reorders, not resizes.
  for (const group of resizedByKey.values()) {
    if (group.length < 2) continue;
    const as = group.map((p) => p.a);
    const bs = group.map((p) => p.b);
    if (!as.some((a) => bs.some((b) => b.res.size === a.res.size))) continue;
    const original = new Map(group.map((p) => [p.a, p.b]));
    for (const p of group) st.remove(p);
    repair(as, bs, original, st);
  }
  // Same identity left unpaired on both sides: moved.
  const freeA = la.adds.filter((a) => !st.ofA.has(a));
  const freeB = lb.adds.filter((b) => !st.ofB.has(b));
  if (freeA.length > 0 && freeB.length > 0) repair(freeA, freeB, undefined, st);
  return steps;
}

/**
 * Pair items of equal key: exact sizes first (in order), then the rest of each key in order as
 * resizes. `original` holds the alignment's own pairs: keeping one of them is not a move.
 */
function repair(
  as: readonly SeqItem[],
  bs: readonly SeqItem[],
  original: Map<SeqItem, SeqItem> | undefined,
  st: PairState,
): void {
  const used = new Set<SeqItem>();
  const byKey = new Map<number, SeqItem[]>();
  for (const b of bs) {
    const g = byKey.get(b.key);
    if (g === undefined) byKey.set(b.key, [b]);
    else g.push(b);
  }
  const left: SeqItem[] = [];
  for (const a of as) {
    const cands = byKey.get(a.key);
    const b = cands?.find((x) => !used.has(x) && x.res.size === a.res.size);
    if (b === undefined) {
      left.push(a);
      continue;
    }
    used.add(b);
    st.add({ a, b, resized: false, addMoved: original?.get(a) !== b, byRelease: false });
  }
  for (const a of left) {
    const b = byKey.get(a.key)?.find((x) => !used.has(x));
    if (b === undefined) continue;
    used.add(b);
    st.add({ a, b, resized: true, addMoved: original?.get(a) !== b, byRelease: false });
  }
}

/** Phase 2: pair what is left through the release order (one side's ADD predates its trace). */
function pairReleases(la: ListSide, lb: ListSide, st: PairState): void {
  const ra = la.releases.filter((x) => !st.ofA.has(x));
  const rb = lb.releases.filter((x) => !st.ofB.has(x));
  if (!ra.some((x) => !x.hasAdd) && !rb.some((x) => !x.hasAdd)) return;
  const steps = alignSequences(tokens(ra, st.wild), tokens(rb, st.wild));
  for (const s of steps) {
    if (s.a < 0 || s.b < 0) continue;
    const a = ra[s.a] as SeqItem;
    const b = rb[s.b] as SeqItem;
    const p: Pair = { a, b, resized: a.res.size !== b.res.size, addMoved: false, byRelease: true };
    if (a.key !== b.key) p.wild = true;
    st.add(p);
  }
  // Same identity still free on both sides, one of them without ADD: released elsewhere.
  const fa = ra.filter((x) => !st.ofA.has(x));
  const fb = rb.filter((x) => !st.ofB.has(x));
  for (const a of fa) {
    const b = fb.find((x) => !st.ofB.has(x) && x.key === a.key && (!x.hasAdd || !a.hasAdd));
    if (b === undefined) continue;
    st.add({ a, b, resized: a.res.size !== b.res.size, addMoved: false, byRelease: true });
  }
}

/** Time on `self`'s clock of the first event its partner's trace shows for this pair. */
function visibleFrom(self: SeqItem, partner: SeqItem): number {
  if (partner.hasAdd) return self.res.addedNs;
  return self.res.endedNs ?? self.res.addedNs;
}

/**
 * Phase 3: when `cutSide`'s trace starts after the probe, the other side's unpaired resources
 * that ended before the first paired event `cutSide` shows could not appear in it.
 */
function markCutOff(
  lists: readonly [ListSide, ListSide][],
  st: PairState,
  cutSideIsA: boolean,
): void {
  let horizon = Number.POSITIVE_INFINITY;
  for (const p of st.ofA.values()) {
    const self = cutSideIsA ? p.b : p.a;
    const partner = cutSideIsA ? p.a : p.b;
    horizon = Math.min(horizon, visibleFrom(self, partner));
  }
  if (horizon === Number.POSITIVE_INFINITY) return;
  for (const [la, lb] of lists) {
    const other = cutSideIsA ? lb : la;
    const paired = cutSideIsA ? st.ofB : st.ofA;
    const cut = cutSideIsA ? st.cutB : st.cutA;
    for (const it of other.all)
      if (!paired.has(it) && it.res.endedNs !== undefined && it.res.endedNs < horizon) cut.add(it);
  }
}

/** Whether a side's epoch can show a release of this resource (it was not still bound). */
function releaseExpected(partner: SeqItem, partnerSide: EpochSide): boolean {
  const r = partner.res;
  if (r.endMissing === true) return false;
  if (r.end === "live") return partnerSide.epoch?.end !== "bound-at-end";
  return true;
}

function side(it: SeqItem, pos: number, line: number | undefined): DiffSide {
  const s: DiffSide = { id: it.res.id, pos, size: it.res.size };
  // The printed form, for names the diff inferred and names nobody knows.
  if ((it.inferred !== undefined || it.unknown !== undefined) && it.res.name !== it.name)
    s.printed = it.res.name;
  if (it.res.src !== undefined) s.src = it.res.src;
  if (line !== undefined) s.line = line;
  return s;
}

function addSide(it: SeqItem): DiffSide {
  return it.hasAdd ? side(it, it.addPos, it.res.addLine) : side(it, it.relPos, it.res.endLine);
}

function relSide(it: SeqItem): DiffSide {
  return side(it, it.relPos, it.res.endLine);
}

function item(
  type: DiffType,
  list: DiffList,
  at: "add" | "release",
  a: SeqItem | undefined,
  b: SeqItem | undefined,
  sideOf: (x: SeqItem) => DiffSide,
): DiffItem {
  const ref = (a ?? b) as SeqItem;
  const out: DiffItem = { type, list, name: ref.name, kind: ref.kind, at };
  if (a !== undefined) out.a = sideOf(a);
  if (b !== undefined) out.b = sideOf(b);
  const how = a?.inferred ?? b?.inferred;
  if (how === "offset")
    out.note = "name inferred from the other trace (same page offset of the name string)";
  else if (how === "alignment")
    out.note = "name inferred from its position against the other trace";
  else if (a?.unknown !== undefined || b?.unknown !== undefined)
    out.note = "name not in the trace (module unloaded, or a raw pointer)";
  return out;
}

const MARK: Record<DiffType, DiffRow["mark"]> = {
  matched: "=",
  onlyA: "-",
  onlyB: "+",
  resized: "~",
  reordered: "↕",
  cutOff: "·",
};

function row(i: DiffItem, mark?: DiffRow["mark"]): DiffRow {
  return { ...i, mark: mark ?? MARK[i.type] };
}

function cutNote(side: "A" | "B"): string {
  return `${side}'s trace starts after this resource's lifetime ended`;
}

/** Compare two epochs (either may be missing: an unpaired epoch). */
export function diffEpochPair(
  ea: EpochSide | undefined,
  eb: EpochSide | undefined,
  opts: EpochDiffOptions = {},
): EpochDiff {
  const out: EpochDiff = {
    a: ea?.index ?? null,
    b: eb?.index ?? null,
    score: 0,
    coverA: 0,
    coverB: 0,
    matched: 0,
    onlyA: [],
    onlyB: [],
    reordered: [],
    resized: [],
    cutOff: [],
    countA: ea?.count ?? 0,
    countB: eb?.count ?? 0,
    rows: [],
    releaseRows: [],
  };
  if (ea?.epoch !== undefined) out.endA = ea.epoch.end;
  if (eb?.epoch !== undefined) out.endB = eb.epoch.end;
  if (ea === undefined || eb === undefined) {
    unpaired(out, ea ?? eb, ea !== undefined);
    out.coverA = out.countA === 0 ? 1 : 0;
    out.coverB = out.countB === 0 ? 1 : 0;
    return out;
  }
  const st = new PairState();
  st.wild = opts.vote !== undefined;
  const lists = LISTS.map((l) => [ea.lists[l], eb.lists[l]] as [ListSide, ListSide]);
  const addSteps = lists.map(([la, lb]) => pairAdds(la, lb, st));
  for (const [la, lb] of lists) pairReleases(la, lb, st);
  const cutA = ea.epoch?.startCutOff === true;
  const cutB = eb.epoch?.startCutOff === true;
  if (cutA) markCutOff(lists, st, true);
  if (cutB) markCutOff(lists, st, false);
  if (cutA || cutB) out.addMissing = cutA && cutB ? "both" : cutA ? "a" : "b";
  const boundA = ea.epoch?.end === "bound-at-end";
  const boundB = eb.epoch?.end === "bound-at-end";
  if (boundA || boundB) out.releaseMissing = boundA && boundB ? "both" : boundA ? "a" : "b";

  // Release order, per list.
  lists.forEach(([la, lb], li) => {
    const list = LISTS[li] as DiffList;
    compareReleases(list, la, lb, ea, eb, st, out);
  });

  // Acquisition rows and the items of every pair.
  lists.forEach(([la, lb], li) => {
    const list = LISTS[li] as DiffList;
    addRows(list, la, lb, addSteps[li] as AlignStep[], st, out);
    // Resources without ADD that stayed unpaired and were not released (rare: REPLACE of a
    // node that predates the trace) still count: list them.
    for (const a of la.all)
      if (!a.hasAdd && a.relPos < 0 && !st.ofA.has(a))
        push(out, item(st.cutA.has(a) ? "cutOff" : "onlyA", list, "add", a, undefined, addSide));
    for (const b of lb.all)
      if (!b.hasAdd && b.relPos < 0 && !st.ofB.has(b))
        push(out, item(st.cutB.has(b) ? "cutOff" : "onlyB", list, "add", undefined, b, addSide));
  });

  if (opts.vote !== undefined)
    for (const p of st.ofA.values()) {
      if (p.wild !== true) continue;
      if (p.a.unknown !== undefined && p.b.unknown === undefined) opts.vote(p.a.unknown, p.b.name);
      else if (p.b.unknown !== undefined && p.a.unknown === undefined)
        opts.vote(p.b.unknown, p.a.name);
    }

  // Score.
  let credit = 0;
  for (const p of st.ofA.values()) {
    let c = 1;
    if (p.resized) c -= CREDIT.resized;
    if (p.addMoved) c -= CREDIT.addReordered;
    if (p.release !== undefined) c -= CREDIT.releaseDiffers;
    credit += Math.max(0, c);
    if (c === 1) out.matched++;
  }
  out.countA = ea.count - st.cutA.size;
  out.countB = eb.count - st.cutB.size;
  const denom = Math.max(out.countA, out.countB);
  out.score = denom === 0 ? 1 : credit / denom;
  out.coverA = out.countA === 0 ? 1 : credit / out.countA;
  out.coverB = out.countB === 0 ? 1 : credit / out.countB;
  const notes = epochNotes(ea, eb, st, out);
  if (notes.length > 0) out.notes = notes;
  return out;
}

function push(out: EpochDiff, i: DiffItem): void {
  if (i.type === "onlyA") out.onlyA.push(i);
  else if (i.type === "onlyB") out.onlyB.push(i);
  else if (i.type === "reordered") out.reordered.push(i);
  else if (i.type === "resized") out.resized.push(i);
  else if (i.type === "cutOff") out.cutOff.push(i);
}

/** Acquisition rows: the alignment's columns, each pair drawn where both sides have it. */
function addRows(
  list: DiffList,
  la: ListSide,
  lb: ListSide,
  steps: readonly AlignStep[],
  st: PairState,
  out: EpochDiff,
): void {
  const rowOfA = (a: SeqItem): void => {
    const p = st.ofA.get(a);
    if (p === undefined) {
      const t: DiffType = st.cutA.has(a) ? "cutOff" : "onlyA";
      const i = item(t, list, "add", a, undefined, addSide);
      if (t === "cutOff") i.note = cutNote("B");
      push(out, i);
      out.rows.push(row(i));
      return;
    }
    out.rows.push(sideRow(list, p, "a"));
  };
  const rowOfB = (b: SeqItem): void => {
    const p = st.ofB.get(b);
    if (p === undefined) {
      const t: DiffType = st.cutB.has(b) ? "cutOff" : "onlyB";
      const i = item(t, list, "add", undefined, b, addSide);
      if (t === "cutOff") i.note = cutNote("A");
      push(out, i);
      out.rows.push(row(i));
      return;
    }
    out.rows.push(sideRow(list, p, "b"));
  };
  for (const s of steps) {
    const a = s.a >= 0 ? (la.adds[s.a] as SeqItem) : undefined;
    const b = s.b >= 0 ? (lb.adds[s.b] as SeqItem) : undefined;
    const p = a !== undefined ? st.ofA.get(a) : undefined;
    if (a !== undefined && b !== undefined && p !== undefined && p.b === b) {
      const t: DiffType = p.resized ? "resized" : "matched";
      const i = item(t, list, "add", a, b, addSide);
      if (p.resized) push(out, i);
      out.rows.push(row(i));
      continue;
    }
    if (a !== undefined) rowOfA(a);
    if (b !== undefined) rowOfB(b);
  }
  // Pairs with one side's ADD missing are reported once, from the side that has the ADD (or,
  // when neither has it, from the release rows).
  for (const p of st.ofA.values()) {
    if (p.a.res.list !== list) continue;
    if (p.byRelease && p.resized) push(out, item("resized", list, "release", p.a, p.b, relSide));
    else if (p.addMoved && !p.resized) push(out, item("reordered", list, "add", p.a, p.b, addSide));
    else if (p.addMoved && p.resized) {
      const i = item("resized", list, "add", p.a, p.b, addSide);
      i.moved = true;
      push(out, i);
    }
  }
}

/** The row drawn at one side's position for a pair that is not a column of the alignment. */
function sideRow(list: DiffList, p: Pair, at: "a" | "b"): DiffRow {
  const a = at === "a" ? p.a : undefined;
  const b = at === "b" ? p.b : undefined;
  if (p.byRelease) {
    const i = item("matched", list, "add", a, b, addSide);
    i.note = `paired by release order: ${at === "a" ? "B" : "A"}'s ADD predates its trace`;
    return row(i, "·");
  }
  if (p.resized) {
    const i = item("resized", list, "add", a, b, addSide);
    i.moved = true;
    return row(i);
  }
  return row(item("reordered", list, "add", a, b, addSide));
}

/** Phase 4: release order of one list. */
function compareReleases(
  list: DiffList,
  la: ListSide,
  lb: ListSide,
  ea: EpochSide,
  eb: EpochSide,
  st: PairState,
  out: EpochDiff,
): void {
  // Take a released resource into the comparison unless its partner could not have been
  // released yet (the partner's epoch is still bound) or its release is missing from the log.
  const ra = la.releases.filter((x) => {
    const p = st.ofA.get(x);
    return p === undefined || p.b.relPos >= 0 || releaseExpected(p.b, eb);
  });
  const rb = lb.releases.filter((x) => {
    const p = st.ofB.get(x);
    return p === undefined || p.a.relPos >= 0 || releaseExpected(p.a, ea);
  });
  if (ra.length === 0 && rb.length === 0) return;
  // Pair identity as the token: only a pair's two halves can match.
  const ids = new Map<Pair, number>();
  let next = 1;
  const tok = (items: readonly SeqItem[], of: Map<SeqItem, Pair>): AlignTokens => {
    const keys = new Int32Array(items.length);
    items.forEach((it, i) => {
      const p = of.get(it);
      if (p === undefined) {
        keys[i] = -next++; // unpaired: never equal to anything
        return;
      }
      let id = ids.get(p);
      if (id === undefined) {
        id = next++;
        ids.set(p, id);
      }
      keys[i] = id;
    });
    return { keys, sizes: new Float64Array(items.length) };
  };
  const steps = alignSequences(tok(ra, st.ofA), tok(rb, st.ofB));
  const lone = (x: SeqItem, isA: boolean): void => {
    const p = (isA ? st.ofA : st.ofB).get(x);
    if (p === undefined) {
      const cut = (isA ? st.cutA : st.cutB).has(x);
      const t: DiffType = cut ? "cutOff" : isA ? "onlyA" : "onlyB";
      const i = item(t, list, "release", isA ? x : undefined, isA ? undefined : x, relSide);
      // Unpaired resources that have an ADD are listed with the acquisition rows.
      if (!x.hasAdd) push(out, i);
      out.releaseRows.push(row(i));
      return;
    }
    const partner = isA ? p.b : p.a;
    if (partner.relPos >= 0) {
      // Released on both sides, at positions outside the common order.
      if (p.release === undefined) {
        p.release = "reordered";
        push(out, item("reordered", list, "release", p.a, p.b, relSide));
      }
      out.releaseRows.push(
        row(
          item("reordered", list, "release", isA ? p.a : undefined, isA ? undefined : p.b, relSide),
        ),
      );
      return;
    }
    // Released here, not by the other side although its epoch ended (removed, or left listed).
    p.release = isA ? "onlyA" : "onlyB";
    const i = item(
      p.release,
      list,
      "release",
      isA ? p.a : undefined,
      isA ? undefined : p.b,
      relSide,
    );
    const how =
      partner.res.end === "removed"
        ? "removed (REM/DEL) instead"
        : "still listed at its epoch's end";
    i.note = `not released by ${isA ? "B" : "A"}: ${how}`;
    push(out, i);
    out.releaseRows.push(row(i));
  };
  for (const s of steps) {
    const a = s.a >= 0 ? (ra[s.a] as SeqItem) : undefined;
    const b = s.b >= 0 ? (rb[s.b] as SeqItem) : undefined;
    if (a !== undefined && b !== undefined) {
      const p = st.ofA.get(a) as Pair;
      const i = item(p.resized ? "resized" : "matched", list, "release", a, b, relSide);
      out.releaseRows.push(row(i));
      continue;
    }
    if (a !== undefined) lone(a, true);
    if (b !== undefined) lone(b, false);
  }
}

/** An epoch with no partner: everything is on one side. */
function unpaired(out: EpochDiff, s: EpochSide | undefined, isA: boolean): void {
  if (s === undefined) return;
  for (const list of LISTS) {
    const l = s.lists[list];
    const t: DiffType = isA ? "onlyA" : "onlyB";
    for (const it of l.all) {
      const i = item(
        t,
        list,
        it.hasAdd ? "add" : "release",
        isA ? it : undefined,
        isA ? undefined : it,
        addSide,
      );
      push(out, i);
      if (it.hasAdd) out.rows.push(row(i));
    }
    for (const it of l.releases)
      out.releaseRows.push(
        row(item(t, list, "release", isA ? it : undefined, isA ? undefined : it, relSide)),
      );
  }
  out.notes = [`no partner epoch in ${isA ? "B" : "A"}`];
}

function epochNotes(ea: EpochSide, eb: EpochSide, st: PairState, out: EpochDiff): string[] {
  const notes: string[] = [];
  const cut = (self: EpochSide, other: "A" | "B", n: number): void => {
    if (self.epoch?.startCutOff !== true) return;
    notes.push(
      `${other === "A" ? "B" : "A"}'s trace starts after this epoch's probe: its ADD sequence is missing; ` +
        `resources were paired by release order` +
        (n > 0
          ? `, and ${n} resource(s) of ${other} that ended before its first event are listed as cut off`
          : ""),
    );
  };
  cut(ea, "B", st.cutB.size);
  cut(eb, "A", st.cutA.size);
  if (out.releaseMissing !== undefined) {
    const who =
      out.releaseMissing === "both"
        ? "both epochs are"
        : `${out.releaseMissing.toUpperCase()}'s epoch is`;
    notes.push(`${who} still bound at the end of the trace: no release burst to compare`);
  }
  return notes;
}
