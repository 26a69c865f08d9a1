import { dev_driver_string } from "../base/device.js";
import { ENOMEM } from "../kernel/errno.js";
import { __GFP_ZERO, GFP_KERNEL, type Gfp } from "../kernel/gfp.js";
import { KMem } from "../mm/kmem.js";
import type { SlabObject } from "../mm/slab.js";
import type { DrmDevice } from "./drm-device.js";
import { check_mul_overflow } from "../mm/overflow.js";

/** drmres_release_t: `void (*)(struct drm_device *, void *)`. */
export type DrmresRelease<D> = (drm: DrmDevice, data: D) => void;

/** struct drmres_node header size on x86-64 (list_head, release, name, size), bytes. */
const DRMRES_HEADER_BYTES = 40;
/** DRM_UT_DRMRES */
const DRM_UT_DRMRES = 0x200;

/** One entry of a drm_device's managed list (struct drmres). */
export class Drmres {
  constructor(
    readonly release: DrmresRelease<never> | null,
    readonly name: string,
    /** Bytes as logged: the data pointer (8) for actions with data, the size for kmalloc. */
    readonly size: number,
    readonly data: unknown,
    readonly obj: SlabObject,
    /** drmm_kmalloc memory handed to the driver. */
    readonly mem: KMem<unknown> | null,
  ) {}
}

/**
 * drm_dbg_drmres(): `[drm:<func> [drm]] <text>` through drm_dev_dbg — with the parent device's
 * dev_printk prefix while drm->dev is set, without once drm_dev_init_release cleared it.
 * Printed (KERN_DEBUG) only when drm.debug has DRM_UT_DRMRES.
 */
export function drm_dbg_drmres(
  drm: DrmDevice,
  func: string,
  ev: { op: "ADD" | "REL" | "DEL"; node: Drmres } | { phase: "begin" | "end" },
): void {
  const k = drm.kernel;
  if ((k.config.drmDebug & DRM_UT_DRMRES) === 0) return;
  const parent = drm.dev;
  const prefix = parent === null ? "" : `${dev_driver_string(parent)} ${parent.name}: `;
  const msg =
    "phase" in ev
      ? `drmres release ${ev.phase}`
      : `${ev.op} ${k.ptr(ev.node.obj.addr)} ${ev.node.name} (${ev.node.size} bytes)`;
  k.printk(7, `${prefix}[drm:${func} [drm]] ${msg}`);
}

/** alloc_dr(): header + payload, kmalloc_node_track_caller (the caller is the drmm_* user). */
function alloc_dr(drm: DrmDevice, size: number, gfp: Gfp, site: string): SlabObject | null {
  return drm.kernel.slab.kmalloc(DRMRES_HEADER_BYTES + size, gfp, site);
}

/** add_dr(): list_add at the head (so release is LIFO), then the ADD line. */
function add_dr(drm: DrmDevice, dr: Drmres): void {
  drm.managed.unshift(dr);
  drm_dbg_drmres(drm, "add_dr", { op: "ADD", node: dr });
}

/** del_dr(): unlink, DEL line. */
function del_dr(drm: DrmDevice, dr: Drmres, func: string): void {
  const i = drm.managed.indexOf(dr);
  if (i >= 0) drm.managed.splice(i, 1);
  drm_dbg_drmres(drm, func, { op: "DEL", node: dr });
}

/**
 * __drmm_add_action(drm, action, data, name): the data pointer is stored (size 8) only when
 * non-NULL; with NULL data the entry has size 0 and the release gets NULL. 0 or -ENOMEM.
 */
export function __drmm_add_action<D>(
  drm: DrmDevice,
  action: DrmresRelease<D>,
  data: D,
  name: string,
): number {
  const k = drm.kernel;
  const size = data === null || data === undefined ? 0 : 8;
  const obj = alloc_dr(drm, size, GFP_KERNEL | __GFP_ZERO, k.caller("__drmm_add_action"));
  if (obj === null) {
    if ((k.config.drmDebug & DRM_UT_DRMRES) !== 0)
      k.printk(7, `[drm:__drmm_add_action [drm]] failed to add action ${name} for ${String(data)}`);
    return -ENOMEM;
  }
  add_dr(drm, new Drmres(action as DrmresRelease<never>, name, size, data, obj, null));
  return 0;
}

/** drmm_add_action(drm, action, data): named `#action`. */
export function drmm_add_action<D>(drm: DrmDevice, action: DrmresRelease<D>, data: D): number {
  return __drmm_add_action(drm, action, data, drm.kernel.fnName(action));
}

/** drmm_add_action_or_reset(): on failure the action runs immediately and -ENOMEM is returned. */
export function drmm_add_action_or_reset<D>(
  drm: DrmDevice,
  action: DrmresRelease<D>,
  data: D,
): number {
  const ret = drmm_add_action(drm, action, data);
  if (ret !== 0) drm.kernel.call(drm.kernel.fnName(action), () => action(drm, data));
  return ret;
}

/** drmm_kmalloc(drm, size, gfp): an entry named `kmalloc` with the requested size. */
export function drmm_kmalloc<T = undefined>(
  drm: DrmDevice,
  size: number,
  gfp: Gfp,
  data?: T,
): KMem<T> | null {
  const k = drm.kernel;
  const obj = alloc_dr(drm, size, gfp, k.caller("drmm_kmalloc"));
  if (obj === null) {
    if ((k.config.drmDebug & DRM_UT_DRMRES) !== 0)
      k.printk(7, `[drm:drmm_kmalloc [drm]] failed to allocate ${size} bytes, ${gfp} flags`);
    return null;
  }
  const mem = new KMem(k, obj, DRMRES_HEADER_BYTES, size, data as T);
  add_dr(drm, new Drmres(null, "kmalloc", size, null, obj, mem));
  return mem;
}

export function drmm_kzalloc<T = undefined>(
  drm: DrmDevice,
  size: number,
  gfp: Gfp,
  data?: T,
): KMem<T> | null {
  return drmm_kmalloc(drm, size, gfp | __GFP_ZERO, data);
}

/** drmm_kcalloc(): NULL on overflow. */
export function drmm_kcalloc<T = undefined>(
  drm: DrmDevice,
  n: number,
  size: number,
  gfp: Gfp,
  data?: T,
): KMem<T> | null {
  const bytes = check_mul_overflow(n, size);
  if (bytes === null) return null;
  return drmm_kzalloc(drm, bytes, gfp, data);
}

/** drmm_kstrdup(drm, s, gfp) */
export function drmm_kstrdup(drm: DrmDevice, s: string | null, gfp: Gfp): KMem<string> | null {
  if (s === null) return null;
  return drmm_kmalloc(drm, s.length + 1, gfp, s);
}

/**
 * drmm_kfree(drm, p): find the entry by exact pointer, `DEL` it and free. NULL is a no-op;
 * a pointer that is not drmm memory of this device WARNs.
 */
export function drmm_kfree(drm: DrmDevice, p: KMem<unknown> | null): void {
  if (p === null) return;
  const k = drm.kernel;
  const dr = drm.managed.find((d) => d.mem === p);
  if (dr === undefined) {
    k.warn("drivers/gpu/drm/drm_managed.c", "drmm_kfree");
    return;
  }
  del_dr(drm, dr, "drmm_kfree");
  k.slab.kfree(dr.obj, "drmm_kfree+0x5c/0x90");
}

/**
 * drmm_release_action(drm, action, data) (~v6.9): the *oldest* entry with this release and
 * data (any data when NULL) — a reverse walk of a head-inserted list — is `DEL`eted and its
 * action run now. WARN when none.
 */
export function drmm_release_action<D>(drm: DrmDevice, action: DrmresRelease<D>, data: D): void {
  const k = drm.kernel;
  k.requireVersion(k.features.drmmReleaseAction, "drmm_release_action", "6.9");
  let found: Drmres | undefined;
  for (let i = drm.managed.length - 1; i >= 0; i--) {
    const d = drm.managed[i] as Drmres;
    if (
      d.release === (action as DrmresRelease<never>) &&
      (data === null || data === undefined || d.data === data)
    ) {
      found = d;
      break;
    }
  }
  if (found === undefined) {
    k.warn("drivers/gpu/drm/drm_managed.c", "drmm_release_action");
    return;
  }
  del_dr(drm, found, "drmm_release_action");
  const dataArg = found.size !== 0 ? found.data : null;
  k.call(k.fnName(action), () => action(drm, dataArg as D));
  k.slab.kfree(found.obj, "drmm_release_action+0x7e/0xc0");
}

/**
 * drm_managed_release(): `drmres release begin`, then every entry newest first: `REL` line,
 * release(dev, data or NULL), free; then `drmres release end` — printed after
 * drm_dev_init_release cleared drm->dev, so without the device prefix. `endFunc` is the
 * function the end line names (`devm_drm_dev_init_release` or `drm_dev_put` in the captures).
 */
export function drm_managed_release(drm: DrmDevice, endFunc: string): void {
  const k = drm.kernel;
  drm_dbg_drmres(drm, "drm_managed_release", { phase: "begin" });
  while (drm.managed.length > 0) {
    const dr = drm.managed[0] as Drmres;
    drm_dbg_drmres(drm, "drm_managed_release", { op: "REL", node: dr });
    if (dr.release !== null) {
      const rel = dr.release;
      k.call(k.fnName(rel), () => rel(drm, (dr.size !== 0 ? dr.data : null) as never));
    }
    const i = drm.managed.indexOf(dr);
    if (i >= 0) drm.managed.splice(i, 1);
    k.slab.kfree(dr.obj, "drm_managed_release+0xa8/0x120");
  }
  drm_dbg_drmres(drm, endFunc, { phase: "end" });
}
