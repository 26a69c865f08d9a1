import type { Kernel } from "../kernel/kernel.js";
import type { Device } from "../base/device.js";
import { EBUSY, EINVAL, ENOENT, ENOMEM } from "../kernel/errno.js";
import { ERR_PTR, IS_ERR, PTR_ERR, type ErrPtr } from "../kernel/err-ptr.js";
import { GFP_KERNEL } from "../kernel/gfp.js";
import {
  devres_add,
  devres_alloc,
  devres_find,
  devres_free,
  devres_release,
} from "../devres/devres.js";
import {
  devm_add_action_or_reset,
  devm_is_action_added,
  devm_release_action,
} from "../devres/devres-action.js";
import { named } from "../kernel/kernel-name.js";

export const GPIOD_FLAGS_BIT_NONEXCLUSIVE = 1 << 4;
export const GPIOD_ASIS = 0;
export const GPIOD_IN = 1;
export const GPIOD_OUT_LOW = 3;
export const GPIOD_OUT_HIGH = 7;

/** struct gpio_desc: one line, requested or not. */
export class GpioDesc {
  requested = false;
  label: string | null = null;
  value = 0;
  /** Consumers sharing a non-exclusive request. */
  shares = 0;
  /** v6.16+ action data per consumer device (the `data` devm_is_action_added matches on). */
  readonly actionData = new Map<Device, { desc: GpioDesc; dev: Device }>();
  constructor(readonly gpio: number) {}
}

/** GPIO lines and the consumer lookup table (gpiod_lookup_table) of one kernel. */
export class GpioRegistry {
  private readonly lines = new Map<number, GpioDesc>();
  private readonly lookups: { dev_id: string; con_id: string | null; idx: number; gpio: number }[] =
    [];
  constructor(private readonly k: Kernel) {}

  desc(gpio: number): GpioDesc {
    let d = this.lines.get(gpio);
    if (d === undefined) {
      d = new GpioDesc(gpio);
      this.lines.set(gpio, d);
    }
    return d;
  }

  /** gpiod_add_lookup_table entry: (device, con_id, index) → global line number. */
  addLookup(dev_id: string, con_id: string | null, idx: number, gpio: number): void {
    this.lookups.push({ dev_id, con_id, idx, gpio });
  }

  find(dev: Device, con_id: string | null, idx: number): number | null {
    const l = this.lookups.find(
      (e) => e.dev_id === dev.name && e.con_id === con_id && e.idx === idx,
    );
    return l === undefined ? null : l.gpio;
  }

  /** gpio_request(gpio, label): -EBUSY when already requested. */
  request(gpio: number, label: string): number {
    const d = this.desc(gpio);
    if (d.requested) return -EBUSY;
    d.requested = true;
    d.label = label;
    return 0;
  }

  free(gpio: number): void {
    const d = this.desc(gpio);
    if (!d.requested) {
      this.k.warn(
        "drivers/gpio/gpiolib.c",
        "gpiod_free",
        `gpio ${gpio}: freeing a line that is not requested`,
      );
      return;
    }
    d.requested = false;
    d.label = null;
  }
}

/** gpiod_get_index(dev, con_id, idx, flags): ERR_PTR(-ENOENT) without a mapping, -EBUSY if taken. */
export function gpiod_get_index(
  dev: Device,
  con_id: string | null,
  idx: number,
  flags: number,
): GpioDesc | ErrPtr {
  const k = dev.kernel;
  const gpio = k.gpio.find(dev, con_id, idx);
  if (gpio === null) return ERR_PTR(-ENOENT);
  const d = k.gpio.desc(gpio);
  if (d.requested) {
    if ((flags & GPIOD_FLAGS_BIT_NONEXCLUSIVE) !== 0) {
      d.shares++;
      return d;
    }
    return ERR_PTR(-EBUSY);
  }
  k.gpio.request(gpio, con_id ?? dev.name);
  if ((flags & 2) !== 0) d.value = (flags & 4) !== 0 ? 1 : 0;
  return d;
}

export function gpiod_put(dev: Device, desc: GpioDesc): void {
  if (desc.shares > 0) {
    desc.shares--;
    return;
  }
  dev.kernel.gpio.free(desc.gpio);
}

interface GpiodDevres {
  desc: GpioDesc;
  dev: Device;
}

/** devm_gpiod_release() (6.1: a devres of one pointer, 8 bytes). */
export function devm_gpiod_release(_dev: Device, res: GpiodDevres): void {
  gpiod_put(res.dev, res.desc);
}
named(devm_gpiod_release, "devm_gpiod_release");

function devm_gpiod_match(_dev: Device, res: GpiodDevres, data: unknown): boolean {
  return res.desc === data;
}

/** v6.16+: the release is an action (devm_add_action_or_reset(devm_gpiod_release_action, desc)). */
function devm_gpiod_release_action(res: GpiodDevres): void {
  gpiod_put(res.dev, res.desc);
}
named(devm_gpiod_release_action, "devm_gpiod_release_action");

/**
 * devm_gpiod_get_index(dev, con_id, idx, flags): get first; non-exclusive descriptors already
 * managed by this device are not added twice; then a `devm_gpiod_release` node (6.1) or
 * action (v6.16+).
 */
export function devm_gpiod_get_index(
  dev: Device,
  con_id: string | null,
  idx: number,
  flags: number,
): GpioDesc | ErrPtr {
  const k = dev.kernel;
  const desc = gpiod_get_index(dev, con_id, idx, flags);
  if (IS_ERR(desc)) return desc;
  if (k.features.devmIsActionAdded) {
    let data = desc.actionData.get(dev);
    if (data === undefined) {
      data = { desc, dev };
      desc.actionData.set(dev, data);
    }
    if (
      (flags & GPIOD_FLAGS_BIT_NONEXCLUSIVE) !== 0 &&
      devm_is_action_added(dev, devm_gpiod_release_action, data)
    )
      return desc;
    const ret = devm_add_action_or_reset(dev, devm_gpiod_release_action, data);
    return ret !== 0 ? ERR_PTR(ret) : desc;
  }
  if (
    (flags & GPIOD_FLAGS_BIT_NONEXCLUSIVE) !== 0 &&
    devres_find(dev, devm_gpiod_release, devm_gpiod_match, desc) !== null
  )
    return desc;
  const dr = devres_alloc(
    dev,
    devm_gpiod_release,
    8,
    GFP_KERNEL,
    { desc, dev } as GpiodDevres,
    "devm_gpiod_get_index+0x9b/0x110",
  );
  if (dr === null) {
    gpiod_put(dev, desc);
    return ERR_PTR(-ENOMEM);
  }
  devres_add(dev, dr);
  return desc;
}

export function devm_gpiod_get(
  dev: Device,
  con_id: string | null,
  flags: number,
): GpioDesc | ErrPtr {
  return devm_gpiod_get_index(dev, con_id, 0, flags);
}

/** devm_gpiod_get_optional(): NULL when the function has no GPIO assigned. */
export function devm_gpiod_get_optional(
  dev: Device,
  con_id: string | null,
  flags: number,
): GpioDesc | ErrPtr | null {
  const d = devm_gpiod_get_index(dev, con_id, 0, flags);
  return IS_ERR(d) && PTR_ERR(d) === -ENOENT ? null : d;
}

/** devm_gpiod_put(dev, desc): release now (REM); WARN when not managed. */
export function devm_gpiod_put(dev: Device, desc: GpioDesc): void {
  const k = dev.kernel;
  if (k.features.devmIsActionAdded) {
    const data = desc.actionData.get(dev);
    if (data === undefined) {
      k.warn("drivers/gpio/gpiolib-devres.c", "devm_gpiod_put");
      return;
    }
    devm_release_action(dev, devm_gpiod_release_action, data);
    return;
  }
  if (devres_release(dev, devm_gpiod_release, devm_gpiod_match, desc) !== 0)
    k.warn("drivers/gpio/gpiolib-devres.c", "devm_gpiod_put");
}

interface GpioDevres {
  gpio: number;
}

export function devm_gpio_release(dev: Device, res: GpioDevres): void {
  dev.kernel.gpio.free(res.gpio);
}
named(devm_gpio_release, "devm_gpio_release");

/** devm_gpio_request(dev, gpio, label) (legacy integer GPIOs): node `devm_gpio_release` (4 bytes). */
export function devm_gpio_request(dev: Device, gpio: number, label: string): number {
  const k = dev.kernel;
  if (gpio < 0) return -EINVAL;
  const dr = devres_alloc(
    dev,
    devm_gpio_release,
    4,
    GFP_KERNEL,
    { gpio } as GpioDevres,
    "devm_gpio_request+0x3c/0xa0",
  );
  if (dr === null) return -ENOMEM;
  const rc = k.gpio.request(gpio, label);
  if (rc !== 0) {
    devres_free(dev, dr, "devm_gpio_request+0x8e/0xa0");
    return rc;
  }
  devres_add(dev, dr);
  return 0;
}
