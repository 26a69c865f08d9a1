import type { Kernel } from "../kernel/kernel.js";
import type { Device } from "../base/device.js";
import { ENOENT, ENOMEM } from "../kernel/errno.js";
import { ERR_PTR, IS_ERR, PTR_ERR, type ErrPtr } from "../kernel/err-ptr.js";
import { GFP_KERNEL } from "../kernel/gfp.js";
import { versionAtLeast } from "../kernel/kernel-version.js";
import { devres_add, devres_alloc, devres_free, devres_release } from "../devres/devres.js";
import { named } from "../kernel/kernel-name.js";

/** A clock as providers register it and consumers get it (struct clk, reduced). */
export class Clk {
  prepare_count = 0;
  enable_count = 0;
  /** Consumers holding it (clk_get minus clk_put). */
  users = 0;
  constructor(
    readonly name: string,
    public rate: number,
  ) {}
}

/** Clock providers and the clkdev lookup table of one kernel (drivers/clk/clkdev.c). */
export class ClkRegistry {
  private readonly lookups: { dev_id: string | null; con_id: string | null; clk: Clk }[] = [];
  constructor(private readonly k: Kernel) {}

  /** clk_register + clkdev_create(clk, con_id, dev_id). */
  register(name: string, rate: number, dev_id: string | null, con_id: string | null): Clk {
    const clk = new Clk(name, rate);
    this.lookups.push({ dev_id, con_id, clk });
    return clk;
  }

  /** clk_get(dev, id): best match of (dev_name, con_id); -ENOENT when none. */
  get(dev: Device | null, id: string | null): Clk | ErrPtr {
    const devName = dev?.name ?? null;
    let best: Clk | null = null;
    let bestScore = -1;
    for (const l of this.lookups) {
      let score = 0;
      if (l.dev_id !== null) {
        if (l.dev_id !== devName) continue;
        score += 2;
      }
      if (l.con_id !== null) {
        if (l.con_id !== id) continue;
        score += 1;
      }
      if (score > bestScore) {
        best = l.clk;
        bestScore = score;
      }
    }
    if (best === null) return ERR_PTR(-ENOENT);
    best.users++;
    return best;
  }
}

export function clk_put(clk: Clk): void {
  clk.users--;
}
export function clk_prepare_enable(clk: Clk): number {
  clk.prepare_count++;
  clk.enable_count++;
  return 0;
}
export function clk_disable_unprepare(clk: Clk): void {
  if (clk.enable_count > 0) clk.enable_count--;
  if (clk.prepare_count > 0) clk.prepare_count--;
}

/** struct devm_clk_state {clk, exit} (16 bytes). */
interface DevmClkState {
  clk: Clk | null;
  exit: ((clk: Clk) => void) | null;
}

/** devm_clk_release(): optional exit (disable+unprepare), then clk_put. */
export function devm_clk_release(_dev: Device, res: DevmClkState): void {
  if (res.clk === null) return;
  if (res.exit !== null) res.exit(res.clk);
  clk_put(res.clk);
}
named(devm_clk_release, "devm_clk_release");

function devm_clk_match(_dev: Device, res: DevmClkState, data: unknown): boolean {
  return res.clk === data;
}

/** __devm_clk_get(): state node first, get, optional init; the node is freed on any error. */
function __devm_clk_get(
  dev: Device,
  id: string | null,
  init: ((c: Clk) => number) | null,
  exit: ((c: Clk) => void) | null,
  optional: boolean,
): Clk | ErrPtr | null {
  const k = dev.kernel;
  const state = devres_alloc(
    dev,
    devm_clk_release,
    16,
    GFP_KERNEL,
    { clk: null, exit: null } as DevmClkState,
    "__devm_clk_get+0x3e/0xd0",
  );
  if (state === null) return ERR_PTR(-ENOMEM);
  const clk = k.clk.get(dev, id);
  if (IS_ERR(clk)) {
    devres_free(dev, state, "__devm_clk_get+0xb2/0xd0");
    return optional && PTR_ERR(clk) === -ENOENT ? null : clk;
  }
  if (init !== null) {
    const ret = init(clk);
    if (ret !== 0) {
      clk_put(clk);
      devres_free(dev, state, "__devm_clk_get+0xb2/0xd0");
      return ERR_PTR(ret);
    }
  }
  state.clk = clk;
  state.exit = exit;
  devres_add(dev, state);
  return clk;
}

/** devm_clk_get(dev, id): node `devm_clk_release` (16 bytes). */
export function devm_clk_get(dev: Device, id: string | null): Clk | ErrPtr {
  return __devm_clk_get(dev, id, null, null, false) as Clk | ErrPtr;
}

/** devm_clk_get_optional(): NULL instead of -ENOENT. */
export function devm_clk_get_optional(dev: Device, id: string | null): Clk | ErrPtr | null {
  return __devm_clk_get(dev, id, null, null, true);
}

/** devm_clk_get_enabled() (v6.3+): prepared and enabled; disabled and unprepared at detach. */
export function devm_clk_get_enabled(dev: Device, id: string | null): Clk | ErrPtr {
  dev.kernel.requireVersion(
    versionAtLeast(dev.kernel.version, 6, 3),
    "devm_clk_get_enabled",
    "6.3",
  );
  return __devm_clk_get(dev, id, clk_prepare_enable, clk_disable_unprepare, false) as Clk | ErrPtr;
}

/** devm_clk_put(dev, clk): devres_release (REM); WARN when not managed. */
export function devm_clk_put(dev: Device, clk: Clk): void {
  if (devres_release(dev, devm_clk_release, devm_clk_match, clk) !== 0)
    dev.kernel.warn("drivers/clk/clk-devres.c", "devm_clk_put");
}
