import {
  BarState,
  KIND_COUNT,
  KIND_ORDER,
  STYLE_COUNT,
  styleKind,
  styleState,
} from "./resource-style.ts";
import { must } from "../../shared/must.ts";

/** Colours of the timeline canvas for one UI theme. */
export interface TimelineTheme {
  name: "light" | "dark";
  background: string;
  laneBand: [string, string];
  laneSeparator: string;
  gutter: string;
  gutterSelected: string;
  text: string;
  textDim: string;
  ruler: string;
  grid: string;
  /** Epoch shading by EpochEndCode: unbind, probe-failed, bound-at-end; two alternating shades. */
  epoch: [string, string, string];
  epochAlt: [string, string, string];
  epochEdge: [string, string, string];
  /** Bars still live at the trace end. */
  live: string;
  finding: string;
  selection: string;
  hover: string;
  marker: string;
  markerLabel: string;
  bracket: string;
  /** Fill per style index (kind x state). */
  styleFill: string[];
  /** Opaque epoch fills: [lane parity][alternate shade][EpochEndCode]. */
  epochFill: string[][][];
}

/** One hue per resource kind (KIND_ORDER), chosen to stay apart in both themes. */
export const KIND_COLORS: Record<(typeof KIND_ORDER)[number], string> = {
  memory: "#4f7fe0",
  irq: "#9b5de5",
  iomap: "#1fa598",
  region: "#6aa84f",
  "dma-coherent": "#e0608e",
  "dma-pool": "#b8326a",
  pci: "#8d6e63",
  msi: "#7e57c2",
  action: "#6f8797",
  group: "#8a8a8a",
  clk: "#22a7c4",
  gpio: "#a8b820",
  regulator: "#5c6bc0",
  drm: "#00897b",
  sysfs: "#a1887f",
  other: "#9ea7ad",
};

function withAlpha(hex: string, alpha: number): string {
  const v = parseInt(hex.slice(1), 16);
  return `rgba(${(v >> 16) & 255}, ${(v >> 8) & 255}, ${v & 255}, ${alpha})`;
}

/** `over` (rgba(...) text) composited onto opaque `under` (#rrggbb): an opaque #rrggbb. */
export function blendOver(over: string, under: string): string {
  const m = /^rgba\((\d+),\s*(\d+),\s*(\d+),\s*([\d.]+)\)$/.exec(over);
  if (!m) return over;
  const u = parseInt(under.slice(1), 16);
  const a = Number(m[4]);
  const ch = (i: number, shift: number): string =>
    Math.round(Number(m[i]) * a + ((u >> shift) & 255) * (1 - a))
      .toString(16)
      .padStart(2, "0");
  return `#${ch(1, 16)}${ch(2, 8)}${ch(3, 0)}`;
}

/**
 * Epoch shading made opaque per lane band (parity) x shade (alternating) x end kind: the
 * same colours as the translucent originals over the lane, but cheaper to raster.
 */
function epochFills(band: [string, string], epoch: string[], epochAlt: string[]): string[][][] {
  return band.map((b) => [epoch.map((e) => blendOver(e, b)), epochAlt.map((e) => blendOver(e, b))]);
}

function styleFills(live: string, removedAlpha: number, cutOffAlpha: number): string[] {
  const out: string[] = [];
  for (let s = 0; s < STYLE_COUNT; s++) {
    const kind = must(KIND_ORDER[styleKind(s)]);
    const base = KIND_COLORS[kind];
    const st = styleState(s);
    out.push(
      st === BarState.Live
        ? live
        : st === BarState.Removed
          ? withAlpha(base, removedAlpha)
          : st === BarState.CutOff
            ? withAlpha(base, cutOffAlpha)
            : base,
    );
  }
  if (out.length !== KIND_COUNT * 4) throw new Error("style table size");
  return out;
}

const LIGHT_BASE = {
  name: "light",
  background: "#ffffff",
  laneBand: ["#ffffff", "#f6f7f9"],
  laneSeparator: "#e3e6ea",
  gutter: "#f3f4f6",
  gutterSelected: "#dbe7fb",
  text: "#1d2430",
  textDim: "#6b7480",
  ruler: "#eef0f3",
  grid: "rgba(30, 40, 60, 0.08)",
  epoch: ["rgba(79, 127, 224, 0.07)", "rgba(220, 38, 38, 0.10)", "rgba(245, 158, 11, 0.08)"],
  epochAlt: ["rgba(79, 127, 224, 0.13)", "rgba(220, 38, 38, 0.16)", "rgba(245, 158, 11, 0.14)"],
  epochEdge: ["rgba(79, 127, 224, 0.55)", "rgba(220, 38, 38, 0.8)", "rgba(245, 158, 11, 0.8)"],
  live: "#e69500",
  finding: "#dc2626",
  selection: "#111827",
  hover: "rgba(17, 24, 39, 0.6)",
  marker: "rgba(124, 58, 237, 0.16)",
  markerLabel: "#5b21b6",
  bracket: "#4b5563",
  styleFill: styleFills("#e69500", 0.5, 0.35),
} satisfies Omit<TimelineTheme, "epochFill">;
export const LIGHT_TIMELINE: TimelineTheme = {
  ...LIGHT_BASE,
  epochFill: epochFills(LIGHT_BASE.laneBand, LIGHT_BASE.epoch, LIGHT_BASE.epochAlt),
};

const DARK_BASE = {
  name: "dark",
  background: "#15181d",
  laneBand: ["#15181d", "#1a1e24"],
  laneSeparator: "#262b33",
  gutter: "#1c2026",
  gutterSelected: "#243651",
  text: "#dfe4ea",
  textDim: "#8b95a1",
  ruler: "#1f242b",
  grid: "rgba(220, 230, 240, 0.07)",
  epoch: ["rgba(96, 140, 230, 0.13)", "rgba(239, 68, 68, 0.18)", "rgba(245, 158, 11, 0.13)"],
  epochAlt: ["rgba(96, 140, 230, 0.22)", "rgba(239, 68, 68, 0.28)", "rgba(245, 158, 11, 0.22)"],
  epochEdge: ["rgba(120, 160, 240, 0.6)", "rgba(239, 68, 68, 0.85)", "rgba(245, 158, 11, 0.85)"],
  live: "#f5a524",
  finding: "#f87171",
  selection: "#f9fafb",
  hover: "rgba(249, 250, 251, 0.6)",
  marker: "rgba(167, 139, 250, 0.18)",
  markerLabel: "#c4b5fd",
  bracket: "#aeb6c0",
  styleFill: styleFills("#f5a524", 0.5, 0.35),
} satisfies Omit<TimelineTheme, "epochFill">;
export const DARK_TIMELINE: TimelineTheme = {
  ...DARK_BASE,
  epochFill: epochFills(DARK_BASE.laneBand, DARK_BASE.epoch, DARK_BASE.epochAlt),
};

export function timelineTheme(name: "light" | "dark"): TimelineTheme {
  return name === "dark" ? DARK_TIMELINE : LIGHT_TIMELINE;
}
