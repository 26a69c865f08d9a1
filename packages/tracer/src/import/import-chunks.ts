/**
 * Imports from any chunk source (a browser `File.stream()`, a Node stream, an array), gzip
 * included: gzip is recognised by its magic bytes and decompressed with the platform's
 * `DecompressionStream("gzip")` (browsers; Node 18+), so the desktop worker gets it for free.
 * Truncated or corrupt gzip data ends the import with an error and keeps what was decoded.
 */
import { createImporter, inputName } from "./importer.js";
import type { ImportOptions, ImportResult } from "./types.js";

type Chunks = AsyncIterable<Uint8Array> | Iterable<Uint8Array>;

async function* iterate(chunks: Chunks): AsyncGenerator<Uint8Array> {
  if (Symbol.asyncIterator in chunks) {
    for await (const c of chunks) yield c;
  } else {
    for (const c of chunks) yield c;
  }
}

function errorText(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

export async function importChunks(
  chunks: Chunks,
  opts: ImportOptions = {},
): Promise<ImportResult> {
  const source = iterate(chunks);
  const first: Uint8Array[] = [];
  let firstLen = 0;
  // Enough bytes to see the gzip magic.
  while (firstLen < 2) {
    const r = await source.next();
    if (r.done) break;
    first.push(r.value);
    firstLen += r.value.length;
  }
  const isGzip = firstLen >= 2 && startsGzip(first);
  if (!isGzip) return importPlain(first, source, opts);
  return importGzip(first, source, opts);
}

function startsGzip(first: readonly Uint8Array[]): boolean {
  const bytes: number[] = [];
  for (const c of first)
    for (let i = 0; i < c.length && bytes.length < 2; i++) bytes.push(c[i] as number);
  return bytes[0] === 0x1f && bytes[1] === 0x8b;
}

async function importPlain(
  first: readonly Uint8Array[],
  rest: AsyncGenerator<Uint8Array>,
  opts: ImportOptions,
): Promise<ImportResult> {
  const imp = createImporter(opts); // reports progress itself
  const take = (c: Uint8Array): void => imp.push(c);
  for (const c of first) take(c);
  for (;;) {
    if (opts.signal?.aborted) {
      imp.push(new Uint8Array(0)); // records "cancelled"
      break;
    }
    const r = await rest.next();
    if (r.done) break;
    take(r.value);
  }
  return imp.finish();
}

async function importGzip(
  first: readonly Uint8Array[],
  rest: AsyncGenerator<Uint8Array>,
  opts: ImportOptions,
): Promise<ImportResult> {
  const name = inputName(opts);
  // DecompressionStream hands out a fresh buffer per chunk. Progress counts compressed bytes
  // here, so the inner importer reports none.
  const { onProgress: _decompressed, ...inner } = opts;
  const imp = createImporter({ ...inner, ownsChunks: true });
  if (typeof DecompressionStream === "undefined") {
    const res = imp.finish();
    res.error = `${name}: gzip-compressed data, and this platform has no DecompressionStream; decompress it first (gunzip)`;
    res.gzip = true;
    return res;
  }
  const ds = new DecompressionStream("gzip");
  const writer = ds.writable.getWriter();
  const reader = ds.readable.getReader();
  let compressed = 0;
  let cancelled = false;
  let writeError: unknown;

  // Producer: compressed chunks in; runs concurrently with the reader below (backpressure).
  const produce = (async () => {
    try {
      for (const c of first) {
        await writer.write(c);
        compressed += c.length;
      }
      for (;;) {
        if (opts.signal?.aborted) {
          cancelled = true;
          await writer.abort("cancelled");
          return;
        }
        const r = await rest.next();
        if (r.done) break;
        await writer.write(r.value);
        compressed += r.value.length;
        opts.onProgress?.(compressed);
      }
      await writer.close();
    } catch (e) {
      writeError = e;
    }
  })();

  let readError: unknown;
  try {
    for (;;) {
      const r = await reader.read();
      if (r.done) break;
      imp.push(r.value);
      if (opts.signal?.aborted) {
        cancelled = true;
        await reader.cancel("cancelled");
        break;
      }
    }
  } catch (e) {
    readError = e;
  }
  await produce;
  const res = imp.finish();
  res.bytes = compressed;
  res.gzip = true;
  if (cancelled) res.error = "cancelled";
  else if (res.error === undefined && (readError !== undefined || writeError !== undefined)) {
    res.error = `${name}: gzip data is truncated or corrupt (${errorText(readError ?? writeError)}); kept the ${res.lines.total} lines decoded before that`;
  }
  return res;
}
