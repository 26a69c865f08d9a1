import type { Device } from "../base/device.js";
import { __GFP_ZERO, GFP_KERNEL, type Gfp } from "../kernel/gfp.js";
import { kvsprintf, type PrintfArg } from "../kernel/printf.js";
import { KMem } from "../mm/kmem.js";
import { kmalloc_size_roundup, type SlabObject } from "../mm/slab.js";
import { DEVRES_HEADER_BYTES, NODE } from "./devres-node.js";
import {
  alloc_dr,
  attach_payload,
  devres_add,
  devres_alloc,
  devres_destroy,
  devres_log,
  devres_release,
  find_dr,
  type MatchFn,
} from "./devres.js";
import type { ReleaseFn } from "./devres-node.js";
import { named } from "../kernel/kernel-name.js";
import { check_mul_overflow } from "../mm/overflow.js";

/** devm_kmalloc_release(): nothing to do, the memory goes with the node. */
export function devm_kmalloc_release(_dev: Device, _res: KMem<unknown>): void {
  /* noop */
}
named(devm_kmalloc_release, "devm_kmalloc_release");

function devm_kmalloc_match(_dev: Device, res: KMem<unknown>, data: unknown): boolean {
  return res === data;
}

/**
 * devm_kmalloc(dev, size, gfp): managed kmalloc; the node is named `devm_kzalloc_release` (for
 * historical reasons) with the requested size. Size 0 returns ZERO_SIZE_PTR and adds nothing.
 * `data` is the driver's typed view of the memory.
 */
export function devm_kmalloc<T = undefined>(
  dev: Device,
  size: number,
  gfp: Gfp,
  data?: T,
): KMem<T> | null {
  const k = dev.kernel;
  if (size === 0) return KMem.zeroSize(k, data as T);
  // alloc_dr() uses kmalloc_node_track_caller(): the kmalloc call site is devm_kmalloc's caller.
  const node = alloc_dr(
    dev,
    devm_kmalloc_release as ReleaseFn,
    size,
    gfp,
    k.caller("devm_kmalloc"),
  );
  if (node === null) return null;
  node.name = "devm_kzalloc_release";
  node.size = size;
  const mem = attach_payload(
    node,
    new KMem(k, node.obj as SlabObject, DEVRES_HEADER_BYTES, size, data as T),
  );
  devres_add(dev, mem);
  return mem;
}

/** devm_kzalloc(dev, size, gfp) = devm_kmalloc(... | __GFP_ZERO). */
export function devm_kzalloc<T = undefined>(
  dev: Device,
  size: number,
  gfp: Gfp,
  data?: T,
): KMem<T> | null {
  return devm_kmalloc(dev, size, gfp | __GFP_ZERO, data);
}

/** devm_kmalloc_array(): null (no node) when n * size overflows. */
export function devm_kmalloc_array<T = undefined>(
  dev: Device,
  n: number,
  size: number,
  gfp: Gfp,
  data?: T,
): KMem<T> | null {
  const bytes = check_mul_overflow(n, size);
  if (bytes === null) return null;
  return devm_kmalloc(dev, bytes, gfp, data);
}

/** devm_kcalloc() = devm_kmalloc_array(... | __GFP_ZERO). */
export function devm_kcalloc<T = undefined>(
  dev: Device,
  n: number,
  size: number,
  gfp: Gfp,
  data?: T,
): KMem<T> | null {
  return devm_kmalloc_array(dev, n, size, gfp | __GFP_ZERO, data);
}

/**
 * devm_kfree(dev, p): destroy the node of `p` (logs REM). NULL / ZERO_SIZE_PTR are no-ops;
 * a pointer that is not managed memory of this device WARNs.
 */
export function devm_kfree(dev: Device, p: KMem<unknown> | null): void {
  if (p === null || p.isZeroSize) return;
  const k = dev.kernel;
  const rc = devres_destroy(
    dev,
    devm_kmalloc_release,
    devm_kmalloc_match as MatchFn<KMem<unknown>>,
    p,
    k.caller("devm_kfree"),
  );
  if (rc !== 0) k.warn("drivers/base/devres.c", "devm_kfree");
}

/**
 * devm_krealloc(dev, ptr, new_size, gfp). Same kmalloc bucket → same pointer, nothing logged.
 * Otherwise a new node replaces the old one *in place* (release order unchanged), `REPLACE` is
 * logged against the old node, the old memory is freed. The new node's name/size are never set
 * (logged later as `(null)`, 0 bytes). new_size 0 → devm_kfree + ZERO_SIZE_PTR; ptr NULL or
 * ZERO_SIZE_PTR → devm_kmalloc.
 */
export function devm_krealloc<T>(
  dev: Device,
  ptr: KMem<T> | null,
  new_size: number,
  gfp: Gfp,
): KMem<T> | null {
  const k = dev.kernel;
  if (new_size === 0) {
    devm_kfree(dev, ptr);
    return KMem.zeroSize(k, (ptr === null ? undefined : ptr.data) as T);
  }
  if (ptr === null || ptr.isZeroSize)
    return devm_kmalloc(dev, new_size, gfp, ptr === null ? undefined : ptr.data) as KMem<T> | null;
  let totalNew = DEVRES_HEADER_BYTES + new_size;
  if (k.features.devresSizeRoundup) totalNew = kmalloc_size_roundup(totalNew);
  const totalOld = ptr.obj.bytesAlloc;
  if (totalNew <= totalOld) {
    ptr.size = Math.max(ptr.size, new_size);
    ptr.obj.validBytes = ptr.obj.bytesAlloc;
    return ptr;
  }
  // Before ~v6.14 alloc_dr() got the header-inclusive total, so the header was counted twice.
  const allocSize = k.features.devmKreallocExactSize ? new_size : totalNew;
  const newNode = alloc_dr(
    dev,
    devm_kmalloc_release as ReleaseFn,
    allocSize,
    gfp,
    k.caller("devm_krealloc"),
  );
  if (newNode === null) return null;
  const oldNode = find_dr(
    dev,
    devm_kmalloc_release as ReleaseFn,
    devm_kmalloc_match as MatchFn,
    ptr,
  );
  if (oldNode === null) {
    k.slab.kfree(newNode.obj, "devm_krealloc+0x11b/0x1b0");
    k.warn(
      "drivers/base/devres.c",
      "devm_krealloc",
      "Memory chunk not managed or managed by a different device.",
    );
    return null;
  }
  // replace_dr(): log REPLACE against the old node, then list_replace.
  devres_log(dev, oldNode, "REPLACE");
  oldNode.replaceWith(newNode);
  const mem = attach_payload(
    newNode,
    new KMem(k, newNode.obj as SlabObject, DEVRES_HEADER_BYTES, new_size, ptr.data),
  );
  Reflect.deleteProperty(ptr, NODE);
  k.slab.kfree(oldNode.obj, "devm_krealloc+0x15d/0x1b0");
  return mem;
}

/** devm_kmemdup(dev, src, len, gfp): managed copy of `len` bytes; `src` becomes the copy's data. */
export function devm_kmemdup<T>(dev: Device, src: T, len: number, gfp: Gfp): KMem<T> | null {
  return devm_kmalloc(dev, len, gfp, src);
}

/** devm_kstrdup(dev, s, gfp): managed copy of a string (strlen + 1 bytes); NULL → NULL. */
export function devm_kstrdup(dev: Device, s: string | null, gfp: Gfp): KMem<string> | null {
  if (s === null) return null;
  return devm_kmemdup(dev, s, s.length + 1, gfp);
}

/** devm_kvasprintf(dev, gfp, fmt, args): measure, devm_kmalloc(len + 1), format. */
export function devm_kvasprintf(
  dev: Device,
  gfp: Gfp,
  fmt: string,
  args: readonly PrintfArg[],
): KMem<string> | null {
  const text = kvsprintf(fmt, args);
  return dev.kernel.call("devm_kvasprintf", () => devm_kmalloc(dev, text.length + 1, gfp, text));
}

/** devm_kasprintf(dev, gfp, fmt, ...args) */
export function devm_kasprintf(
  dev: Device,
  gfp: Gfp,
  fmt: string,
  ...args: PrintfArg[]
): KMem<string> | null {
  return devm_kvasprintf(dev, gfp, fmt, args);
}

/** lib/devres.c-style pages_devres {addr, order} (16 bytes). */
interface PagesDevres {
  addr: number;
  order: number;
}

export function devm_pages_release(dev: Device, res: PagesDevres): void {
  dev.kernel.pages.free(res.addr, res.order, "devm_pages_release+0x16/0x20");
}
named(devm_pages_release, "devm_pages_release");

function devm_pages_match(_dev: Device, res: PagesDevres, p: unknown): boolean {
  return res.addr === (p as PagesDevres).addr;
}

/**
 * devm_get_free_pages(dev, gfp, order): pages first, then the node (pages freed again when the
 * node cannot be allocated). Returns the (physical) address or 0.
 */
export function devm_get_free_pages(dev: Device, gfp: Gfp, order: number): number {
  const k = dev.kernel;
  const addr = k.pages.alloc(order, gfp, k.caller("devm_get_free_pages"));
  if (addr === null) return 0;
  const dr = devres_alloc(
    dev,
    devm_pages_release,
    16,
    GFP_KERNEL,
    { addr, order },
    "devm_get_free_pages+0x3e/0xa0",
  );
  if (dr === null) {
    k.pages.free(addr, order, "devm_get_free_pages+0x8e/0xa0");
    return 0;
  }
  devres_add(dev, dr);
  return addr;
}

/** devm_free_pages(dev, addr): devres_release by address (logs REM); WARN when not found. */
export function devm_free_pages(dev: Device, addr: number): void {
  if (devres_release(dev, devm_pages_release, devm_pages_match, { addr, order: 0 }) !== 0)
    dev.kernel.warn("drivers/base/devres.c", "devm_free_pages");
}

/** A per-CPU allocation (`void __percpu *`). */
export interface PercpuPtr {
  readonly addr: number;
  readonly size: number;
  live: boolean;
}

export function devm_percpu_release(dev: Device, res: { pdata: PercpuPtr }): void {
  dev.kernel.percpu.free(res.pdata);
}
named(devm_percpu_release, "devm_percpu_release");

function devm_percpu_match(_dev: Device, res: { pdata: PercpuPtr }, p: unknown): boolean {
  return res.pdata === p;
}

/** __devm_alloc_percpu(dev, size, align): the percpu area first, then a node holding its pointer. */
export function devm_alloc_percpu(dev: Device, size: number, align = 8): PercpuPtr | null {
  const k = dev.kernel;
  const pdata = k.percpu.alloc(size, align);
  if (pdata === null) return null;
  const dr = devres_alloc(
    dev,
    devm_percpu_release,
    8,
    GFP_KERNEL,
    { pdata },
    "__devm_alloc_percpu+0x3a/0xa0",
  );
  if (dr === null) {
    k.percpu.free(pdata);
    return null;
  }
  devres_add(dev, dr);
  return pdata;
}

/** devm_free_percpu(dev, pdata): devres_release by pointer; WARN when not found. */
export function devm_free_percpu(dev: Device, pdata: PercpuPtr): void {
  if (devres_release(dev, devm_percpu_release, devm_percpu_match, pdata) !== 0)
    dev.kernel.warn("drivers/base/devres.c", "devm_free_percpu");
}
