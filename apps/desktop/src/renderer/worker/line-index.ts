/**
 * A sparse index of line starts, built while a file streams through the importer, so the
 * details view can show any source line later without keeping the file in memory: the byte
 * offset of every STRIDE-th line is recorded (8 bytes per 1024 lines: 9 KB for the 185 MB
 * large-stress capture), and a lookup reads forward from the nearest checkpoint.
 * Offsets are in the uncompressed byte stream.
 */
export const LINE_STRIDE = 1024;

export interface LineIndex {
  /** checkpoints[k] = byte offset where line k * LINE_STRIDE + 1 starts. */
  checkpoints: Float64Array;
  /** Lines in the stream (a last line without "\n" counts). */
  totalLines: number;
  /** Uncompressed bytes. */
  totalBytes: number;
}

export class LineIndexer {
  private checkpoints: number[] = [0];
  /** Newlines seen so far. */
  private newlines = 0;
  private bytes = 0;
  private lastByte = 10;

  push(chunk: Uint8Array): void {
    let p = chunk.indexOf(10);
    while (p !== -1) {
      this.newlines++;
      if (this.newlines % LINE_STRIDE === 0) this.checkpoints.push(this.bytes + p + 1);
      p = chunk.indexOf(10, p + 1);
    }
    if (chunk.length) this.lastByte = chunk[chunk.length - 1] as number;
    this.bytes += chunk.length;
  }

  finish(): LineIndex {
    const trailing = this.bytes > 0 && this.lastByte !== 10 ? 1 : 0;
    // A checkpoint at the very end of the file starts no line.
    const cps =
      this.checkpoints[this.checkpoints.length - 1] === this.bytes && this.bytes > 0
        ? this.checkpoints.slice(0, -1)
        : this.checkpoints;
    return {
      checkpoints: Float64Array.from(cps),
      totalLines: this.newlines + trailing,
      totalBytes: this.bytes,
    };
  }
}

/** Byte offset to start scanning from for `line` (1-based) and the line number found there. */
export function seekLine(index: LineIndex, line: number): { offset: number; line: number } {
  const k = Math.max(
    0,
    Math.min(Math.floor((line - 1) / LINE_STRIDE), index.checkpoints.length - 1),
  );
  return { offset: index.checkpoints[k] as number, line: k * LINE_STRIDE + 1 };
}

/**
 * Collects lines [from, to] (1-based, inclusive) out of byte chunks that start at the
 * beginning of line `firstLine`. Returns true once `to` has been passed (stop reading).
 */
export class LineCollector {
  readonly lines: { line: number; text: string }[] = [];
  private current: number;
  private partial: Uint8Array[] = [];
  private decoder = new TextDecoder("utf-8", { fatal: false });

  constructor(
    firstLine: number,
    private from: number,
    private to: number,
    /** Longest text kept per line, characters (a 1 MB line is shown truncated). */
    private maxChars = 4000,
  ) {
    this.current = firstLine;
  }

  push(chunk: Uint8Array): boolean {
    let start = 0;
    for (;;) {
      const nl = chunk.indexOf(10, start);
      if (nl === -1) {
        if (this.current >= this.from && this.current <= this.to && start < chunk.length)
          this.partial.push(chunk.subarray(start));
        return false;
      }
      if (this.current >= this.from) this.emit(chunk.subarray(start, nl));
      this.current++;
      start = nl + 1;
      if (this.current > this.to) return true;
    }
  }

  /** End of stream: a last line without "\n". */
  finish(): void {
    if (this.partial.length && this.current >= this.from && this.current <= this.to)
      this.emit(new Uint8Array(0));
  }

  private emit(tail: Uint8Array): void {
    let bytes = tail;
    if (this.partial.length) {
      const total = this.partial.reduce((s, p) => s + p.length, 0) + tail.length;
      bytes = new Uint8Array(total);
      let o = 0;
      for (const p of this.partial) {
        bytes.set(p, o);
        o += p.length;
      }
      bytes.set(tail, o);
      this.partial = [];
    }
    let text = this.decoder.decode(
      bytes.length > this.maxChars * 4 ? bytes.subarray(0, this.maxChars * 4) : bytes,
    );
    if (text.endsWith("\r")) text = text.slice(0, -1);
    if (text.length > this.maxChars) text = text.slice(0, this.maxChars) + " …";
    this.lines.push({ line: this.current, text });
  }
}
