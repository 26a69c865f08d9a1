/**
 * The streaming importer: push uncompressed chunks in order, then finish. Format auto-detected
 * (or given), every line accounted, bad input refused with a message naming the file.
 * importChunks (import-chunks.ts) adds gzip and async sources on top of this.
 */
import { copyBytes } from "./bytes.js";
import { checkInput, TEXT_CHECK_BYTES } from "./input-check.js";
import { LineFeeder } from "./line-feeder.js";
import { finalizeImport } from "./segment-merge.js";
import { SegmentParser, type SegmentOptions } from "./segment-parser.js";
import type { ImportOptions, ImportResult, Importer } from "./types.js";

export function inputName(opts: ImportOptions): string {
  return opts.path ?? "input";
}

export function createImporter(opts: ImportOptions = {}): Importer {
  const parserOpts: SegmentOptions = { startsInput: true };
  if (opts.format !== undefined) parserOpts.format = opts.format;
  if (opts.keepKmem !== undefined) parserOpts.keepKmem = opts.keepKmem;
  if (opts.src !== undefined) parserOpts.src = opts.src;
  const parser = new SegmentParser(parserOpts);
  const feeder = new LineFeeder(parser);
  const name = inputName(opts);
  let bytes = 0;
  let error: string | undefined;
  let checked = false;
  let head: Uint8Array[] = [];
  let headLen = 0;
  let refused = false;
  let finished: ImportResult | undefined;

  const feed = (chunk: Uint8Array): void => {
    feeder.push(chunk);
    // The parser keeps references into chunks (kmalloc lines it may link later): a caller that
    // may reuse its chunk gets those few lines copied out now.
    if (opts.ownsChunks !== true) parser.release(chunk);
    if (parser.fatalError !== undefined && error === undefined)
      error = `${name}: ${parser.fatalError}`;
  };

  const check = (): void => {
    checked = true;
    const all = head.length === 1 ? (head[0] as Uint8Array) : concat(head, headLen);
    head = [];
    const kind = checkInput(all.subarray(0, TEXT_CHECK_BYTES), name);
    if (kind.kind === "text") feed(kind.skip > 0 ? all.subarray(kind.skip) : all);
    else {
      refused = true;
      error =
        kind.kind === "gzip"
          ? `${name}: gzip-compressed data: use importChunks() or importFile(), which decompress it`
          : kind.reason;
    }
  };

  return {
    push(chunk: Uint8Array): void {
      if (finished) throw new Error("importer: push() after finish()");
      bytes += chunk.length;
      if (error !== undefined) return;
      if (opts.signal?.aborted) {
        error = "cancelled";
        return;
      }
      if (!checked) {
        // Keep the first bytes until the binary check can see TEXT_CHECK_BYTES of them.
        head.push(
          headLen === 0 && chunk.length >= TEXT_CHECK_BYTES
            ? chunk
            : copyBytes(chunk, 0, chunk.length),
        );
        headLen += chunk.length;
        if (headLen >= TEXT_CHECK_BYTES) check();
      } else feed(chunk);
      opts.onProgress?.(bytes);
    },
    release(chunk: Uint8Array): void {
      parser.release(chunk);
    },
    finish(): ImportResult {
      if (finished) return finished;
      if (!checked && headLen > 0 && error === undefined) check();
      const fin: Parameters<typeof finalizeImport>[1] = {
        bytes,
        keepKmem: opts.keepKmem ?? "linked",
      };
      if (opts.path !== undefined) fin.path = opts.path;
      if (opts.src !== undefined) fin.src = opts.src;
      if (error !== undefined) fin.error = error;
      if (opts.format !== undefined) fin.format = opts.format;
      // A cancelled read keeps its complete lines; the partial last line was never fully read.
      if (!refused && error !== "cancelled") feeder.finish();
      finished = finalizeImport(refused ? [] : [parser.finish({ endsInput: true })], fin);
      return finished;
    },
  };
}

function concat(parts: readonly Uint8Array[], len: number): Uint8Array {
  const out = new Uint8Array(len);
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

/** Imports a string (tests, small inputs, pasted text). */
export function importText(text: string, opts: ImportOptions = {}): ImportResult {
  const imp = createImporter(opts);
  imp.push(new TextEncoder().encode(text));
  return imp.finish();
}
