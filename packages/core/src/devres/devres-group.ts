import type { Device } from "../base/device.js";
import type { Gfp } from "../kernel/gfp.js";
import { DEVRES_GROUP_BYTES, DevresGroup, type DevresNode } from "./devres-node.js";
import { add_dr, devres_log, release_nodes, remove_nodes } from "./devres.js";

/** Identification-only release functions of the two group markers (drivers/base/devres.c). */
function group_open_release(): void {
  /* noop */
}
function group_close_release(): void {
  /* noop */
}

const SITE_OPEN_GROUP = "devres_open_group+0x41/0x100";

/**
 * devres_open_group(dev, id, gfp): allocate a group, append its open marker (`ADD grp<`).
 * Returns the id (`id`, or the group itself for NULL), or null when allocation fails.
 */
export function devres_open_group(dev: Device, id: unknown, gfp: Gfp): unknown {
  const k = dev.kernel;
  // kmalloc(sizeof(*grp)): 96 bytes, not rounded, no __GFP_ZERO (bytes_req=96 gfp=GFP_KERNEL in 6.1).
  const obj = k.slab.kmalloc(DEVRES_GROUP_BYTES, gfp, SITE_OPEN_GROUP);
  if (obj === null) return null;
  const grp = new DevresGroup(
    group_open_release,
    group_close_release,
    obj,
    id === null || id === undefined ? null : id,
  );
  obj.owner = grp;
  add_dr(dev, grp.open);
  return grp.id;
}

/**
 * find_group(): newest → oldest over open markers; a non-NULL id matches the latest group with
 * that id (open or closed), NULL matches the latest *open* group.
 */
export function find_group(dev: Device, id: unknown): DevresGroup | null {
  const head = dev.devres_head;
  for (let node: DevresNode = head.prev; node !== head; node = node.prev) {
    const grp = node.group;
    if (grp === null || node !== grp.open) continue;
    if (id !== null && id !== undefined) {
      if (grp.id === id) return grp;
    } else if (grp.isOpen) return grp;
  }
  return null;
}

/** devres_close_group(dev, id): append the close marker (`ADD grp>`); WARN when not found. */
export function devres_close_group(dev: Device, id: unknown): void {
  const grp = find_group(dev, id);
  if (grp !== null) add_dr(dev, grp.close);
  else dev.kernel.warn("drivers/base/devres.c", "devres_close_group");
}

/**
 * devres_remove_group(dev, id): unlink both markers (`REM grp<`) and free the group; the
 * resources stay, now part of whatever encloses them. WARN when not found.
 */
export function devres_remove_group(dev: Device, id: unknown): void {
  const k = dev.kernel;
  const grp = find_group(dev, id);
  if (grp === null) {
    k.warn("drivers/base/devres.c", "devres_remove_group");
    k.slab.kfree(null, k.caller("devres_remove_group"));
    return;
  }
  grp.open.unlink();
  if (grp.close.linked) grp.close.unlink();
  devres_log(dev, grp.open, "REM");
  // kfree(grp) is a tail call: the caller's address is what kmem:kfree shows.
  k.slab.kfree(grp.open.obj, k.caller("devres_remove_group"));
}

/**
 * devres_release_group(dev, id): release the group's range — open marker to close marker, or
 * to the end of the list for an open group — with properly nested groups. Returns the number
 * of plain resources released. Not found: WARN and 0 (v6.15+: silently 0 on an empty list).
 */
export function devres_release_group(dev: Device, id: unknown): number {
  const k = dev.kernel;
  const grp = find_group(dev, id);
  if (grp === null) {
    const empty = dev.devres_head.next === dev.devres_head;
    if (!(empty && k.features.releaseGroupEmptySilent))
      k.warn("drivers/base/devres.c", "devres_release_group");
    return 0;
  }
  const first = grp.open;
  const end = grp.close.linked ? grp.close.next : dev.devres_head;
  const todo: DevresNode[] = [];
  const cnt = remove_nodes(dev, first, end, todo);
  release_nodes(dev, todo);
  return cnt;
}
