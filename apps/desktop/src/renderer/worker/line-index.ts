/**
 * A sparse index of line starts, built while a file streams through the importer, so the
 * details view can show any source line later without keeping the file in memory: the byte
 * offset of every STRIDE-th line is recorded (8 bytes per 1024 lines: 9 KB for the 185 MB
 * large-stress capture), and a lookup reads forward from the nearest checkpoint.
 * Offsets are in the uncompressed byte stream.
 */
export const LINE_STRIDE = 1024;

/** The index of one stretch of the stream that starts at a line start. */
export interface LineIndexPart {
  /** Line number (1-based, in the whole stream) of the part's first line. */
  firstLine: number;
  /** checkpoints[k] = byte offset in the whole stream where line firstLine + k * LINE_STRIDE starts. */
  checkpoints: Float64Array;
  /** Lines in the part. */
  lines: number;
}

export interface LineIndex {
  /** One part per stretch indexed separately (one per parallel segment), in order. */
  parts: LineIndexPart[];
  /** Lines in the stream (a last line without "\n" counts). */
  totalLines: number;
  /** Uncompressed bytes. */
  totalBytes: number;
}

export class LineIndexer {
  private checkpoints: number[];
  /** Newlines seen so far. */
  private newlines = 0;
  private bytes = 0;
  private lastByte = 10;

  /** `baseOffset`: byte offset of the first pushed byte in the whole stream (a segment start). */
  constructor(private readonly baseOffset = 0) {
    this.checkpoints = [baseOffset];
  }

  push(chunk: Uint8Array): void {
    let p = chunk.indexOf(10);
    while (p !== -1) {
      this.newlines++;
      if (this.newlines % LINE_STRIDE === 0)
        this.checkpoints.push(this.baseOffset + this.bytes + p + 1);
      p = chunk.indexOf(10, p + 1);
    }
    if (chunk.length) this.lastByte = chunk[chunk.length - 1] as number;
    this.bytes += chunk.length;
  }

  finish(): LineIndex {
    const trailing = this.bytes > 0 && this.lastByte !== 10 ? 1 : 0;
    const end = this.baseOffset + this.bytes;
    // A checkpoint at the very end of the stretch starts no line of it.
    const cps =
      this.checkpoints.length > 1 && this.checkpoints[this.checkpoints.length - 1] === end
        ? this.checkpoints.slice(0, -1)
        : this.checkpoints;
    const lines = this.newlines + trailing;
    return {
      parts: [{ firstLine: 1, checkpoints: Float64Array.from(cps), lines }],
      totalLines: lines,
      totalBytes: this.bytes,
    };
  }
}

/**
 * Joins the indexes of consecutive stretches (each built with its own LineIndexer and each
 * starting at a line start) into one, renumbering their lines.
 */
export function concatLineIndexes(indexes: readonly LineIndex[]): LineIndex {
  const parts: LineIndexPart[] = [];
  let line = 1;
  let bytes = 0;
  for (const ix of indexes) {
    for (const p of ix.parts) {
      parts.push({ firstLine: line + p.firstLine - 1, checkpoints: p.checkpoints, lines: p.lines });
    }
    line += ix.totalLines;
    bytes += ix.totalBytes;
  }
  return { parts, totalLines: line - 1, totalBytes: bytes };
}

/** Byte offset to start scanning from for `line` (1-based) and the line number found there. */
export function seekLine(index: LineIndex, line: number): { offset: number; line: number } {
  let part = index.parts[0];
  for (const p of index.parts) if (p.firstLine <= line) part = p;
  if (!part) return { offset: 0, line: 1 };
  const k = Math.max(
    0,
    Math.min(Math.floor((line - part.firstLine) / LINE_STRIDE), part.checkpoints.length - 1),
  );
  return { offset: part.checkpoints[k] as number, line: part.firstLine + k * LINE_STRIDE };
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
