import type { Kernel } from "../kernel/kernel.js";
import { __GFP_ZERO, type Gfp } from "../kernel/gfp.js";
import { KMem } from "./kmem.js";
import { check_mul_overflow } from "./overflow.js";

/**
 * Plain (unmanaged) kmalloc API for simulated kernel code. The kernel instance comes first
 * because there are no globals; the rest reads like the C API. The call site in kmem:kmalloc
 * is the innermost simulated function (the caller), as kmalloc's _RET_IP_ is.
 */
export function kmalloc<T = undefined>(
  k: Kernel,
  size: number,
  gfp: Gfp,
  data?: T,
): KMem<T> | null {
  if (size === 0) return KMem.zeroSize(k, data as T);
  const obj = k.slab.kmalloc(size, gfp, k.caller("kmalloc"));
  return obj === null ? null : new KMem(k, obj, 0, size, data as T);
}

export function kzalloc<T = undefined>(
  k: Kernel,
  size: number,
  gfp: Gfp,
  data?: T,
): KMem<T> | null {
  return kmalloc(k, size, gfp | __GFP_ZERO, data);
}

/** kmalloc_array(): null when n * size overflows. */
export function kmalloc_array<T = undefined>(
  k: Kernel,
  n: number,
  size: number,
  gfp: Gfp,
  data?: T,
): KMem<T> | null {
  const bytes = check_mul_overflow(n, size);
  if (bytes === null) return null;
  return kmalloc(k, bytes, gfp, data);
}

export function kcalloc<T = undefined>(
  k: Kernel,
  n: number,
  size: number,
  gfp: Gfp,
  data?: T,
): KMem<T> | null {
  return kmalloc_array(k, n, size, gfp | __GFP_ZERO, data);
}

/** kstrdup(): a copy of `s` with its terminating NUL (strlen + 1 bytes). */
export function kstrdup(k: Kernel, s: string | null, gfp: Gfp): KMem<string> | null {
  if (s === null) return null;
  return kmalloc(k, s.length + 1, gfp, s);
}

/** kfree(p): NULL and ZERO_SIZE_PTR are no-ops (but kfree(NULL) is still traced, as in 6.1). */
export function kfree(k: Kernel, p: KMem<unknown> | null): void {
  if (p !== null && p.isZeroSize) return;
  if (p !== null && p.offset !== 0) {
    // Not the start of an object: what KASAN calls an invalid free.
    k.kasan.invalidFree(p.obj, k.caller("kfree"));
    return;
  }
  k.slab.kfree(p === null ? null : p.obj, k.caller("kfree"));
}

/** ksize(p): usable bytes of the allocation (also makes them all valid, as KASAN's ksize does). */
export function ksize(p: KMem<unknown>): number {
  p.obj.validBytes = p.obj.bytesAlloc;
  return p.obj.bytesAlloc - p.offset;
}
