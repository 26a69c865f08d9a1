import type { FramePlan } from "./frame-plan.ts";
import { RULER_FINDINGS_Y } from "./lane-layout.ts";
import { kindIndex, styleKind } from "./resource-style.ts";
import type { TimelineBuffers } from "./timeline-buffers.ts";
import type { TimelineTheme } from "./timeline-theme.ts";
import { must } from "../../shared/must.ts";

/** Text shown in a lane's gutter cell. */
export interface LaneLabel {
  title: string;
  subtitle: string;
}

export interface DrawContext {
  plan: FramePlan;
  buffers: TimelineBuffers;
  theme: TimelineTheme;
  labels: readonly LaneLabel[];
  /** Canvas size, CSS px. */
  widthPx: number;
  heightPx: number;
}

/**
 * Draws a FramePlan. The interface leaves room for a WebGL2 implementation (Perfetto keeps a
 * Canvas2D fallback next to its WebGL renderer); Canvas2D is exact and pixel-testable.
 */
export interface TimelineRenderer {
  /** Sizes the backing store: CSS px x devicePixelRatio. */
  resize(widthPx: number, heightPx: number, dpr: number): void;
  draw(ctx: DrawContext): void;
}

const GROUP_KIND = kindIndex("group");
const FONT = "11px system-ui, -apple-system, 'Segoe UI', sans-serif";
const FONT_BOLD = "600 11px system-ui, -apple-system, 'Segoe UI', sans-serif";
const FONT_SMALL = "10px system-ui, -apple-system, 'Segoe UI', sans-serif";

export class Canvas2DTimelineRenderer implements TimelineRenderer {
  private ctx: CanvasRenderingContext2D;
  private dpr = 1;
  /** Measured label widths (labels repeat every frame), px. */
  private textWidth = new Map<string, number>();

  constructor(private canvas: HTMLCanvasElement) {
    const ctx = canvas.getContext("2d", { alpha: false });
    if (!ctx) throw new Error("Canvas 2D is not available in this browser");
    this.ctx = ctx;
  }

  resize(widthPx: number, heightPx: number, dpr: number): void {
    this.dpr = dpr;
    const w = Math.max(1, Math.round(widthPx * dpr));
    const h = Math.max(1, Math.round(heightPx * dpr));
    if (this.canvas.width !== w) this.canvas.width = w;
    if (this.canvas.height !== h) this.canvas.height = h;
  }

  draw(d: DrawContext): void {
    const { plan, theme, widthPx, heightPx } = d;
    const c = this.ctx;
    c.setTransform(this.dpr, 0, 0, this.dpr, 0, 0);
    // Every pixel is painted once by the background or a lane band (software raster is the
    // cost of a frame: no full-canvas clear under the lanes). The ruler and gutter paint
    // themselves below.
    const lanesEnd = plan.lanes.length
      ? Math.max(plan.lanesY, ...plan.lanes.map((l) => l.y + l.h))
      : plan.lanesY;
    c.fillStyle = theme.background;
    c.fillRect(plan.plotX, lanesEnd, widthPx - plan.plotX, heightPx - lanesEnd);

    // Lanes area, clipped below the ruler and right of the gutter.
    c.save();
    c.beginPath();
    c.rect(0, plan.lanesY, widthPx, plan.lanesH);
    c.clip();
    for (const l of plan.lanes) {
      c.fillStyle = theme.laneBand[l.lane % 2] as string;
      c.fillRect(plan.plotX, l.y, plan.plotW, l.h);
    }
    this.drawGrid(d);
    for (const e of plan.epochs) {
      c.fillStyle = must(must(theme.epochFill[e.lane % 2])[e.index % 2 && !e.merged ? 1 : 0])[
        e.end
      ] as string;
      const ex = Math.round(e.x);
      c.fillRect(ex, e.y, Math.max(1, Math.round(e.x + e.w) - ex), e.h);
      if (e.merged) continue;
      c.fillStyle = theme.epochEdge[e.end] as string;
      c.fillRect(e.x, e.y, 1, e.h);
      if (e.end === 1) c.fillRect(e.x + e.w - 2, e.y, 2, e.h);
    }
    // Bars: one path per style. Group markers (grp<) are drawn as a thin line: the group is
    // what its bracket spans, the marker node itself holds nothing.
    const bars = plan.bars;
    for (let s = 0; s < bars.styleCount; s++) {
      const n = bars.count(s);
      if (n === 0) continue;
      const r = bars.rects(s);
      const thin = styleKind(s) === GROUP_KIND;
      c.fillStyle = theme.styleFill[s] as string;
      c.beginPath();
      for (let k = 0; k < n; k++) {
        const x = r[k * 4] as number;
        const y = r[k * 4 + 1] as number;
        const w = r[k * 4 + 2] as number;
        const h = r[k * 4 + 3] as number;
        // Whole device pixels: crisp edges, and no anti-aliased coverage to raster.
        const px0 = Math.round(x);
        const pw = Math.max(1, Math.round(x + w) - px0);
        if (thin) c.rect(px0, y + h / 2 - 1, pw, 2);
        else c.rect(px0, y, pw, h);
      }
      c.fill();
    }
    // Group brackets: [ at open, ] at close, a line along the top.
    c.strokeStyle = theme.bracket;
    c.lineWidth = 1;
    c.beginPath();
    for (const g of plan.brackets) {
      const x0 = Math.round(g.x0) + 0.5;
      const x1 = Math.round(g.x1) - 0.5;
      const y0 = Math.round(g.y0) + 0.5;
      const y1 = Math.round(g.y1) - 0.5;
      c.moveTo(x0 + 3, y0);
      c.lineTo(x0, y0);
      c.lineTo(x0, y1);
      c.lineTo(x0 + 3, y1);
      c.moveTo(x1 - 3, y0);
      c.lineTo(x1, y0);
      c.lineTo(x1, y1);
      c.lineTo(x1 - 3, y1);
    }
    c.stroke();
    // Findings: a red underline on the bars they name.
    c.fillStyle = theme.finding;
    for (const f of plan.findingTicks) {
      c.fillRect(f.x, f.y + f.h - 2, Math.max(2, f.w), 2);
      c.fillRect(f.x, f.y, 2, f.h);
    }
    // Marker lines across lanes, only while they are sparse enough to read (a line every few
    // px would wash the lanes out; the ruler still flags every marker).
    if (plan.markers.length * 6 <= plan.plotW) {
      c.fillStyle = theme.marker;
      for (const m of plan.markers) c.fillRect(Math.floor(m.x), plan.lanesY, 1, plan.lanesH);
    }
    // Lane separators.
    c.fillStyle = theme.laneSeparator;
    for (const l of plan.lanes) c.fillRect(0, Math.round(l.y + l.h) - 1, widthPx, 1);
    // Selection and hover outlines.
    c.lineWidth = 2;
    c.strokeStyle = theme.selection;
    for (const s of plan.selected)
      c.strokeRect(
        Math.round(s.x) - 1,
        Math.round(s.y) - 1,
        Math.round(s.w) + 2,
        Math.round(s.h) + 2,
      );
    if (plan.hover) {
      c.lineWidth = 1;
      c.strokeStyle = theme.hover;
      c.strokeRect(plan.hover.x - 0.5, plan.hover.y - 0.5, plan.hover.w + 1, plan.hover.h + 1);
    }
    this.drawGutter(d);
    c.restore();
    this.drawRuler(d);
  }

  private drawGrid(d: DrawContext): void {
    const c = this.ctx;
    c.fillStyle = d.theme.grid;
    for (const t of d.plan.ticks) c.fillRect(Math.floor(t.x), d.plan.lanesY, 1, d.plan.lanesH);
  }

  private drawGutter(d: DrawContext): void {
    const { plan, theme, labels, buffers } = d;
    const c = this.ctx;
    c.fillStyle = theme.gutter;
    c.fillRect(0, plan.lanesY, plan.plotX, plan.lanesH);
    if (plan.selectedDevice !== null) {
      c.fillStyle = theme.gutterSelected;
      for (const l of plan.lanes) {
        if (buffers.lanes[l.lane]?.device === plan.selectedDevice)
          c.fillRect(0, l.y, plan.plotX - 1, l.h);
      }
    }
    c.fillStyle = theme.laneSeparator;
    c.fillRect(plan.plotX - 1, plan.lanesY, 1, plan.lanesH);
    c.textBaseline = "top";
    const maxW = plan.plotX - 14;
    for (const l of plan.lanes) {
      const label = labels[l.lane];
      if (!label) continue;
      const lane = must(buffers.lanes[l.lane]);
      c.font = FONT_BOLD;
      c.fillStyle = theme.text;
      c.fillText(
        this.fit(label.title, maxW, FONT_BOLD),
        8 + (lane.list === "drmm" ? 10 : 0),
        l.y + 5,
      );
      if (l.h >= 34 && label.subtitle) {
        c.font = FONT_SMALL;
        c.fillStyle = theme.textDim;
        c.fillText(
          this.fit(label.subtitle, maxW - (lane.list === "drmm" ? 10 : 0), FONT_SMALL),
          8 + (lane.list === "drmm" ? 10 : 0),
          l.y + 19,
        );
      }
      c.fillStyle = theme.laneSeparator;
      c.fillRect(0, Math.round(l.y + l.h) - 1, plan.plotX, 1);
    }
  }

  private drawRuler(d: DrawContext): void {
    const { plan, theme, buffers, widthPx } = d;
    const c = this.ctx;
    const h = plan.lanesY;
    c.fillStyle = theme.ruler;
    c.fillRect(0, 0, widthPx, h);
    c.fillStyle = theme.laneSeparator;
    c.fillRect(0, h - 1, widthPx, 1);
    c.font = FONT;
    c.textBaseline = "top";
    c.fillStyle = theme.textDim;
    c.save();
    c.beginPath();
    c.rect(plan.plotX, 0, plan.plotW, h);
    c.clip();
    for (const t of plan.ticks) {
      c.fillRect(Math.floor(t.x), h - 7, 1, 6);
      c.fillText(t.label, Math.floor(t.x) + 3, 3);
    }
    // Marker flags along the bottom of the ruler.
    for (const m of plan.markers) {
      const x = Math.floor(m.x);
      c.fillStyle = theme.markerLabel;
      c.beginPath();
      c.moveTo(x, h - 12);
      c.lineTo(x + 6, h - 9);
      c.lineTo(x, h - 6);
      c.closePath();
      c.fill();
      c.fillRect(x, h - 12, 1, 11);
      if (m.label) {
        c.font = FONT_SMALL;
        const text = buffers.markerText[m.first] ?? "";
        c.fillText(
          this.fit(m.count > 1 ? `${text} (+${m.count - 1})` : text, 84, FONT_SMALL),
          x + 8,
          h - 13,
        );
      }
    }
    // Finding flags in the middle band: a downward triangle per pixel column, coloured by
    // the worst severity there, with a count when several share it.
    const [fy0, fy1] = RULER_FINDINGS_Y;
    for (const f of plan.findingFlags) {
      const x = Math.floor(f.x);
      c.fillStyle =
        f.severity === 0 ? theme.finding : f.severity === 1 ? theme.live : theme.textDim;
      c.beginPath();
      c.moveTo(x - 4, fy0);
      c.lineTo(x + 4, fy0);
      c.lineTo(x, fy1 - 2);
      c.closePath();
      c.fill();
      if (f.count > 1) {
        c.font = FONT_SMALL;
        c.fillText(String(f.count), x + 5, fy0);
      }
    }
    c.restore();
    c.fillStyle = theme.gutter;
    c.fillRect(0, 0, plan.plotX - 1, h - 1);
  }

  /** Truncates text with an ellipsis to fit maxW px. */
  private fit(text: string, maxW: number, font: string): string {
    const c = this.ctx;
    const width = (s: string): number => {
      const key = font + "\u0000" + s;
      let w = this.textWidth.get(key);
      if (w === undefined) {
        c.font = font;
        w = c.measureText(s).width;
        if (this.textWidth.size > 20_000) this.textWidth.clear();
        this.textWidth.set(key, w);
      }
      return w;
    };
    if (width(text) <= maxW) return text;
    let lo = 0;
    let hi = text.length;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (width(text.slice(0, mid) + "…") <= maxW) lo = mid;
      else hi = mid - 1;
    }
    return text.slice(0, lo) + "…";
  }
}
