/**
 * An exact set of kmem `ptr=` values with one integer of state each, cheap enough to touch on
 * every kmalloc/kfree line.
 *
 * `%p` prints 16 hex digits (hashed or raw: lib/vsprintf.c :: pointer_string), so a 16-byte
 * ASCII value is kept as its bytes, read as four int32 words: no string is decoded, no digit
 * is parsed, and four integer compares decide equality. Anything else (trace-cmd's `0x...`,
 * `(nil)`, other widths, non-ASCII bytes) falls back to a string map, so the table is exact for
 * every input.
 *
 * The key arrays are plain typed arrays: a segment exports them as they are (transferable), and
 * `PtrSet` answers membership on the exported form with the same probe.
 */
import { decode } from "./bytes.js";

/** Slot of a 16-byte key (four int32 words) in a table of `mask + 1` slots. */
function slotOf(w0: number, w1: number, w2: number, w3: number, mask: number): number {
  let h =
    Math.imul(w0 ^ Math.imul(w1, 0x9e3779b1), 0x85ebca6b) ^
    Math.imul(w2 ^ Math.imul(w3, 0x27d4eb2f), 0xc2b2ae35);
  h ^= h >>> 15;
  return h & mask;
}

/** The exported, transferable form of a PtrTable's key set. */
export interface PtrKeys {
  /** Open-addressing slots: used[i] === 1 when slot i holds the key words[4i .. 4i+3]. */
  used: Uint8Array;
  words: Int32Array;
  /** Values that are not 16 ASCII bytes. */
  other: string[];
}

export class PtrTable {
  private used = new Uint8Array(1024);
  private words = new Int32Array(4096);
  private state = new Int32Array(1024);
  private mask = 1023;
  private size = 0;
  /** Values that are not 16 ASCII bytes -> index into otherState. */
  private readonly others = new Map<string, number>();
  private readonly otherState: number[] = [];
  /** A DataView of the last chunk seen (16-byte keys are read as four little-endian words). */
  private view: DataView<ArrayBufferLike> = new DataView(new ArrayBuffer(0));
  private viewOf: Uint8Array | undefined;

  /**
   * The slot of `b[s, e)`, added with state `initial` when new. Returns the slot (>= 0) for
   * 16-byte keys, or -1 - n for the n-th other key (state via getState/setState either way).
   */
  findOrAdd(b: Uint8Array, s: number, e: number, initial: number): number {
    if (e - s !== 16) return this.findOrAddOther(b, s, e, initial);
    if (b !== this.viewOf) {
      this.view = new DataView(b.buffer, b.byteOffset, b.byteLength);
      this.viewOf = b;
    }
    const v = this.view;
    const w0 = v.getInt32(s, true);
    const w1 = v.getInt32(s + 4, true);
    const w2 = v.getInt32(s + 8, true);
    const w3 = v.getInt32(s + 12, true);
    // Non-ASCII bytes decode to other characters: those keys go by their decoded text.
    if (((w0 | w1 | w2 | w3) & 0x80808080) !== 0) return this.findOrAddOther(b, s, e, initial);
    const mask = this.mask;
    const words = this.words;
    let i = slotOf(w0, w1, w2, w3, mask);
    for (;;) {
      if (this.used[i] === 0) break;
      const k = i << 2;
      if (words[k] === w0 && words[k + 1] === w1 && words[k + 2] === w2 && words[k + 3] === w3)
        return i;
      i = (i + 1) & mask;
    }
    this.used[i] = 1;
    const k = i << 2;
    words[k] = w0;
    words[k + 1] = w1;
    words[k + 2] = w2;
    words[k + 3] = w3;
    this.state[i] = initial;
    if (++this.size * 2 > mask) return this.grow(w0, w1, w2, w3);
    return i;
  }

  private findOrAddOther(b: Uint8Array, s: number, e: number, initial: number): number {
    const key = decode(b, s, e);
    let n = this.others.get(key);
    if (n === undefined) {
      n = this.otherState.length;
      this.others.set(key, n);
      this.otherState.push(initial);
    }
    return -1 - n;
  }

  getState(slot: number): number {
    return slot >= 0 ? (this.state[slot] as number) : (this.otherState[-1 - slot] as number);
  }

  setState(slot: number, v: number): void {
    if (slot >= 0) this.state[slot] = v;
    else this.otherState[-1 - slot] = v;
  }

  /** Doubles the table; returns the new slot of the given key. */
  private grow(w0: number, w1: number, w2: number, w3: number): number {
    const { used, words, state } = this;
    const cap = used.length * 2;
    this.used = new Uint8Array(cap);
    this.words = new Int32Array(cap * 4);
    this.state = new Int32Array(cap);
    this.mask = cap - 1;
    let found = -1;
    for (let j = 0; j < used.length; j++) {
      if (used[j] === 0) continue;
      const a = words[j * 4] as number;
      const b = words[j * 4 + 1] as number;
      const c = words[j * 4 + 2] as number;
      const d = words[j * 4 + 3] as number;
      let i = slotOf(a, b, c, d, this.mask);
      while (this.used[i] === 1) i = (i + 1) & this.mask;
      this.used[i] = 1;
      const k = i << 2;
      this.words[k] = a;
      this.words[k + 1] = b;
      this.words[k + 2] = c;
      this.words[k + 3] = d;
      this.state[i] = state[j] as number;
      if (a === w0 && b === w1 && c === w2 && d === w3) found = i;
    }
    return found;
  }

  /** Every key seen, in transferable form. */
  keys(): PtrKeys {
    return { used: this.used, words: this.words, other: [...this.others.keys()] };
  }
}

/** Membership in an exported key set (PtrTable.keys()). */
export class PtrSet {
  private readonly mask: number;
  private readonly other: Set<string>;

  constructor(private readonly k: PtrKeys) {
    this.mask = k.used.length - 1;
    this.other = new Set(k.other);
  }

  has(ptr: string): boolean {
    if (ptr.length !== 16) return this.other.has(ptr);
    let ascii = true;
    const w = [0, 0, 0, 0];
    for (let i = 0; i < 16; i++) {
      const c = ptr.charCodeAt(i);
      if (c >= 0x80) ascii = false;
      // Little-endian words, as PtrTable reads them.
      w[i >> 2] = (w[i >> 2] as number) | ((c & 0xff) << ((i & 3) * 8));
    }
    if (!ascii) return this.other.has(ptr);
    const [w0, w1, w2, w3] = w as [number, number, number, number];
    const words = this.k.words;
    let i = slotOf(w0, w1, w2, w3, this.mask);
    for (;;) {
      if (this.k.used[i] === 0) return false;
      const k = i << 2;
      if (words[k] === w0 && words[k + 1] === w1 && words[k + 2] === w2 && words[k + 3] === w3)
        return true;
      i = (i + 1) & this.mask;
    }
  }
}
