/**
 * Rectangles collected per style for one frame, so the renderer sets each fill colour once
 * and fills all its rects in one path. Storage is reused across frames (no per-frame
 * allocation once warm). Coordinates are CSS px relative to the plot area.
 */
export class RectBatch {
  /** x, y, w, h per rect, per style. */
  private data: Float32Array[];
  private counts: Uint32Array;

  constructor(readonly styleCount: number) {
    this.data = Array.from({ length: styleCount }, () => new Float32Array(256));
    this.counts = new Uint32Array(styleCount);
  }

  clear(): void {
    this.counts.fill(0);
  }

  push(style: number, x: number, y: number, w: number, h: number): void {
    const c = this.counts[style] as number;
    let d = this.data[style] as Float32Array<ArrayBufferLike>;
    if ((c + 1) * 4 > d.length) {
      const grown = new Float32Array(d.length * 2);
      grown.set(d);
      this.data[style] = d = grown;
    }
    const o = c * 4;
    d[o] = x;
    d[o + 1] = y;
    d[o + 2] = w;
    d[o + 3] = h;
    this.counts[style] = c + 1;
  }

  /** Rect count of one style. */
  count(style: number): number {
    return this.counts[style] as number;
  }

  /** Packed x, y, w, h of one style's rects (valid for count(style) * 4 entries). */
  rects(style: number): Float32Array {
    return this.data[style] as Float32Array<ArrayBufferLike>;
  }

  /** Total rects across styles. */
  total(): number {
    let t = 0;
    for (let s = 0; s < this.styleCount; s++) t += this.counts[s] as number;
    return t;
  }
}
