/**
 * Cuts a stream of byte chunks into lines for a SegmentParser without decoding: native
 * `indexOf(10)` finds line ends, a line split across chunks is joined in a carry buffer, and
 * NUL bytes are found per chunk (native `indexOf(0)`) so the hot path never scans per byte.
 */
import { copyBytes } from "./bytes.js";
import type { SegmentParser } from "./segment-parser.js";

/** Longest line accepted (bytes); a longer one is rejected as one line, never kept whole. */
export const MAX_LINE_BYTES = 16 * 1024 * 1024;

export class LineFeeder {
  private carry: Uint8Array[] = [];
  private carryLen = 0;
  private carryNul = false;
  private overlong = false;
  private overlongSample: Uint8Array | undefined;

  constructor(private readonly parser: SegmentParser) {}

  push(input: Uint8Array): void {
    // Parse on a plain Uint8Array view (one element-access shape for the whole parser; Node
    // Buffer's slice is a view), but search with the input's own indexOf: in Node a Buffer's
    // indexOf is memchr in C++, ~4x faster per call than Uint8Array#indexOf.
    const chunk =
      input.constructor === Uint8Array
        ? input
        : new Uint8Array(input.buffer, input.byteOffset, input.length);
    const find = input;
    const n = chunk.length;
    let pos = 0;
    let nextNul = find.indexOf(0, 0);
    if (nextNul < 0) nextNul = n;
    if (this.carryLen > 0 || this.overlong) {
      const nl = find.indexOf(10, 0);
      const end = nl < 0 ? n : nl;
      if (nextNul < end) this.carryNul = true;
      this.append(chunk, 0, end);
      if (nl < 0) return;
      this.flushCarry();
      pos = nl + 1;
    }
    const parser = this.parser;
    while (pos < n) {
      if (nextNul < pos) {
        nextNul = find.indexOf(0, pos);
        if (nextNul < 0) nextNul = n;
      }
      // Every complete line before the next NUL in one call (the parser's own hot loop).
      pos = parser.lines(chunk, find, pos, nextNul);
      if (parser.fatalError !== undefined) return;
      const nl = find.indexOf(10, pos);
      if (nl < 0) break;
      // The line at `pos` is complete and holds the NUL byte.
      parser.line(chunk, pos, nl, true);
      if (parser.fatalError !== undefined) return;
      pos = nl + 1;
    }
    if (pos < n) {
      if (nextNul < pos) {
        nextNul = find.indexOf(0, pos);
        if (nextNul < 0) nextNul = n;
      }
      if (nextNul < n) this.carryNul = true;
      this.append(chunk, pos, n);
    }
  }

  /** The last line when the input does not end with "\n". */
  finish(): void {
    if (this.carryLen > 0 || this.overlong) this.flushCarry();
  }

  private append(chunk: Uint8Array, s: number, e: number): void {
    if (e <= s) return;
    if (this.overlong) return;
    if (this.carryLen + (e - s) > MAX_LINE_BYTES) {
      this.overlong = true;
      this.overlongSample = this.joined().subarray(0, 400);
      this.carry = [];
      this.carryLen = 0;
      return;
    }
    // Copy: callers may reuse their chunk buffers.
    this.carry.push(copyBytes(chunk, s, e));
    this.carryLen += e - s;
  }

  private joined(): Uint8Array {
    if (this.carry.length === 1) return this.carry[0] as Uint8Array;
    const buf = new Uint8Array(this.carryLen);
    let o = 0;
    for (const c of this.carry) {
      buf.set(c, o);
      o += c.length;
    }
    return buf;
  }

  private flushCarry(): void {
    if (this.overlong) {
      this.parser.rejectLine(
        `line longer than ${MAX_LINE_BYTES / (1024 * 1024)} MiB`,
        this.overlongSample ?? new Uint8Array(0),
      );
    } else {
      const line = this.joined();
      this.parser.line(line, 0, line.length, this.carryNul);
    }
    this.carry = [];
    this.carryLen = 0;
    this.carryNul = false;
    this.overlong = false;
    this.overlongSample = undefined;
  }
}
