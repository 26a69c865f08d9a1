/**
 * An exact set of kmem `ptr=` values with one integer of state each, cheap enough to touch on
 * every kmalloc/kfree line.
 *
 * `%p` prints 16 lowercase hex digits (hashed or raw: lib/vsprintf.c :: pointer_string), so such
 * a value is kept as its exact 64-bit number in two int32 halves: no string is decoded and two
 * integer compares decide equality. Anything else (trace-cmd's `0x...`, `(nil)`, other widths)
 * falls back to a string map, so the table is exact for every input.
 *
 * The arrays are plain typed arrays: a segment exports them as they are (transferable), and
 * `PtrSet` answers membership on the exported form with the same probe.
 */
import { decode } from "./bytes.js";

/** HEX_VALUE[c]: 0-15 for `0-9a-f`, 255 for anything else (`%p` never prints upper case). */
const HEX_VALUE = new Uint8Array(256).fill(255);
for (let i = 0; i < 10; i++) HEX_VALUE[0x30 + i] = i;
for (let i = 0; i < 6; i++) HEX_VALUE[0x61 + i] = 10 + i;

/** Slot index of a 64-bit key (two int32 halves) in a table of `mask + 1` slots. */
function slotOf(hi: number, lo: number, mask: number): number {
  let h = Math.imul(lo ^ Math.imul(hi, 0x9e3779b1), 0x85ebca6b);
  h ^= h >>> 15;
  return h & mask;
}

/** The exported, transferable form of a PtrTable's key set. */
export interface PtrKeys {
  /** Open-addressing slots: used[i] === 1 when slot i holds the key (hi[i], lo[i]). */
  used: Uint8Array;
  hi: Int32Array;
  lo: Int32Array;
  /** Values that are not 16 hex digits. */
  other: string[];
}

export class PtrTable {
  private used = new Uint8Array(1024);
  private hi = new Int32Array(1024);
  private lo = new Int32Array(1024);
  private state = new Int32Array(1024);
  private mask = 1023;
  private size = 0;
  /** Values that are not 16 hex digits -> index into otherState. */
  private readonly others = new Map<string, number>();
  private readonly otherState: number[] = [];

  /**
   * The slot of `b[s, e)`, added with state `initial` when new. Returns the slot (>= 0) for
   * hex keys, or -1 - n for the n-th string key (state via getState/setState either way).
   */
  findOrAdd(b: Uint8Array, s: number, e: number, initial: number): number {
    if (e - s !== 16) return this.findOrAddOther(b, s, e, initial);
    let hi = 0;
    let lo = 0;
    let bad = 0;
    for (let i = 0; i < 8; i++) {
      const v = HEX_VALUE[b[s + i] as number] as number;
      bad |= v;
      hi = (hi << 4) | (v & 15);
    }
    for (let i = 8; i < 16; i++) {
      const v = HEX_VALUE[b[s + i] as number] as number;
      bad |= v;
      lo = (lo << 4) | (v & 15);
    }
    // Hex digits OR together to at most 15; any other byte (255) to more.
    if (bad > 15) return this.findOrAddOther(b, s, e, initial);
    const mask = this.mask;
    let i = slotOf(hi, lo, mask);
    for (;;) {
      if (this.used[i] === 0) break;
      if (this.hi[i] === hi && this.lo[i] === lo) return i;
      i = (i + 1) & mask;
    }
    this.used[i] = 1;
    this.hi[i] = hi;
    this.lo[i] = lo;
    this.state[i] = initial;
    if (++this.size * 2 > mask) return this.grow(hi, lo);
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

  /** Doubles the table; returns the new slot of (hi, lo). */
  private grow(hi: number, lo: number): number {
    const { used, hi: his, lo: los, state } = this;
    const cap = used.length * 2;
    this.used = new Uint8Array(cap);
    this.hi = new Int32Array(cap);
    this.lo = new Int32Array(cap);
    this.state = new Int32Array(cap);
    this.mask = cap - 1;
    let found = -1;
    for (let j = 0; j < used.length; j++) {
      if (used[j] === 0) continue;
      const h = his[j] as number;
      const l = los[j] as number;
      let i = slotOf(h, l, this.mask);
      while (this.used[i] === 1) i = (i + 1) & this.mask;
      this.used[i] = 1;
      this.hi[i] = h;
      this.lo[i] = l;
      this.state[i] = state[j] as number;
      if (h === hi && l === lo) found = i;
    }
    return found;
  }

  /** Every key seen, in transferable form. */
  keys(): PtrKeys {
    return { used: this.used, hi: this.hi, lo: this.lo, other: [...this.others.keys()] };
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
    let hi = 0;
    let lo = 0;
    let bad = 0;
    for (let i = 0; i < 16; i++) {
      const c = ptr.charCodeAt(i);
      const v = c < 256 ? (HEX_VALUE[c] as number) : 255;
      bad |= v;
      if (i < 8) hi = (hi << 4) | (v & 15);
      else lo = (lo << 4) | (v & 15);
    }
    if (bad > 15) return this.other.has(ptr);
    let i = slotOf(hi, lo, this.mask);
    for (;;) {
      if (this.k.used[i] === 0) return false;
      if (this.k.hi[i] === hi && this.k.lo[i] === lo) return true;
      i = (i + 1) & this.mask;
    }
  }
}
