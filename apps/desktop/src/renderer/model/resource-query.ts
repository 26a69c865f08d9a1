import type { Analysis, Resource } from "@devscope/tracer";
import type { AnalysisIndex } from "./analysis-index.ts";

/** Resource table filters. Empty string = no constraint. */
export interface ResourceFilter {
  device: string;
  kind: string;
  state: "" | "released" | "removed" | "live" | "cut-off" | "finding";
  /** Whitespace-separated words, all must match (case-insensitive) id, name, node, device, allocSite. */
  text: string;
}

export const EMPTY_FILTER: ResourceFilter = { device: "", kind: "", state: "", text: "" };

export type SortKey =
  "id" | "device" | "name" | "kind" | "size" | "addedNs" | "endedNs" | "duration" | "end" | "epoch";

export interface SortSpec {
  key: SortKey;
  /** 1 ascending, -1 descending. */
  dir: 1 | -1;
}

export const DEFAULT_SORT: SortSpec = { key: "id", dir: 1 };

function matchesState(
  r: Resource,
  state: ResourceFilter["state"],
  i: number,
  idx: AnalysisIndex,
): boolean {
  switch (state) {
    case "":
      return true;
    case "released":
      return r.end === "released" && !r.addCutOff;
    case "removed":
      return r.end === "removed";
    case "live":
      return r.end === "live";
    case "cut-off":
      return r.addCutOff === true;
    case "finding":
      return idx.findingsOfResource.has(i);
  }
}

function haystack(r: Resource): string {
  return `${r.id} ${r.name} ${r.recoveredName ?? ""} ${r.node} ${r.device} ${r.kind} ${r.allocSite ?? ""}`.toLowerCase();
}

/**
 * Indices of the resources that pass `filter`, sorted by `sort` (ties keep analysis order, so
 * the result is deterministic).
 */
export function queryResources(
  a: Analysis,
  idx: AnalysisIndex,
  filter: ResourceFilter,
  sort: SortSpec,
  spanEndNs: number,
): Uint32Array {
  const words = filter.text.toLowerCase().split(/\s+/).filter(Boolean);
  const devList = filter.device ? (idx.resourcesOfDevice.get(filter.device) ?? []) : null;
  const out: number[] = [];
  const consider = (i: number): void => {
    const r = a.resources[i] as Resource;
    if (filter.kind && r.kind !== filter.kind) return;
    if (!matchesState(r, filter.state, i, idx)) return;
    if (words.length) {
      const h = haystack(r);
      for (const w of words) if (!h.includes(w)) return;
    }
    out.push(i);
  };
  if (devList) for (const i of devList) consider(i);
  else for (let i = 0; i < a.resources.length; i++) consider(i);
  const result = Uint32Array.from(out);
  if (sort.key === "id" && sort.dir === 1) return result;
  return sortResources(a, result, sort, spanEndNs);
}

const END_RANK: Record<Resource["end"], number> = { released: 0, removed: 1, live: 2 };

function numericKey(r: Resource, key: SortKey, spanEndNs: number): number {
  switch (key) {
    case "size":
      return r.size;
    case "addedNs":
      return r.addedNs;
    case "endedNs":
      return r.endedNs ?? spanEndNs;
    case "duration":
      return (r.endedNs ?? spanEndNs) - r.addedNs;
    case "end":
      return END_RANK[r.end];
    case "epoch":
      return r.epoch;
    default:
      return 0;
  }
}

export function sortResources(
  a: Analysis,
  indices: Uint32Array,
  sort: SortSpec,
  spanEndNs: number,
): Uint32Array {
  const arr = Array.from(indices);
  const { key, dir } = sort;
  if (key === "id") {
    arr.sort((x, y) => (x - y) * dir);
  } else if (key === "device" || key === "name" || key === "kind") {
    const val = (i: number): string => (a.resources[i] as Resource)[key];
    arr.sort((x, y) => {
      const vx = val(x);
      const vy = val(y);
      return (vx < vy ? -1 : vx > vy ? 1 : 0) * dir || x - y;
    });
  } else {
    const keys = new Float64Array(a.resources.length);
    for (const i of arr) keys[i] = numericKey(a.resources[i] as Resource, key, spanEndNs);
    arr.sort((x, y) => ((keys[x] as number) - (keys[y] as number)) * dir || x - y);
  }
  return Uint32Array.from(arr);
}
