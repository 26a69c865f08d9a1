import type { Kernel } from "../kernel/kernel.js";
import type { Device } from "../base/device.js";
import { dev_warn } from "../base/dev-printk.js";
import { EIO, ENODEV, ENOMEM } from "../kernel/errno.js";
import { ERR_PTR, IS_ERR, type ErrPtr } from "../kernel/err-ptr.js";
import { GFP_KERNEL } from "../kernel/gfp.js";
import { devres_add, devres_alloc, devres_free, devres_release } from "../devres/devres.js";
import { devm_add_action_or_reset } from "../devres/devres-action.js";
import { named } from "../kernel/kernel-name.js";

/** A regulator device (struct regulator_dev, reduced). */
export class RegulatorDev {
  use_count = 0;
  constructor(readonly name: string) {}
}

/** struct regulator: one consumer's handle. */
export class Regulator {
  enable_count = 0;
  put = false;
  constructor(
    readonly rdev: RegulatorDev,
    readonly dev: Device,
    readonly supply: string,
  ) {}
}

/** Supplies and their (device, supply name) mapping (regulator_map). */
export class RegulatorRegistry {
  private readonly supplies: { dev_id: string | null; supply: string; rdev: RegulatorDev }[] = [];
  readonly dummy = new RegulatorDev("regulator-dummy");
  constructor(private readonly k: Kernel) {}

  add(dev_id: string | null, supply: string, name: string): RegulatorDev {
    const rdev = new RegulatorDev(name);
    this.supplies.push({ dev_id, supply, rdev });
    return rdev;
  }

  lookup(dev: Device, supply: string): RegulatorDev | null {
    const hit = this.supplies.find(
      (s) => s.supply === supply && (s.dev_id === null || s.dev_id === dev.name),
    );
    return hit?.rdev ?? null;
  }
}

/** _regulator_get(dev, id, NORMAL/OPTIONAL): a missing supply gets the dummy (with a warning) unless optional. */
function _regulator_get(dev: Device, id: string, optional: boolean): Regulator | ErrPtr {
  const k = dev.kernel;
  let rdev = k.regulators.lookup(dev, id);
  if (rdev === null) {
    if (optional) return ERR_PTR(-ENODEV);
    dev_warn(dev, `supply ${id} not found, using dummy regulator`);
    rdev = k.regulators.dummy;
  }
  return new Regulator(rdev, dev, id);
}

export function regulator_put(r: Regulator): void {
  if (r.put) {
    r.dev.kernel.warn(
      "drivers/regulator/core.c",
      "regulator_put",
      `${r.supply}: regulator_put of a released regulator`,
    );
    return;
  }
  if (r.enable_count > 0)
    r.dev.kernel.warn(
      "drivers/regulator/core.c",
      "_regulator_put",
      `${r.supply}: put while still enabled`,
    );
  r.put = true;
}

export function regulator_enable(r: Regulator): number {
  if (r.put) return -EIO;
  r.enable_count++;
  r.rdev.use_count++;
  return 0;
}

export function regulator_disable(r: Regulator): number {
  if (r.enable_count <= 0) {
    r.dev.kernel.warn(
      "drivers/regulator/core.c",
      "_regulator_disable",
      `unbalanced disables for ${r.rdev.name}`,
    );
    return -EIO;
  }
  r.enable_count--;
  r.rdev.use_count--;
  return 0;
}

interface RegulatorDevres {
  r: Regulator | null;
}

/** devm_regulator_release(): regulator_put. */
export function devm_regulator_release(_dev: Device, res: RegulatorDevres): void {
  if (res.r !== null) regulator_put(res.r);
}
named(devm_regulator_release, "devm_regulator_release");

function devm_regulator_match(_dev: Device, res: RegulatorDevres, data: unknown): boolean {
  return res.r === data;
}

function _devm_regulator_get(dev: Device, id: string, optional: boolean): Regulator | ErrPtr {
  const ptr = devres_alloc(
    dev,
    devm_regulator_release,
    8,
    GFP_KERNEL,
    { r: null } as RegulatorDevres,
    "_devm_regulator_get+0x3b/0xa0",
  );
  if (ptr === null) return ERR_PTR(-ENOMEM);
  const r = _regulator_get(dev, id, optional);
  if (IS_ERR(r)) {
    devres_free(dev, ptr, "_devm_regulator_get+0x8b/0xa0");
    return r;
  }
  ptr.r = r;
  devres_add(dev, ptr);
  return r;
}

/** devm_regulator_get(dev, id): node `devm_regulator_release` (8 bytes). */
export function devm_regulator_get(dev: Device, id: string): Regulator | ErrPtr {
  return _devm_regulator_get(dev, id, false);
}

/** devm_regulator_get_optional(): -ENODEV instead of the dummy. */
export function devm_regulator_get_optional(dev: Device, id: string): Regulator | ErrPtr {
  return _devm_regulator_get(dev, id, true);
}

/** devm_regulator_put(r): devres_release (REM); WARN when not managed. */
export function devm_regulator_put(r: Regulator): void {
  if (devres_release(r.dev, devm_regulator_release, devm_regulator_match, r) !== 0)
    r.dev.kernel.warn("drivers/regulator/devres.c", "devm_regulator_put");
}

function regulator_action_disable(r: Regulator): void {
  regulator_disable(r);
}
named(regulator_action_disable, "regulator_action_disable");

/**
 * devm_regulator_get_enable(dev, id): managed get, enable, then the `regulator_action_disable`
 * action (so at detach the disable, newer, runs before the put).
 */
export function devm_regulator_get_enable(dev: Device, id: string): number {
  const r = devm_regulator_get(dev, id);
  if (IS_ERR(r)) return r.err;
  const ret = regulator_enable(r);
  if (ret !== 0) {
    devm_regulator_put(r);
    return ret;
  }
  const rc = devm_add_action_or_reset(dev, regulator_action_disable, r);
  if (rc !== 0) devm_regulator_put(r);
  return rc;
}
