import { siphash1u64, type SiphashKey } from "./siphash.js";
import type { Prng } from "./prng.js";

/**
 * Kernel addresses. Internally the simulator keeps a physical address (an integer below 2^44,
 * exact in a JS number); the kernel virtual address of the direct map is
 * 0xffff888000000000 + phys (x86-64 page_offset_base without KASLR).
 * Module text lives at 0xffffffffc0000000 + offset (MODULES_VADDR).
 */
const DIRECT_MAP_HI = 0xffff8880;
const MODULES_HI = 0xffffffff;
const MODULES_LO = 0xc0000000;
const TWO32 = 0x100000000;

export function hex(n: number, width: number): string {
  const s = n.toString(16);
  return s.length >= width ? s : "0".repeat(width - s.length) + s;
}

/** High/low 32-bit halves of the direct-map virtual address of `phys`. */
function directMapHalves(phys: number): { hi: number; lo: number } {
  return { hi: (DIRECT_MAP_HI + Math.floor(phys / TWO32)) >>> 0, lo: phys % TWO32 };
}

/** `%px` / raw 16-digit hex of the direct-map address (`ffff888102a4c000`). */
export function rawAddr(phys: number): string {
  const { hi, lo } = directMapHalves(phys);
  return hex(hi, 8) + hex(lo, 8);
}

/** Raw 16-digit hex of a module text address (`ffffffffc0642715`). */
export function rawModuleAddr(offset: number): string {
  return hex(MODULES_HI, 8) + hex((MODULES_LO + offset) >>> 0, 8);
}

/**
 * Hashed `%p` output (lib/vsprintf.c :: ptr_to_id): siphash_1u64 of the address under the
 * boot key, masked to 32 bits and printed as 16 hex digits (8 leading zeros on 64-bit).
 * Deterministic from (seed, address); cached because addresses are reused constantly.
 */
export class PointerHasher {
  private readonly key: SiphashKey;
  private readonly cache = new Map<number, string>();

  constructor(rng: Prng) {
    this.key = { k0hi: rng.u32(), k0lo: rng.u32(), k1hi: rng.u32(), k1lo: rng.u32() };
  }

  /** Token for a direct-map address given as phys. */
  token(phys: number): string {
    let t = this.cache.get(phys);
    if (t === undefined) {
      const { hi, lo } = directMapHalves(phys);
      t = "00000000" + hex(siphash1u64(hi, lo, this.key).lo, 8);
      this.cache.set(phys, t);
    }
    return t;
  }
}
