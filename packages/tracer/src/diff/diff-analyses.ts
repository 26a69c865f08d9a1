import type { Analysis } from "../model/analysis.js";
import { type DevicePair, pairDevices } from "./device-pairing.js";
import {
  DIFF_SCHEMA,
  type DeviceDiff,
  type DiffInput,
  type DiffOptions,
  type DiffResult,
  type DiffSummary,
  type EpochDiff,
} from "./diff-model.js";
import { diffEpochPair } from "./epoch-diff.js";
import { pairEpochs } from "./epoch-pairing.js";
import { deviceSides, KeyInterner, type DeviceSide, type EpochSide } from "./epoch-sequences.js";
import { NameResolver, unknownLabel } from "./resource-names.js";

/**
 * Compare two analyses by resource identity (docs/diff.md): pair devices, pair their bind
 * epochs, align each epoch pair's acquisition and release sequences, score the similarity.
 * Pure and deterministic; throws DiffInputError for a bad device mapping.
 */
export function diffAnalyses(a: Analysis, b: Analysis, opts: DiffOptions = {}): DiffResult {
  const names = new NameResolver([a, b]);
  let keys = new KeyInterner();
  let sidesA = deviceSides(a, names, keys);
  let sidesB = deviceSides(b, names, keys);
  const devPairs = pairDevices(sidesA, sidesB, opts.map ?? [], opts.autoPair === true);
  const compare = (
    p: DevicePair,
    vote?: (key: string, name: string) => void,
  ): { epochs: EpochDiff[]; mode: "order" | "best"; fallback?: string } => {
    const da = sidesA.get(p.a) as DeviceSide;
    const db = sidesB.get(p.b) as DeviceSide;
    const epA = p.epochA !== undefined ? da.epochs.filter((e) => e.index === p.epochA) : da.epochs;
    const epB = p.epochB !== undefined ? db.epochs.filter((e) => e.index === p.epochB) : db.epochs;
    const pairing = pairEpochs(epA, epB, opts.epochPairing ?? "auto");
    const epochs = pairing.steps.map((s) =>
      diffEpochPair(
        s.a !== null ? (epA[s.a] as EpochSide) : undefined,
        s.b !== null ? (epB[s.b] as EpochSide) : undefined,
        vote !== undefined ? { vote } : {},
      ),
    );
    return pairing.fallback !== undefined
      ? { epochs, mode: pairing.mode, fallback: pairing.fallback }
      : { epochs, mode: pairing.mode };
  };
  // First pass, only when some names are unknown: where does each nameless node sit?
  if (names.unknownCount > 0) {
    const votes = new Map<string, Map<string, number>>();
    const vote = (key: string, name: string): void => {
      let v = votes.get(key);
      if (v === undefined) votes.set(key, (v = new Map()));
      v.set(name, (v.get(name) ?? 0) + 1);
    };
    for (const p of devPairs.pairs) compare(p, vote);
    const learned = electNames(votes);
    if (learned.size > 0) {
      names.learnFromAlignment(learned);
      keys = new KeyInterner();
      sidesA = deviceSides(a, names, keys);
      sidesB = deviceSides(b, names, keys);
    }
  }
  const notes: string[] = [];
  const devices: DeviceDiff[] = [];
  let credit = 0;
  let denom = 0;
  let countA = 0;
  let countB = 0;
  const ratio = (c: number, n: number): number => round(n === 0 ? 1 : c / n);
  for (const p of devPairs.pairs) {
    const { epochs, mode, fallback } = compare(p);
    if (fallback !== undefined) notes.push(`${p.a}: ${fallback}`);
    let dc = 0;
    let dd = 0;
    let da = 0;
    let db = 0;
    for (const e of epochs) {
      const n = Math.max(e.countA, e.countB);
      // score = credit / max(countA, countB), so this is the epoch's credit.
      dc += e.score * n;
      dd += n;
      da += e.countA;
      db += e.countB;
      e.score = round(e.score);
      e.coverA = round(e.coverA);
      e.coverB = round(e.coverB);
    }
    credit += dc;
    denom += dd;
    countA += da;
    countB += db;
    const dev: DeviceDiff = {
      a: p.a,
      b: p.b,
      pairing: p.pairing,
      score: ratio(dc, dd),
      coverA: ratio(dc, da),
      coverB: ratio(dc, db),
      epochPairing: mode,
      epochs,
      summary: summarize(epochs),
    };
    if (p.epochA !== undefined) dev.epochA = p.epochA;
    if (p.epochB !== undefined) dev.epochB = p.epochB;
    devices.push(dev);
    if (p.pairing === "auto")
      notes.push(
        `${p.a} (A) and ${p.b} (B) were paired automatically: their names differ, ` +
          `${Math.round((p.similarity ?? 0) * 100)}% of their resources are the same (use --map to override)`,
      );
  }
  if (names.usedOffset.size > 0)
    notes.push(
      `names the traces did not print were inferred from the other trace's module names at the ` +
        `same page offset: ${inferred(names.usedOffset)}`,
    );
  if (names.usedAlignment.size > 0)
    notes.push(
      `names the traces did not print were inferred from their position against named ` +
        `resources of equal size: ${inferred(names.usedAlignment)}`,
    );
  const label = (x: Analysis, given: string[] | undefined): string[] =>
    given ?? x.inputs.map((i) => i.path);
  const input = (
    x: Analysis,
    sides: Map<string, DeviceSide>,
    given: string[] | undefined,
  ): DiffInput => ({
    paths: label(x, given),
    devices: sides.size,
    resources: x.resources.length,
  });
  const onlyA = devPairs.onlyA.reduce((n, x) => n + (sidesA.get(x)?.count ?? 0), 0);
  const onlyB = devPairs.onlyB.reduce((n, x) => n + (sidesB.get(x)?.count ?? 0), 0);
  return {
    schema: DIFF_SCHEMA,
    a: input(a, sidesA, opts.labelA),
    b: input(b, sidesB, opts.labelB),
    // Devices without a partner count with all their resources and no credit.
    score: ratio(credit, denom + onlyA + onlyB),
    coverA: ratio(credit, countA + onlyA),
    coverB: ratio(credit, countB + onlyB),
    devices,
    onlyA: devPairs.onlyA,
    onlyB: devPairs.onlyB,
    summary: summarize(devices.flatMap((d) => d.epochs)),
    notes,
  };
}

/** `?+0x4b6 = ata_host_stop, ...` */
function inferred(m: ReadonlyMap<string, string>): string {
  return [...m.entries()].map(([k, n]) => `${unknownLabel(k)} = ${n}`).join(", ");
}

/**
 * A nameless node takes the name it was aligned against at two thirds or more of its
 * positions (votes: unknown key -> name -> count).
 */
function electNames(votes: ReadonlyMap<string, ReadonlyMap<string, number>>): Map<string, string> {
  const out = new Map<string, string>();
  for (const [key, v] of votes) {
    let total = 0;
    let best = "";
    let bestN = 0;
    for (const [name, n] of v) {
      total += n;
      if (n > bestN || (n === bestN && name < best)) {
        best = name;
        bestN = n;
      }
    }
    if (bestN * 3 >= total * 2) out.set(key, best);
  }
  return out;
}

/** Scores are reported to 4 decimals so that text, JSON and the UI agree. */
function round(x: number): number {
  return Math.round(x * 10_000) / 10_000;
}

function summarize(epochs: readonly EpochDiff[]): DiffSummary {
  const s: DiffSummary = { matched: 0, onlyA: 0, onlyB: 0, reordered: 0, resized: 0, cutOff: 0 };
  for (const e of epochs) {
    s.matched += e.matched;
    s.onlyA += e.onlyA.length;
    s.onlyB += e.onlyB.length;
    s.reordered += e.reordered.length;
    s.resized += e.resized.length;
    s.cutOff += e.cutOff.length;
  }
  return s;
}
