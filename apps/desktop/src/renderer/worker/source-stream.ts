import type { SourceSpec } from "./engine-types.ts";

/** Bytes per read from a host (IPC) source; Blob streams choose their own chunking. */
export const HOST_CHUNK_BYTES = 4 * 1024 * 1024;

/** Raw (possibly compressed) bytes of [start, end) of a source, in order. */
export async function* rawChunks(
  spec: SourceSpec,
  signal?: AbortSignal,
  start = 0,
  end = spec.size,
): AsyncGenerator<Uint8Array> {
  if (spec.blob) {
    const reader = spec.blob.slice(start, end).stream().getReader();
    try {
      for (;;) {
        if (signal?.aborted) return;
        const { done, value } = await reader.read();
        if (done) return;
        if (value.length) yield value;
      }
    } finally {
      reader.releaseLock();
    }
  }
  if (!spec.read) throw new Error(`${spec.name}: no way to read this source`);
  for (let offset = start; offset < end;) {
    if (signal?.aborted) return;
    const chunk = await spec.read(offset, Math.min(HOST_CHUNK_BYTES, end - offset));
    if (chunk.length === 0)
      throw new Error(
        `${spec.name}: file ended at byte ${offset}, expected ${end} bytes (was it truncated while open?)`,
      );
    offset += chunk.length;
    yield chunk;
  }
}

/** gzip member magic (RFC 1952 ID1 ID2). */
export function isGzip(head: Uint8Array): boolean {
  return head.length >= 2 && head[0] === 0x1f && head[1] === 0x8b;
}

export interface DecodedStream {
  /** Uncompressed bytes, in order. */
  chunks: AsyncGenerator<Uint8Array>;
  /** Known after the first chunk was pulled. */
  readonly gzip: boolean;
  /** Set when decompression failed (truncated or corrupt gzip): what was decoded stays. */
  readonly error: string | undefined;
}

/**
 * The uncompressed bytes of a source: gzip is detected by its magic bytes and inflated with
 * the platform DecompressionStream. `onRawBytes` gets the raw bytes consumed so far (for a
 * progress bar against the file size). A truncated gzip ends the stream with `error` set
 * instead of throwing, so everything decoded before the damage is still imported.
 */
export function decodedChunks(
  spec: SourceSpec,
  signal: AbortSignal | undefined,
  onRawBytes: (n: number) => void,
): DecodedStream {
  const state: { gzip: boolean; error: string | undefined } = { gzip: false, error: undefined };
  async function* run(): AsyncGenerator<Uint8Array> {
    const raw = rawChunks(spec, signal);
    let consumed = 0;
    const first = await raw.next();
    if (first.done) return;
    state.gzip = isGzip(first.value);
    if (!state.gzip) {
      consumed += first.value.length;
      onRawBytes(consumed);
      yield first.value;
      for await (const c of raw) {
        consumed += c.length;
        onRawBytes(consumed);
        yield c;
      }
      return;
    }
    let pending: Uint8Array | null = first.value;
    const input = new ReadableStream<Uint8Array>({
      async pull(ctrl) {
        if (pending) {
          consumed += pending.length;
          onRawBytes(consumed);
          ctrl.enqueue(pending);
          pending = null;
          return;
        }
        const n = await raw.next();
        if (n.done || signal?.aborted) ctrl.close();
        else {
          consumed += n.value.length;
          onRawBytes(consumed);
          ctrl.enqueue(n.value);
        }
      },
    });
    const reader = input
      .pipeThrough(
        new DecompressionStream("gzip") as unknown as ReadableWritablePair<Uint8Array, Uint8Array>,
      )
      .getReader();
    try {
      for (;;) {
        if (signal?.aborted) return;
        const { done, value } = await reader.read();
        if (done) return;
        if (value.length) yield value;
      }
    } catch (e) {
      state.error = `${spec.name}: gzip data is truncated or corrupt after ${consumed} compressed bytes (${e instanceof Error ? e.message : String(e)}); the part decoded before it was imported`;
    }
  }
  return {
    chunks: run(),
    get gzip() {
      return state.gzip;
    },
    get error() {
      return state.error;
    },
  };
}
