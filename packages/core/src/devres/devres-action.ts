import type { Device } from "../base/device.js";
import { ENOMEM } from "../kernel/errno.js";
import { GFP_KERNEL } from "../kernel/gfp.js";
import {
  __devres_alloc_node,
  devres_add,
  devres_destroy,
  devres_find,
  devres_release,
} from "./devres.js";
import { named } from "../kernel/kernel-name.js";

/** A devm action: `void (*action)(void *)` with its data pointer. */
export type DevmAction<D> = (data: D) => void;

/** drivers/base/devres.c :: struct action_devres {data, action} (16 bytes on 64-bit). */
interface ActionDevres {
  data: unknown;
  action: DevmAction<never>;
}
const ACTION_DEVRES_BYTES = 16;

/** devm_action_release(): run the action with its data. */
export function devm_action_release(_dev: Device, res: ActionDevres): void {
  res.action(res.data as never);
}
named(devm_action_release, "devm_action_release");

/** devm_action_match(): same action and same data pointer. */
function devm_action_match(_dev: Device, res: ActionDevres, p: unknown): boolean {
  const target = p as ActionDevres;
  return res.action === target.action && res.data === target.data;
}

/**
 * __devm_add_action(dev, action, data, name): append an action node. Before v6.4 every action
 * was logged as `devm_action_release`; since v6.4 the macro passes `#action`.
 * Returns 0 or -ENOMEM.
 */
export function __devm_add_action<D>(
  dev: Device,
  action: DevmAction<D>,
  data: D,
  name: string,
): number {
  const k = dev.kernel;
  const logged = k.features.devresActionNames ? name : "devm_action_release";
  const res: ActionDevres = { data, action: action as DevmAction<never> };
  const dr = __devres_alloc_node(
    dev,
    devm_action_release,
    ACTION_DEVRES_BYTES,
    GFP_KERNEL,
    logged,
    res,
    k.caller("devm_add_action"),
  );
  if (dr === null) return -ENOMEM;
  devres_add(dev, dr);
  return 0;
}

/** devm_add_action(dev, action, data): the name is the action's function name (`#action`). */
export function devm_add_action<D>(dev: Device, action: DevmAction<D>, data: D): number {
  return __devm_add_action(dev, action, data, dev.kernel.fnName(action));
}

/**
 * devm_add_action_or_reset(dev, action, data): like devm_add_action, but when adding fails the
 * action runs right away and the error is returned.
 */
export function devm_add_action_or_reset<D>(dev: Device, action: DevmAction<D>, data: D): number {
  const ret = devm_add_action(dev, action, data);
  if (ret !== 0) dev.kernel.call(dev.kernel.fnName(action), () => action(data));
  return ret;
}

/**
 * devm_remove_action_nowarn(dev, action, data): destroy the newest matching action without
 * running it. 0 or -ENOENT.
 */
export function devm_remove_action_nowarn<D>(dev: Device, action: DevmAction<D>, data: D): number {
  dev.kernel.requireVersion(
    dev.kernel.features.devmRemoveActionNowarn,
    "devm_remove_action_nowarn",
    "6.14",
  );
  return remove_action(dev, action, data);
}

/** The shared body of devm_remove_action and devm_remove_action_nowarn. */
function remove_action<D>(dev: Device, action: DevmAction<D>, data: D): number {
  const target: ActionDevres = { data, action: action as DevmAction<never> };
  return devres_destroy(
    dev,
    devm_action_release,
    devm_action_match,
    target,
    dev.kernel.caller("devm_remove_action"),
  );
}

/** devm_remove_action(dev, action, data): as _nowarn, WARN when no such action was added. */
export function devm_remove_action<D>(dev: Device, action: DevmAction<D>, data: D): void {
  if (remove_action(dev, action, data) !== 0)
    dev.kernel.warn("drivers/base/devres.c", "devm_remove_action");
}

/** devm_release_action(dev, action, data): remove the newest match and run it now (logs REM). WARN if none. */
export function devm_release_action<D>(dev: Device, action: DevmAction<D>, data: D): void {
  const target: ActionDevres = { data, action: action as DevmAction<never> };
  if (devres_release(dev, devm_action_release, devm_action_match, target) !== 0)
    dev.kernel.warn("drivers/base/devres.c", "devm_release_action");
}

/** devm_is_action_added(dev, action, data) (v6.16+). */
export function devm_is_action_added<D>(dev: Device, action: DevmAction<D>, data: D): boolean {
  dev.kernel.requireVersion(dev.kernel.features.devmIsActionAdded, "devm_is_action_added", "6.16");
  const target: ActionDevres = { data, action: action as DevmAction<never> };
  return devres_find(dev, devm_action_release, devm_action_match, target) !== null;
}
