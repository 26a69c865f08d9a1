import type { Device } from "../base/device.js";
import { EINVAL } from "../kernel/errno.js";
import { ERR_PTR, type ErrPtr } from "../kernel/err-ptr.js";
import { GFP_KERNEL, __GFP_ZERO } from "../kernel/gfp.js";
import { KMem } from "../mm/kmem.js";
import { devm_add_action_or_reset } from "../devres/devres-action.js";
import {
  drm_managed_release,
  drmm_add_action,
  drmm_add_action_or_reset,
  drmm_kfree,
  drmm_kstrdup,
  drmm_kzalloc,
  type Drmres,
} from "./drm-managed.js";
import { named } from "../kernel/kernel-name.js";

export const DRIVER_GEM = 1 << 0;
export const DRIVER_MODESET = 1 << 1;
export const DRIVER_RENDER = 1 << 3;
export const DRIVER_ATOMIC = 1 << 4;

/** struct drm_driver (the parts the core reads). */
export interface DrmDriver {
  readonly name: string;
  readonly desc: string;
  readonly date: string;
  readonly major: number;
  readonly minor: number;
  readonly patchlevel: number;
  readonly driver_features: number;
  /** drm_driver::release, called before the managed resources at the last put. */
  release?: (drm: DrmDevice) => void;
}

/** sizeof(struct drm_minor) and of the GEM vma offset manager on 6.1 x86-64, bytes (captures). */
const DRM_MINOR_BYTES = 80;
const DRM_VMA_OFFSET_MANAGER_BYTES = 248;

/**
 * struct drm_device: reference count, parent device, its own managed-resource list
 * (independent of the parent's devres list), registration and unplug state.
 */
export class DrmDevice {
  /** kref */
  ref = 1;
  /** drm->dev: the parent, until drm_dev_init_release clears it. */
  dev: Device | null;
  /** drm->managed.resources, head first (newest first). */
  readonly managed: Drmres[] = [];
  /** drm->managed.final_kfree: the container, freed after the managed release. */
  final_kfree: KMem<unknown> | null = null;
  registered = false;
  unplugged = false;
  /** The last reference was dropped and everything released. */
  released = false;
  /** Open SRCU read sections (drm_dev_enter without drm_dev_exit). */
  srcuReaders = 0;
  unique: KMem<string> | null = null;
  primaryIndex = -1;
  renderIndex = -1;

  constructor(
    readonly parent: Device,
    readonly driver: DrmDriver,
  ) {
    this.dev = parent;
  }

  get kernel(): Device["kernel"] {
    return this.parent.kernel;
  }
}

/** A DRM device allocated with devm_drm_dev_alloc: the driver's struct (`container.data`) and its drm_device. */
export interface DrmContainer<T> {
  drm: DrmDevice;
  container: KMem<T>;
}

function drm_dev_init_release(drm: DrmDevice, _res: unknown): void {
  const parent = drm.dev;
  drm.dev = null;
  if (parent !== null) parent.kernel.core.put_device(parent);
}
named(drm_dev_init_release, "drm_dev_init_release");

function drm_minor_alloc_release(drm: DrmDevice, minor: { index: number } | null): void {
  if (minor !== null) drm.kernel.drm.minors.delete(minor.index);
}
named(drm_minor_alloc_release, "drm_minor_alloc_release");

function drm_gem_init_release(_drm: DrmDevice, _res: unknown): void {
  /* drm_vma_offset_manager_destroy: nothing of its own */
}
named(drm_gem_init_release, "drm_gem_init_release");

/** drm_minor_alloc(): drmm_kzalloc(80) + the drm_minor_alloc_release action (8 bytes). */
function drm_minor_alloc(drm: DrmDevice, render: boolean): number {
  const k = drm.kernel;
  const base = render ? 128 : 0;
  let index = base;
  while (k.drm.minors.has(index)) index++;
  const mem = drmm_kzalloc(drm, DRM_MINOR_BYTES, GFP_KERNEL, { index });
  if (mem === null) return -12;
  k.drm.minors.add(index);
  if (render) drm.renderIndex = index;
  else drm.primaryIndex = index;
  return drmm_add_action_or_reset(drm, drm_minor_alloc_release, mem.data);
}

/**
 * drm_dev_init(drm, driver, parent) (drivers/gpu/drm/drm_drv.c, 6.1 order): reference on the
 * parent; first managed action `drm_dev_init_release` (released last); render minor if
 * DRIVER_RENDER; primary minor; GEM (drmm_kzalloc 248 + drm_gem_init_release); the unique
 * name (drmm_kstrdup of the parent's name). On error the managed list is released.
 */
export function drm_dev_init(drm: DrmDevice, parent: Device | null): number {
  if (parent === null) {
    drm.parent.kernel.warn("drivers/gpu/drm/drm_drv.c", "drm_dev_init");
    return -EINVAL;
  }
  const k = parent.kernel;
  return k.call("drm_dev_init", () => {
    k.core.get_device(parent);
    let ret = drmm_add_action_or_reset(drm, drm_dev_init_release, null);
    if (ret !== 0) return ret;
    const fail = (r: number): number => {
      drm_managed_release(drm, "drm_dev_init");
      return r;
    };
    if ((drm.driver.driver_features & DRIVER_RENDER) !== 0) {
      ret = drm_minor_alloc(drm, true);
      if (ret !== 0) return fail(ret);
    }
    ret = drm_minor_alloc(drm, false);
    if (ret !== 0) return fail(ret);
    if ((drm.driver.driver_features & DRIVER_GEM) !== 0) {
      const mgr = drmm_kzalloc(drm, DRM_VMA_OFFSET_MANAGER_BYTES, GFP_KERNEL);
      if (mgr === null) return fail(-12);
      ret = drmm_add_action(drm, drm_gem_init_release, null);
      if (ret !== 0) return fail(ret);
    }
    // drm_dev_set_unique(): drmm_kfree(old) then drmm_kstrdup(dev_name(parent)).
    drmm_kfree(drm, drm.unique);
    drm.unique = drmm_kstrdup(drm, parent.name, GFP_KERNEL);
    if (drm.unique === null) return fail(-12);
    return 0;
  });
}

/** devm_drm_dev_init_release(): the parent's devres drops the initial drm_device reference. */
function devm_drm_dev_init_release(drm: DrmDevice): void {
  __drm_dev_put(drm, "devm_drm_dev_init_release");
}
named(devm_drm_dev_init_release, "devm_drm_dev_init_release");

/**
 * devm_drm_dev_alloc(parent, driver, size) → __devm_drm_dev_alloc: kzalloc the driver's
 * container, drm_dev_init, then devm_add_action_or_reset(parent, devm_drm_dev_init_release)
 * — logged as `devm_action_release (16 bytes)` before v6.4 (the cirrus capture) — and
 * drmm_add_final_kfree(container). The parent's devres thus holds the initial reference.
 */
export function devm_drm_dev_alloc<T>(
  parent: Device,
  driver: DrmDriver,
  size: number,
  data?: T,
): DrmContainer<T> | ErrPtr {
  const k = parent.kernel;
  return k.call("__devm_drm_dev_alloc", () => {
    const obj = k.slab.kmalloc(size, GFP_KERNEL | __GFP_ZERO, "__devm_drm_dev_alloc+0x2d/0xa0");
    if (obj === null) return ERR_PTR(-12);
    const container = new KMem(k, obj, 0, size, data as T);
    const drm = new DrmDevice(parent, driver);
    let ret = drm_dev_init(drm, parent);
    if (ret !== 0) {
      k.slab.kfree(obj, "__devm_drm_dev_alloc+0x8a/0xa0");
      return ERR_PTR(ret);
    }
    ret = devm_add_action_or_reset(parent, devm_drm_dev_init_release, drm);
    if (ret !== 0) return ERR_PTR(ret);
    drm.final_kfree = container;
    return { drm, container };
  });
}

/** drm_dev_get() */
export function drm_dev_get(drm: DrmDevice): void {
  if (drm.ref <= 0)
    drm.kernel.warn(
      "lib/refcount.c",
      "refcount_warn_saturate",
      "refcount_t: addition on 0; use-after-free.",
    );
  drm.ref++;
}

function __drm_dev_put(drm: DrmDevice, endFunc: string): void {
  // kref_put → refcount_dec_and_test on drm->ref (offset 4 of struct drm_device, which drivers
  // embed at offset 0 of their container): after the release freed the container, KASAN
  // reports the atomic write as a use-after-free (the bochs B2 report, 5247a8b313cc).
  if (drm.released && drm.final_kfree !== null)
    drm.final_kfree.write(4, 4, "drm_dev_put+0x1f/0x60 [drm]");
  if (drm.ref <= 0) {
    drm.kernel.warn(
      "lib/refcount.c",
      "refcount_warn_saturate",
      "refcount_t: underflow; use-after-free.",
    );
    return;
  }
  if (--drm.ref === 0) drm_dev_release(drm, endFunc);
}

/** drm_dev_put(): the last reference runs drm_dev_release. */
export function drm_dev_put(drm: DrmDevice): void {
  __drm_dev_put(drm, "drm_dev_put");
}

/**
 * drm_dev_release(): driver->release, drm_managed_release (all drmm entries, LIFO), then
 * kfree(managed.final_kfree) — the container the driver embedded the drm_device in.
 */
function drm_dev_release(drm: DrmDevice, endFunc: string): void {
  const k = drm.kernel;
  k.call("drm_dev_release", () => {
    if (drm.driver.release !== undefined) {
      const rel = drm.driver.release;
      k.call(k.fnName(rel, "release"), () => rel(drm));
    }
    drm_managed_release(drm, endFunc);
    if (drm.final_kfree !== null) k.slab.kfree(drm.final_kfree.obj, "drm_dev_release+0x4e/0x70");
    drm.released = true;
  });
}

/**
 * drm_dev_register(): WARN if the device was not allocated by a managed helper; registered;
 * `[drm] Initialized <name> <maj>.<min>.<patch> <date> for <parent> on minor <n>`.
 */
export function drm_dev_register(drm: DrmDevice, _flags = 0): number {
  const k = drm.kernel;
  if (drm.final_kfree === null) k.warn("drivers/gpu/drm/drm_drv.c", "drm_dev_register");
  drm.registered = true;
  const d = drm.driver;
  k.printk(
    6,
    `[drm] Initialized ${d.name} ${d.major}.${d.minor}.${d.patchlevel} ${d.date} for ${drm.dev?.name ?? "virtual device"} on minor ${drm.primaryIndex}`,
  );
  return 0;
}

/** drm_dev_unregister(): no longer registered; the reference stays. */
export function drm_dev_unregister(drm: DrmDevice): void {
  drm.registered = false;
}

/**
 * drm_dev_unplug(): mark unplugged, wait for every drm_dev_enter section (synchronize_srcu —
 * called from inside one it would never return: WARN), unregister.
 */
export function drm_dev_unplug(drm: DrmDevice): void {
  drm.unplugged = true;
  if (drm.srcuReaders > 0)
    drm.kernel.warn(
      "kernel/rcu/srcutree.c",
      "synchronize_srcu",
      `synchronize_srcu() with ${drm.srcuReaders} drm_dev_enter section(s) open would deadlock`,
    );
  drm_dev_unregister(drm);
}

/** drm_dev_enter(): a read-section index, or null once the device is unplugged. */
export function drm_dev_enter(drm: DrmDevice): number | null {
  if (drm.unplugged) return null;
  drm.srcuReaders++;
  return drm.srcuReaders;
}

/** drm_dev_exit(idx) */
export function drm_dev_exit(drm: DrmDevice, _idx: number): void {
  if (drm.srcuReaders <= 0) {
    drm.kernel.warn("kernel/rcu/srcutree.c", "__srcu_read_unlock", "srcu read unlock without lock");
    return;
  }
  drm.srcuReaders--;
}

/** drm_dev_is_unplugged() */
export function drm_dev_is_unplugged(drm: DrmDevice): boolean {
  return drm.unplugged;
}

/** An open file on a DRM node (userspace fd): holds a drm_device reference. */
export interface DrmFile {
  drm: DrmDevice;
  closed: boolean;
}

/** drm_open(): a file reference (drm_dev_get). */
export function drm_open(drm: DrmDevice): DrmFile {
  drm_dev_get(drm);
  return { drm, closed: false };
}

/** drm_release(): closing the file drops its reference — possibly the last one. */
export function drm_release(file: DrmFile): void {
  if (file.closed) return;
  file.closed = true;
  drm_dev_put(file.drm);
}
