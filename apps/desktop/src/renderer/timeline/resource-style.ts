import type { Resource, ResourceKind } from "@devscope/tracer";

/**
 * Every bar on the timeline is drawn with one of a small, fixed set of styles so that a frame
 * can batch its rectangles per fill colour. A style index packs the resource kind (colour
 * hue) and its end state (how the bar is drawn): `style = kindIndex + KIND_COUNT * state`.
 */
export const KIND_ORDER: readonly ResourceKind[] = [
  "memory",
  "irq",
  "iomap",
  "region",
  "dma-coherent",
  "dma-pool",
  "pci",
  "msi",
  "action",
  "group",
  "clk",
  "gpio",
  "regulator",
  "drm",
  "sysfs",
  "other",
];
export const KIND_COUNT = KIND_ORDER.length;

const kindIndexMap = new Map<string, number>(KIND_ORDER.map((k, i) => [k, i]));

/** Index of a kind in KIND_ORDER; unknown kinds (a newer analyzer) fall back to `other`. */
export function kindIndex(kind: string): number {
  return kindIndexMap.get(kind) ?? KIND_COUNT - 1;
}

/** How a bar ends, which decides its fill. */
export const BarState = {
  /** Released by devres_release_all / devres_release_group (REL). */
  Released: 0,
  /** Removed without release (REM: devm_kfree, devres_remove_group...). */
  Removed: 1,
  /** Still on the list when the trace ended: drawn to the edge in the warning colour. */
  Live: 2,
  /** ADD happened before the trace started (first seen being released). */
  CutOff: 3,
} as const;
export type BarState = (typeof BarState)[keyof typeof BarState];
export const STATE_COUNT = 4;
export const STYLE_COUNT = KIND_COUNT * STATE_COUNT;

export function barState(r: Pick<Resource, "end" | "addCutOff">): BarState {
  if (r.end === "live") return BarState.Live;
  if (r.addCutOff) return BarState.CutOff;
  return r.end === "removed" ? BarState.Removed : BarState.Released;
}

export function styleIndex(kind: number, state: BarState): number {
  return kind + KIND_COUNT * state;
}

export function styleKind(style: number): number {
  return style % KIND_COUNT;
}

export function styleState(style: number): BarState {
  return Math.floor(style / KIND_COUNT) as BarState;
}
