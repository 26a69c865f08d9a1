/**
 * Guest physical memory: the RAM both the simulated kernel's allocators hand out and the
 * simulated devices DMA into. Sparse, in 4 MiB chunks allocated on first touch; the page
 * allocator's blocks (at most order 10 = 4 MiB, aligned to their size) never straddle a
 * chunk, so a DMA buffer is always one contiguous view.
 */
const CHUNK_SHIFT = 22;
const CHUNK_BYTES = 1 << CHUNK_SHIFT;

export class GuestMemory {
  private readonly chunks = new Map<number, Uint8Array>();

  /** Bytes materialised so far (chunks touched × 4 MiB). */
  get residentBytes(): number {
    return this.chunks.size * CHUNK_BYTES;
  }

  private chunk(index: number): Uint8Array {
    let c = this.chunks.get(index);
    if (c === undefined) {
      c = new Uint8Array(CHUNK_BYTES);
      this.chunks.set(index, c);
    }
    return c;
  }

  /**
   * A live view of `len` bytes at physical address `phys`. Throws when the range crosses a
   * 4 MiB chunk (no allocator block does; use read/write for arbitrary device accesses).
   */
  view(phys: number, len: number): Uint8Array {
    const index = Math.floor(phys / CHUNK_BYTES);
    const off = phys - index * CHUNK_BYTES;
    if (off + len > CHUNK_BYTES)
      throw new Error(`guest memory: view [0x${phys.toString(16)}, +${len}) crosses a 4 MiB chunk`);
    return this.chunk(index).subarray(off, off + len);
  }

  /** Copy `len` bytes starting at `phys` (any range). */
  read(phys: number, len: number): Uint8Array {
    const out = new Uint8Array(len);
    let done = 0;
    while (done < len) {
      const p = phys + done;
      const index = Math.floor(p / CHUNK_BYTES);
      const off = p - index * CHUNK_BYTES;
      const n = Math.min(len - done, CHUNK_BYTES - off);
      out.set(this.chunk(index).subarray(off, off + n), done);
      done += n;
    }
    return out;
  }

  /** Store `bytes` at `phys` (any range). */
  write(phys: number, bytes: Uint8Array): void {
    let done = 0;
    while (done < bytes.length) {
      const p = phys + done;
      const index = Math.floor(p / CHUNK_BYTES);
      const off = p - index * CHUNK_BYTES;
      const n = Math.min(bytes.length - done, CHUNK_BYTES - off);
      this.chunk(index).set(bytes.subarray(done, done + n), off);
      done += n;
    }
  }
}

/** Little-endian helpers for descriptor layouts (the NIC and GPU models are x86-hosted). */
export function le32(b: Uint8Array, off: number): number {
  return (
    ((b[off] as number) |
      ((b[off + 1] as number) << 8) |
      ((b[off + 2] as number) << 16) |
      ((b[off + 3] as number) << 24)) >>>
    0
  );
}
export function le16(b: Uint8Array, off: number): number {
  return (b[off] as number) | ((b[off + 1] as number) << 8);
}
export function le64(b: Uint8Array, off: number): number {
  return le32(b, off) + le32(b, off + 4) * 0x100000000;
}
export function put32(b: Uint8Array, off: number, v: number): void {
  b[off] = v & 0xff;
  b[off + 1] = (v >>> 8) & 0xff;
  b[off + 2] = (v >>> 16) & 0xff;
  b[off + 3] = (v >>> 24) & 0xff;
}
export function put16(b: Uint8Array, off: number, v: number): void {
  b[off] = v & 0xff;
  b[off + 1] = (v >>> 8) & 0xff;
}
export function put64(b: Uint8Array, off: number, v: number): void {
  put32(b, off, v % 0x100000000);
  put32(b, off + 4, Math.floor(v / 0x100000000));
}
