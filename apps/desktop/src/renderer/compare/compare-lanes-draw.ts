import type { DiffType, ResourceKind } from "@devscope/tracer";
import { KIND_COLORS } from "../timeline/timeline-theme.ts";
import type { LaneModel } from "./compare-model.ts";

/**
 * Drawing of the Compare view's synchronised lanes on a 2D canvas: one column per alignment
 * row (so matched resources of A and B stand in one column whatever their times), A's boxes
 * on the upper lane, B's on the lower, a line between the two halves of every pair (vertical
 * when aligned, slanted when moved), epoch pairs as bands with their score. Only the visible
 * columns are drawn, so a 6,000-column device (200 stress cycles) costs what the screen shows.
 * All geometry in CSS px; the caller scales the context for devicePixelRatio.
 */

/** Vertical layout, px. */
export const LANES = {
  gutter: 124,
  /** Epoch band labels. */
  header: 20,
  /** Top of A's boxes. */
  laneA: 26,
  box: 22,
  /** Top of B's boxes: laneA + box + 46 px of link space. */
  laneB: 94,
  height: 126,
} as const;

/** Column width limits, px. */
export const COL_MIN_PX = 2;
export const COL_MAX_PX = 64;

export interface LanesView {
  /** Horizontal scroll of the columns, px. */
  scrollPx: number;
  /** Width of one column, px. */
  colPx: number;
  widthPx: number;
  /** Selected and hovered entry (index into model.entries), -1 for none. */
  selected: number;
  hover: number;
  deviceA: string;
  deviceB: string;
}

/** Colours read from the page's theme variables (styles.css). */
export interface LanesTheme {
  bg: string;
  band: string;
  border: string;
  strong: string;
  fg: string;
  dim: string;
  onlyA: string;
  onlyB: string;
  resized: string;
  reordered: string;
  accent: string;
  selectedBg: string;
}

export function lanesTheme(el: Element): LanesTheme {
  const cs = getComputedStyle(el);
  const v = (name: string, fallback: string): string =>
    cs.getPropertyValue(name).trim() || fallback;
  return {
    bg: v("--bg", "#ffffff"),
    band: v("--bg-panel", "#f7f8fa"),
    border: v("--border", "#dde1e6"),
    strong: v("--border-strong", "#c5cbd3"),
    fg: v("--fg", "#1d2430"),
    dim: v("--fg-dim", "#5f6975"),
    onlyA: v("--error", "#c62828"),
    onlyB: v("--ok", "#2e7d32"),
    resized: v("--warning", "#b86e00"),
    reordered: v("--info", "#2f6fdf"),
    accent: v("--accent", "#2f6fdf"),
    selectedBg: v("--bg-selected", "#dbe7fb"),
  };
}

/** Outline colour per entry type (null: no outline). */
function typeColor(t: DiffType, th: LanesTheme): string | null {
  switch (t) {
    case "onlyA":
      return th.onlyA;
    case "onlyB":
      return th.onlyB;
    case "resized":
      return th.resized;
    case "reordered":
      return th.reordered;
    default:
      return null;
  }
}

function kindColor(kind: ResourceKind): string {
  return KIND_COLORS[kind as keyof typeof KIND_COLORS] ?? KIND_COLORS.other;
}

/** Total width of the columns, px. */
export function contentPx(model: LaneModel, colPx: number): number {
  return model.columns.length * colPx;
}

/** The largest useful scroll, px. */
export function maxScroll(model: LaneModel, view: Pick<LanesView, "colPx" | "widthPx">): number {
  return Math.max(0, contentPx(model, view.colPx) - (view.widthPx - LANES.gutter) + 8);
}

/** Entry under a point (CSS px in the canvas), or -1. */
export function hitTest(model: LaneModel, view: LanesView, x: number, y: number): number {
  if (x < LANES.gutter || y < LANES.header) return -1;
  const col = Math.floor((x - LANES.gutter + view.scrollPx) / view.colPx);
  const c = model.columns[col];
  if (c === undefined) return -1;
  const inA = y >= LANES.laneA && y < LANES.laneA + LANES.box;
  const inB = y >= LANES.laneB && y < LANES.laneB + LANES.box;
  if (inA && c.row.a === undefined) return -1;
  if (inB && c.row.b === undefined) return -1;
  return c.entry;
}

/** Scroll that puts column `col` in the middle of the view. */
export function scrollToColumn(model: LaneModel, view: LanesView, col: number): number {
  const x = col * view.colPx + view.colPx / 2 - (view.widthPx - LANES.gutter) / 2;
  return Math.max(0, Math.min(maxScroll(model, view), x));
}

export function drawLanes(
  ctx: CanvasRenderingContext2D,
  model: LaneModel,
  view: LanesView,
  th: LanesTheme,
): void {
  const W = view.widthPx;
  const H = LANES.height;
  const g = LANES.gutter;
  ctx.fillStyle = th.bg;
  ctx.fillRect(0, 0, W, H);
  const x0 = (col: number): number => g + col * view.colPx - view.scrollPx;
  const firstCol = Math.max(0, Math.floor(view.scrollPx / view.colPx) - 1);
  const lastCol = Math.min(
    model.columns.length - 1,
    Math.ceil((view.scrollPx + W - g) / view.colPx) + 1,
  );

  ctx.save();
  ctx.beginPath();
  ctx.rect(g, 0, W - g, H);
  ctx.clip();

  // Epoch bands: alternate shading, a separator and the label with its score.
  ctx.font = "11px system-ui, sans-serif";
  ctx.textBaseline = "middle";
  model.bands.forEach((b, i) => {
    const left = x0(b.first);
    const right = x0(b.first + b.count);
    if (right < g || left > W) return;
    if (i % 2 === 1) {
      ctx.fillStyle = th.band;
      ctx.fillRect(left, 0, right - left, H);
    }
    ctx.fillStyle = th.strong;
    ctx.fillRect(Math.round(left), 0, 1, H);
    const text = `${b.label}  ${b.score.toFixed(2)}`;
    const room = right - Math.max(left, g) - 8;
    if (room > 24) {
      ctx.fillStyle = b.score >= 0.999 ? th.dim : b.score >= 0.9 ? th.resized : th.onlyA;
      ctx.fillText(fitText(ctx, text, room), Math.max(left, g) + 4, LANES.header / 2 + 1);
    }
  });

  // Links first, under the boxes.
  const yA = LANES.laneA + LANES.box;
  const yB = LANES.laneB;
  for (const l of model.links) {
    const lo = Math.min(l.a, l.b);
    const hi = Math.max(l.a, l.b);
    if (hi < firstCol || lo > lastCol) continue;
    const sel = l.entry === view.selected;
    const hov = l.entry === view.hover;
    const color = sel ? th.accent : (typeColor(l.type, th) ?? th.strong);
    ctx.strokeStyle = color;
    ctx.lineWidth = sel || hov ? 2 : 1;
    ctx.globalAlpha = sel || hov || l.type !== "matched" ? 1 : 0.7;
    ctx.beginPath();
    ctx.moveTo(x0(l.a) + view.colPx / 2, yA);
    ctx.lineTo(x0(l.b) + view.colPx / 2, yB);
    ctx.stroke();
  }
  ctx.globalAlpha = 1;

  // Boxes.
  const gap = view.colPx >= 6 ? 1 : 0;
  for (let c = firstCol; c <= lastCol; c++) {
    const col = model.columns[c];
    if (col === undefined) continue;
    const x = x0(c) + gap;
    const w = Math.max(1, view.colPx - 2 * gap);
    const sel = col.entry === view.selected;
    const hov = col.entry === view.hover;
    if (sel) {
      ctx.fillStyle = th.selectedBg;
      ctx.fillRect(x0(c), LANES.header, view.colPx, H - LANES.header);
    }
    for (const [side, y] of [
      [col.row.a, LANES.laneA],
      [col.row.b, LANES.laneB],
    ] as const) {
      if (side === undefined) continue;
      const t = col.row.type;
      ctx.globalAlpha = t === "cutOff" || col.row.mark === "·" ? 0.35 : 1;
      ctx.fillStyle = kindColor(col.row.kind);
      ctx.fillRect(x, y, w, LANES.box);
      ctx.globalAlpha = 1;
      const outline = sel ? th.accent : typeColor(t, th);
      if (outline !== null) {
        // A difference: a bar under (A) or over (B) the box, and an outline when wide enough.
        ctx.fillStyle = outline;
        ctx.fillRect(x, y === LANES.laneA ? y - 4 : y + LANES.box + 1, w, 3);
        if (w >= 5) {
          ctx.strokeStyle = outline;
          ctx.lineWidth = sel ? 2 : 1.5;
          ctx.strokeRect(x + 0.75, y + 0.75, w - 1.5, LANES.box - 1.5);
        }
      } else if (hov && w >= 4) {
        ctx.strokeStyle = th.fg;
        ctx.lineWidth = 1;
        ctx.strokeRect(x + 0.5, y + 0.5, w - 1, LANES.box - 1);
      }
    }
  }
  ctx.restore();

  // Gutter: which lane is which device.
  ctx.fillStyle = th.bg;
  ctx.fillRect(0, 0, g, H);
  ctx.fillStyle = th.border;
  ctx.fillRect(g - 1, 0, 1, H);
  ctx.font = "600 11px system-ui, sans-serif";
  ctx.fillStyle = th.fg;
  ctx.fillText("A", 8, LANES.laneA + LANES.box / 2);
  ctx.fillText("B", 8, LANES.laneB + LANES.box / 2);
  ctx.font = "11px ui-monospace, monospace";
  ctx.fillStyle = th.dim;
  ctx.fillText(fitText(ctx, view.deviceA, g - 30), 22, LANES.laneA + LANES.box / 2);
  ctx.fillText(fitText(ctx, view.deviceB, g - 30), 22, LANES.laneB + LANES.box / 2);
}

function fitText(ctx: CanvasRenderingContext2D, text: string, px: number): string {
  if (ctx.measureText(text).width <= px) return text;
  let lo = 0;
  let hi = text.length;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (ctx.measureText(`${text.slice(0, mid)}…`).width <= px) lo = mid;
    else hi = mid - 1;
  }
  return lo > 0 ? `${text.slice(0, lo)}…` : "";
}
