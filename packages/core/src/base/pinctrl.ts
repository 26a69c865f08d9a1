import { EINVAL, ENOMEM, EPROBE_DEFER } from "../kernel/errno.js";
import { GFP_KERNEL } from "../kernel/gfp.js";
import { ERR_PTR, IS_ERR, PTR_ERR, type ErrPtr } from "../kernel/err-ptr.js";
import type { SlabObject } from "../mm/slab.js";
import { devres_add, devres_alloc, devres_free, devres_release } from "../devres/devres.js";
import { devm_kfree, devm_kzalloc } from "../devres/devm-memory.js";
import type { KMem } from "../mm/kmem.js";
import type { Device } from "./device.js";
import { named } from "../kernel/kernel-name.js";

/** struct pinctrl: a device's pin control handle (states come from the board's mappings). */
export interface Pinctrl {
  dev: Device;
  obj: SlabObject;
  states: string[];
}

interface PinctrlDevres {
  p: Pinctrl | null;
}

/** pinctrl_put() → pinctrl_free(): the handle's memory goes. */
function pinctrl_put(p: Pinctrl): void {
  p.dev.kernel.slab.kfree(p.obj, "pinctrl_free+0x15b/0x1b0");
}

export function devm_pinctrl_release(_dev: Device, res: PinctrlDevres): void {
  if (res.p !== null) pinctrl_put(res.p);
}
named(devm_pinctrl_release, "devm_pinctrl_release");

function devm_pinctrl_match(_dev: Device, res: PinctrlDevres, data: unknown): boolean {
  return res.p === data;
}

/**
 * devm_pinctrl_get(dev): node first (8 bytes, `devm_pinctrl_get+0x2e/0x80`), then
 * pinctrl_get() → create_pinctrl() (kzalloc 72). A device without mappings still gets a handle
 * with no states, as on the captured x86 machine.
 */
export function devm_pinctrl_get(dev: Device): Pinctrl | ErrPtr {
  const k = dev.kernel;
  const ptr = devres_alloc(
    dev,
    devm_pinctrl_release,
    8,
    GFP_KERNEL,
    { p: null } as PinctrlDevres,
    "devm_pinctrl_get+0x2e/0x80",
  );
  if (ptr === null) return ERR_PTR(-ENOMEM);
  const obj = k.slab.kzalloc(72, GFP_KERNEL, "create_pinctrl+0x2f/0x450");
  if (obj === null) {
    devres_free(dev, ptr, "devm_pinctrl_get+0x6a/0x80");
    return ERR_PTR(-ENOMEM);
  }
  const p: Pinctrl = { dev, obj, states: [] };
  ptr.p = p;
  devres_add(dev, ptr);
  return p;
}

/** devm_pinctrl_put(p): devres_release (REM) → pinctrl_put. */
export function devm_pinctrl_put(p: Pinctrl): void {
  const dev = p.dev;
  if (devres_release(dev, devm_pinctrl_release, devm_pinctrl_match, p) !== 0)
    dev.kernel.warn("drivers/pinctrl/core.c", "devm_pinctrl_put");
}

/**
 * drivers/base/pinctrl.c :: pinctrl_bind_pins, called by really_probe before the driver's
 * probe: devm_kzalloc(sizeof(struct dev_pin_info) = 40), devm_pinctrl_get(); with no "default"
 * state the handle is put (REM devm_pinctrl_release) and the info freed (REM
 * devm_kzalloc_release) — the ADD/ADD/REM/REM pair seen before every probe in the captures.
 */
export function pinctrl_bind_pins(dev: Device): number {
  const k = dev.kernel;
  if (!k.config.pinctrl || dev.of_node_reused) return 0;
  let pins: KMem<undefined> | null = null;
  k.at("pinctrl_bind_pins+0x31/0x280", () => {
    pins = devm_kzalloc(dev, 40, GFP_KERNEL);
  });
  if (pins === null) return -ENOMEM;
  const p = devm_pinctrl_get(dev);
  let ret = 0;
  if (IS_ERR(p)) {
    ret = PTR_ERR(p);
  } else if (!p.states.includes("default")) {
    // "no default pinctrl state": not an error (ret stays 0).
    devm_pinctrl_put(p);
  } else {
    return 0;
  }
  k.at("pinctrl_bind_pins+0xee/0x280", () => devm_kfree(dev, pins));
  // Deferrals and -EINVAL are returned; anything else (no pinctrl for the device) is ignored.
  return ret === -EPROBE_DEFER || ret === -EINVAL ? ret : 0;
}
