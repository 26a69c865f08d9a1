import type { Analysis, DeviceSummary, Epoch, Resource, ResourceKind } from "../model/analysis.js";
import type { DiffList } from "./diff-model.js";
import type { NameResolver } from "./resource-names.js";

/**
 * The sequences the diff aligns, per device, bind epoch and list: the acquisition (ADD) order
 * and the release order. Built once per analysis; keys are interned across both analyses so
 * that equal (list, name, kind) identities compare as equal integers.
 */

export const LISTS: readonly DiffList[] = ["devres", "drmm"];

/** One resource as the diff sees it. */
export interface SeqItem {
  res: Resource;
  /** Index in `analysis.resources` (order of first appearance). */
  order: number;
  /** Compared name and kind (resource-names.ts). */
  name: string;
  kind: ResourceKind;
  /** Interned (list, name, kind). */
  key: number;
  /** How the name was inferred when the trace did not print it (resource-names.ts). */
  inferred?: "offset" | "alignment";
  /** Nothing named it: its address key (`module:4b6`); such a token may pair with any name. */
  unknown?: string;
  /** The ADD was logged (not `addCutOff`). */
  hasAdd: boolean;
  /** Position in `adds` (-1 without ADD) and in `releases` (-1 when not released). */
  addPos: number;
  relPos: number;
}

export interface ListSide {
  /** Every resource of the epoch on this list, order of first appearance. */
  all: SeqItem[];
  /** Resources whose ADD was logged, in ADD order. */
  adds: SeqItem[];
  /** Resources released (REL / drmm REL) with the release logged, in release order. */
  releases: SeqItem[];
}

export interface EpochSide {
  /** Epoch index within the device; -1 gathers resources added outside any epoch. */
  index: number;
  epoch?: Epoch;
  lists: Record<DiffList, ListSide>;
  /** Resources on both lists. */
  count: number;
}

export interface DeviceSide {
  name: string;
  summary: DeviceSummary;
  /** The device's epochs in order; a trailing index -1 side when resources lie outside epochs. */
  epochs: EpochSide[];
  /** Resources on both lists, all epochs. */
  count: number;
}

/** Interns (list, name, kind) identities shared by both analyses. */
export class KeyInterner {
  readonly #ids = new Map<string, number>();
  key(list: DiffList, name: string, kind: ResourceKind): number {
    const k = `${list}\u0000${name}\u0000${kind}`;
    let id = this.#ids.get(k);
    if (id === undefined) {
      id = this.#ids.size;
      this.#ids.set(k, id);
    }
    return id;
  }
}

function emptyList(): ListSide {
  return { all: [], adds: [], releases: [] };
}

function emptySide(index: number, epoch: Epoch | undefined): EpochSide {
  const s: EpochSide = { index, lists: { devres: emptyList(), drmm: emptyList() }, count: 0 };
  if (epoch !== undefined) s.epoch = epoch;
  return s;
}

/** Release order: time, then input, then line, then order of appearance. */
function releaseOrder(x: SeqItem, y: SeqItem): number {
  return (
    (x.res.endedNs as number) - (y.res.endedNs as number) ||
    (x.res.src ?? 0) - (y.res.src ?? 0) ||
    (x.res.endLine ?? 0) - (y.res.endLine ?? 0) ||
    x.order - y.order
  );
}

/** Every device of an analysis, with its epochs' sequences. */
export function deviceSides(
  analysis: Analysis,
  names: NameResolver,
  keys: KeyInterner,
): Map<string, DeviceSide> {
  const out = new Map<string, DeviceSide>();
  for (const d of analysis.devices) {
    out.set(d.name, {
      name: d.name,
      summary: d,
      epochs: d.epochs.map((e) => emptySide(e.index, e)),
      count: 0,
    });
  }
  const outside = new Map<string, EpochSide>();
  analysis.resources.forEach((res, order) => {
    let dev = out.get(res.device);
    if (dev === undefined) {
      // A resource of a device the summary does not list: keep it, never drop it.
      dev = {
        name: res.device,
        summary: {
          name: res.device,
          epochs: [],
          counts: { add: 0, rel: 0, rem: 0, replace: 0 },
          liveAtEnd: 0,
        },
        epochs: [],
        count: 0,
      };
      out.set(res.device, dev);
    }
    let side = res.epoch >= 0 ? dev.epochs[res.epoch] : undefined;
    if (side === undefined) {
      side = outside.get(res.device);
      if (side === undefined) {
        side = emptySide(-1, undefined);
        outside.set(res.device, side);
      }
    }
    const n = names.resolve(res);
    const item: SeqItem = {
      res,
      order,
      name: n.name,
      kind: n.kind,
      key: keys.key(res.list, n.name, n.kind),
      hasAdd: res.addCutOff !== true,
      addPos: -1,
      relPos: -1,
    };
    if (n.inferred !== undefined) item.inferred = n.inferred;
    if (n.unknown !== undefined) item.unknown = n.unknown;
    const list = side.lists[res.list];
    list.all.push(item);
    if (item.hasAdd) {
      item.addPos = list.adds.length;
      list.adds.push(item);
    }
    if (res.end === "released" && res.endedNs !== undefined && res.endMissing !== true)
      list.releases.push(item);
    side.count++;
    dev.count++;
  });
  for (const [name, side] of outside) out.get(name)?.epochs.push(side);
  for (const dev of out.values())
    for (const ep of dev.epochs)
      for (const l of LISTS) {
        const rel = ep.lists[l].releases;
        rel.sort(releaseOrder);
        rel.forEach((it, i) => {
          it.relPos = i;
        });
      }
  return out;
}
