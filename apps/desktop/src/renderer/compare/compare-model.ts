import type { DeviceDiff, DiffRow, DiffSide, DiffType } from "@devscope/tracer";

/**
 * What the Compare view draws for one device pair, derived from its DeviceDiff: the
 * synchronised lanes (one column per alignment row, A's box above B's, matched resources
 * linked) and the list of entries (one per row, the two one-sided rows of a moved resource
 * merged into one entry). Pure; unit-tested without a DOM.
 */

/** Which alignment the lanes show: acquisition (ADD) order or release order. */
export type CompareOrder = "add" | "release";

export interface LaneColumn {
  /** Index into DeviceDiff.epochs. */
  epoch: number;
  row: DiffRow;
  /** Index of the entry this column belongs to. */
  entry: number;
}

/** One epoch pair's run of columns. */
export interface EpochBand {
  epoch: number;
  /** First column and count. */
  first: number;
  count: number;
  /** `A#0 ↔ B#1`. */
  label: string;
  score: number;
}

/** A line between A's box in column `a` and B's box in column `b`. */
export interface LaneLink {
  a: number;
  b: number;
  type: DiffType;
  entry: number;
}

/** One item of the list: a row, or a moved pair's two rows. */
export interface CompareEntry {
  /** Stable within a model: `<epoch>:<order>:<first row>`. */
  key: string;
  type: DiffType;
  epoch: number;
  list: DiffRow["list"];
  name: string;
  kind: DiffRow["kind"];
  at: DiffRow["at"];
  a?: DiffSide;
  b?: DiffSide;
  moved?: boolean;
  note?: string;
  /** Columns holding A's and B's box (-1 when that side has none in this order). */
  colA: number;
  colB: number;
}

export interface LaneModel {
  columns: LaneColumn[];
  bands: EpochBand[];
  links: LaneLink[];
  entries: CompareEntry[];
}

/** The marker drawn for each entry type (same as the CLI's). */
export const TYPE_MARK: Record<DiffType, string> = {
  matched: "=",
  onlyA: "-",
  onlyB: "+",
  resized: "~",
  reordered: "↕",
  cutOff: "·",
};

export const TYPE_LABEL: Record<DiffType, string> = {
  matched: "matched",
  onlyA: "only in A",
  onlyB: "only in B",
  resized: "resized",
  reordered: "reordered",
  cutOff: "not comparable",
};

function bandLabel(a: number | null, b: number | null): string {
  const side = (s: string, i: number | null): string =>
    i === null ? `${s} —` : i < 0 ? `${s} (outside epochs)` : `${s}#${i}`;
  return `${side("A", a)} ↔ ${side("B", b)}`;
}

/** Build the lanes and entries of one device pair for one order. */
export function laneModel(dev: DeviceDiff, order: CompareOrder): LaneModel {
  const columns: LaneColumn[] = [];
  const bands: EpochBand[] = [];
  const links: LaneLink[] = [];
  const entries: CompareEntry[] = [];
  dev.epochs.forEach((e, ei) => {
    const rows = order === "add" ? e.rows : e.releaseRows;
    const first = columns.length;
    // Pairs whose halves sit in different columns (moved), from the epoch's items.
    const partnerOfA = new Map<string, string>();
    const partnerOfB = new Map<string, string>();
    for (const it of [...e.reordered, ...e.resized])
      if (it.a !== undefined && it.b !== undefined && it.at === order) {
        partnerOfA.set(it.a.id, it.b.id);
        partnerOfB.set(it.b.id, it.a.id);
      }
    // One-sided halves seen so far: resource id -> column.
    const seenA = new Map<string, number>();
    const seenB = new Map<string, number>();
    rows.forEach((row, ri) => {
      const col = columns.length;
      const fresh = (colA: number, colB: number): number => {
        entries.push(toEntry(`${ei}:${order}:${ri}`, row, ei, colA, colB));
        return entries.length - 1;
      };
      if (row.a !== undefined && row.b !== undefined) {
        const entry = fresh(col, col);
        columns.push({ epoch: ei, row, entry });
        links.push({ a: col, b: col, type: row.type, entry });
        return;
      }
      const isA = row.a !== undefined;
      const own = (isA ? row.a : row.b) as DiffSide;
      const partner = (isA ? partnerOfA : partnerOfB).get(own.id);
      const partnerCol = partner !== undefined ? (isA ? seenB : seenA).get(partner) : undefined;
      if (partnerCol !== undefined) {
        // The other half came earlier: this column joins its entry.
        const entry = (columns[partnerCol] as LaneColumn).entry;
        const en = entries[entry] as CompareEntry;
        if (isA) {
          en.colA = col;
          en.a = own;
        } else {
          en.colB = col;
          en.b = own;
        }
        columns.push({ epoch: ei, row, entry });
        links.push(
          isA
            ? { a: col, b: partnerCol, type: en.type, entry }
            : { a: partnerCol, b: col, type: en.type, entry },
        );
        return;
      }
      const entry = fresh(isA ? col : -1, isA ? -1 : col);
      (isA ? seenA : seenB).set(own.id, col);
      columns.push({ epoch: ei, row, entry });
    });
    bands.push({
      epoch: ei,
      first,
      count: columns.length - first,
      label: bandLabel(e.a, e.b),
      score: e.score,
    });
  });
  return { columns, bands, links, entries };
}

function toEntry(
  key: string,
  row: DiffRow,
  epoch: number,
  colA: number,
  colB: number,
): CompareEntry {
  const e: CompareEntry = {
    key,
    type: row.type,
    epoch,
    list: row.list,
    name: row.name,
    kind: row.kind,
    at: row.at,
    colA,
    colB,
  };
  if (row.a !== undefined) e.a = row.a;
  if (row.b !== undefined) e.b = row.b;
  if (row.moved !== undefined) e.moved = row.moved;
  if (row.note !== undefined) e.note = row.note;
  return e;
}

/** Entry counts per type (for the filter chips). */
export function countTypes(entries: readonly CompareEntry[]): Record<DiffType, number> {
  const c: Record<DiffType, number> = {
    matched: 0,
    onlyA: 0,
    onlyB: 0,
    resized: 0,
    reordered: 0,
    cutOff: 0,
  };
  for (const e of entries) c[e.type]++;
  return c;
}
