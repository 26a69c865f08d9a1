/**
 * SipHash-2-4 of one 64-bit word, as lib/siphash.c :: siphash_1u64 computes it. The kernel
 * hashes every `%p` pointer with it (lib/vsprintf.c :: ptr_to_hashval, keyed by a random
 * boot-time key), so the simulator's printed pointers are the real function of (key, address).
 *
 * 64-bit lanes are held as two unsigned 32-bit halves: no BigInt, same result everywhere.
 */

/** A 128-bit SipHash key as four 32-bit words: k0 = (k0hi, k0lo), k1 = (k1hi, k1lo). */
export interface SiphashKey {
  k0hi: number;
  k0lo: number;
  k1hi: number;
  k1lo: number;
}

/** Result halves of a 64-bit hash. */
export interface U64 {
  hi: number;
  lo: number;
}

/** siphash_1u64(first, key) for first = (hi << 32) | lo. */
export function siphash1u64(hi: number, lo: number, key: SiphashKey): U64 {
  // Initial state: key XOR "somepseudorandomlygeneratedbytes".
  let v0h = (key.k0hi ^ 0x736f6d65) >>> 0,
    v0l = (key.k0lo ^ 0x70736575) >>> 0;
  let v1h = (key.k1hi ^ 0x646f7261) >>> 0,
    v1l = (key.k1lo ^ 0x6e646f6d) >>> 0;
  let v2h = (key.k0hi ^ 0x6c796765) >>> 0,
    v2l = (key.k0lo ^ 0x6e657261) >>> 0;
  let v3h = (key.k1hi ^ 0x74656462) >>> 0,
    v3l = (key.k1lo ^ 0x79746573) >>> 0;

  const round = (): void => {
    // v0 += v1; v1 = rol(v1, 13); v1 ^= v0; v0 = rol(v0, 32)
    let l = (v0l + v1l) >>> 0;
    v0h = (v0h + v1h + (l < v0l ? 1 : 0)) >>> 0;
    v0l = l;
    let th = ((v1h << 13) | (v1l >>> 19)) >>> 0;
    let tl = ((v1l << 13) | (v1h >>> 19)) >>> 0;
    v1h = (th ^ v0h) >>> 0;
    v1l = (tl ^ v0l) >>> 0;
    th = v0h;
    v0h = v0l;
    v0l = th;
    // v2 += v3; v3 = rol(v3, 16); v3 ^= v2
    l = (v2l + v3l) >>> 0;
    v2h = (v2h + v3h + (l < v2l ? 1 : 0)) >>> 0;
    v2l = l;
    th = ((v3h << 16) | (v3l >>> 16)) >>> 0;
    tl = ((v3l << 16) | (v3h >>> 16)) >>> 0;
    v3h = (th ^ v2h) >>> 0;
    v3l = (tl ^ v2l) >>> 0;
    // v0 += v3; v3 = rol(v3, 21); v3 ^= v0
    l = (v0l + v3l) >>> 0;
    v0h = (v0h + v3h + (l < v0l ? 1 : 0)) >>> 0;
    v0l = l;
    th = ((v3h << 21) | (v3l >>> 11)) >>> 0;
    tl = ((v3l << 21) | (v3h >>> 11)) >>> 0;
    v3h = (th ^ v0h) >>> 0;
    v3l = (tl ^ v0l) >>> 0;
    // v2 += v1; v1 = rol(v1, 17); v1 ^= v2; v2 = rol(v2, 32)
    l = (v2l + v1l) >>> 0;
    v2h = (v2h + v1h + (l < v2l ? 1 : 0)) >>> 0;
    v2l = l;
    th = ((v1h << 17) | (v1l >>> 15)) >>> 0;
    tl = ((v1l << 17) | (v1h >>> 15)) >>> 0;
    v1h = (th ^ v2h) >>> 0;
    v1l = (tl ^ v2l) >>> 0;
    th = v2h;
    v2h = v2l;
    v2l = th;
  };

  // Message block.
  v3h = (v3h ^ hi) >>> 0;
  v3l = (v3l ^ lo) >>> 0;
  round();
  round();
  v0h = (v0h ^ hi) >>> 0;
  v0l = (v0l ^ lo) >>> 0;
  // Final block: the length (8) in the top byte.
  const bh = 0x08000000;
  v3h = (v3h ^ bh) >>> 0;
  round();
  round();
  v0h = (v0h ^ bh) >>> 0;
  v2l = (v2l ^ 0xff) >>> 0;
  round();
  round();
  round();
  round();
  return { hi: (v0h ^ v1h ^ v2h ^ v3h) >>> 0, lo: (v0l ^ v1l ^ v2l ^ v3l) >>> 0 };
}
