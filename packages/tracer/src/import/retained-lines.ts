/**
 * References to lines a parser may need to read again later (a kmalloc that a devres event
 * links, an allocation that may turn out never freed), without copying every line.
 *
 * A reference points into the caller's chunk. When the caller is about to reuse a chunk it
 * calls `release(chunk)`, and the few lines still referenced there are copied into one fresh
 * buffer: the cost is proportional to what is retained, not to the input.
 */
export class RetainedLines {
  private bufs: (Uint8Array | undefined)[] = [];
  /** The ArrayBuffer under each entry (release() compares these: `.buffer` is a getter). */
  private mems: (ArrayBufferLike | undefined)[] = [];
  private starts = new Int32Array(64);
  private ends = new Int32Array(64);
  /** Dense list of live ids, and each live id's position in it (-1: free). */
  private live: number[] = [];
  private pos = new Int32Array(64).fill(-1);
  private readonly free: number[] = [];

  /** Retains `b[s, e)` (`mem` is `b.buffer`); returns its id. */
  add(b: Uint8Array, mem: ArrayBufferLike, s: number, e: number): number {
    let id = this.free.pop();
    if (id === undefined) {
      id = this.bufs.length;
      this.bufs.push(undefined);
      this.mems.push(undefined);
      if (id >= this.starts.length) this.grow();
    }
    this.bufs[id] = b;
    this.mems[id] = mem;
    this.starts[id] = s;
    this.ends[id] = e;
    this.pos[id] = this.live.length;
    this.live.push(id);
    return id;
  }

  private grow(): void {
    const n = this.starts.length * 2;
    const s = new Int32Array(n);
    s.set(this.starts);
    const e = new Int32Array(n);
    e.set(this.ends);
    const p = new Int32Array(n).fill(-1);
    p.set(this.pos);
    this.starts = s;
    this.ends = e;
    this.pos = p;
  }

  buf(id: number): Uint8Array {
    return this.bufs[id] as Uint8Array;
  }

  start(id: number): number {
    return this.starts[id] as number;
  }

  end(id: number): number {
    return this.ends[id] as number;
  }

  /** Forgets `id`. */
  drop(id: number): void {
    const at = this.pos[id] as number;
    if (at < 0) return;
    const last = this.live.pop() as number;
    if (last !== id) {
      this.live[at] = last;
      this.pos[last] = at;
    }
    this.pos[id] = -1;
    this.bufs[id] = undefined;
    this.mems[id] = undefined;
    this.free.push(id);
  }

  get size(): number {
    return this.live.length;
  }

  /**
   * The caller will overwrite the bytes of `chunk` (any view of them): copy the lines still
   * referenced there.
   */
  release(chunk: Uint8Array): void {
    const mem = chunk.buffer;
    const lo = chunk.byteOffset;
    const hi = lo + chunk.byteLength;
    // Same memory and a start inside the released range (one ArrayBuffer may hold several chunks).
    const inside = (id: number): boolean => {
      if (this.mems[id] !== mem) return false;
      const at = (this.bufs[id] as Uint8Array).byteOffset + (this.starts[id] as number);
      return at >= lo && at < hi;
    };
    let bytes = 0;
    for (const id of this.live)
      if (inside(id)) bytes += (this.ends[id] as number) - (this.starts[id] as number);
    if (bytes === 0) return;
    const out = new Uint8Array(bytes);
    let o = 0;
    for (const id of this.live) {
      const b = this.bufs[id];
      if (b === undefined || !inside(id)) continue;
      const s = this.starts[id] as number;
      const e = this.ends[id] as number;
      out.set(b.subarray(s, e), o);
      this.bufs[id] = out;
      this.mems[id] = out.buffer;
      this.starts[id] = o;
      this.ends[id] = o + (e - s);
      o += e - s;
    }
  }
}
