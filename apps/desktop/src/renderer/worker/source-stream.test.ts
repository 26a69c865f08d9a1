import { describe, expect, it } from "vitest";
import type { SourceSpec } from "./engine-types.ts";
import { LineIndexer } from "./line-index.ts";
import { readSourceLines } from "./source-lines.ts";
import { decodedChunks, isGzip, rawChunks } from "./source-stream.ts";

const text =
  Array.from(
    { length: 5000 },
    (_, i) => `${String(i + 1).padStart(5)} devres_log: line ${i + 1}`,
  ).join("\n") + "\n";
const plain = new TextEncoder().encode(text);
const gz = new Uint8Array(
  await new Response(
    new Blob([plain]).stream().pipeThrough(new CompressionStream("gzip")),
  ).arrayBuffer(),
);

const blobSpec = (bytes: Uint8Array<ArrayBuffer>, name = "t.txt"): SourceSpec => ({
  name,
  size: bytes.length,
  blob: new Blob([bytes]),
});
const hostSpec = (bytes: Uint8Array): SourceSpec => ({
  name: "host.txt",
  size: bytes.length,
  read: async (offset, length) => bytes.slice(offset, offset + Math.min(length, 777)),
});

async function collect(gen: AsyncIterable<Uint8Array>): Promise<Uint8Array> {
  const parts: Uint8Array[] = [];
  for await (const c of gen) parts.push(c);
  const out = new Uint8Array(parts.reduce((s, p) => s + p.length, 0));
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

describe("source streams", () => {
  it("reads blobs and host ranges byte for byte", async () => {
    expect(await collect(rawChunks(blobSpec(plain)))).toEqual(plain);
    expect(await collect(rawChunks(hostSpec(plain)))).toEqual(plain);
    expect(await collect(rawChunks(hostSpec(plain), undefined, 100, 200))).toEqual(
      plain.slice(100, 200),
    );
  });

  it("detects and inflates gzip, reporting raw bytes consumed", async () => {
    expect(isGzip(gz)).toBe(true);
    expect(isGzip(plain)).toBe(false);
    let raw = 0;
    const d = decodedChunks(blobSpec(gz), undefined, (n) => (raw = n));
    expect(await collect(d.chunks)).toEqual(plain);
    expect(d.gzip).toBe(true);
    expect(d.error).toBeUndefined();
    expect(raw).toBe(gz.length);
  });

  it("keeps what was decoded from a truncated gzip and says so", async () => {
    const cut = gz.slice(0, Math.floor(gz.length * 0.6));
    const d = decodedChunks(blobSpec(cut, "cut.txt.gz"), undefined, () => undefined);
    const out = await collect(d.chunks);
    expect(out.length).toBeGreaterThan(0);
    expect(plain.slice(0, out.length)).toEqual(out);
    expect(d.error).toMatch(/cut\.txt\.gz: gzip data is truncated or corrupt/);
  });

  it("stops when aborted", async () => {
    const ac = new AbortController();
    ac.abort();
    expect((await collect(rawChunks(hostSpec(plain), ac.signal))).length).toBe(0);
  });

  it("reads source lines back from plain and gzip files", async () => {
    const ix = new LineIndexer();
    ix.push(plain);
    const index = ix.finish();
    const want = [4097, 4098, 4099].map((n) => ({
      line: n,
      text: `${String(n).padStart(5)} devres_log: line ${n}`,
    }));
    expect(await readSourceLines(hostSpec(plain), false, index, 4097, 4099)).toEqual(want);
    expect(await readSourceLines(blobSpec(gz), true, index, 4097, 4099)).toEqual(want);
    expect(await readSourceLines(blobSpec(plain), false, index, 4999, 6000)).toHaveLength(2);
  });
});
