import type { DevresEvent, DevresOp } from "@devscope/tracer";
import type { Device } from "../base/device.js";
import { dev_driver_string } from "../base/device.js";
import { ENOENT } from "../kernel/errno.js";
import { sym } from "../kernel/symbols.js";
import { devm_action_release } from "./devres-action.js";
import { __GFP_ZERO, type Gfp } from "../kernel/gfp.js";
import { functionModule } from "../kernel/modules.js";
import { kmalloc_size_roundup } from "../mm/slab.js";
import {
  DEVRES_HEADER_BYTES,
  DevresNode,
  NODE,
  type DevresPayload,
  type ReleaseFn,
} from "./devres-node.js";

/** dr_match_t: decides whether a node of the right type is the one wanted. */
export type MatchFn<T = never> = (dev: Device, res: T, match_data: unknown) => boolean;

/** Call site the simulated kmalloc reports for devres nodes allocated by a helper. */
const SITE_DEVRES_RELEASE_FREE = "devres_release+0x39/0x60";
const SITE_RELEASE_NODES_FREE = "release_nodes+0x4b/0xb0";

/** The node behind a payload (container_of(res, struct devres, data)). */
export function nodeOf(res: object): DevresNode {
  const node = (res as DevresPayload)[NODE];
  if (node === undefined) throw new Error("devres: payload was not allocated by devres_alloc()");
  return node;
}

/**
 * drivers/base/devres.c :: devres_log — the dev:devres_log tracepoint
 * (`"%s %3s %p %s (%zu bytes)"`) and, with CONFIG_DEBUG_DEVRES + devres.log=1, the
 * `DEVRES <op> <node> <name> (<size> bytes)` dev_err line.
 */
export function devres_log(dev: Device, node: DevresNode, op: DevresOp): void {
  const k = dev.kernel;
  k.tick(200);
  if (k.tracing.devres) {
    const ev: Omit<DevresEvent, "ts" | "line"> = {
      kind: "devres",
      dev: dev.name,
      op,
      node: k.ptr(node.addr),
      name: node.name ?? "(null)",
      size: node.size,
    };
    if (node.name === null) ev.nameForm = "null";
    const nameFn = nameSource(node);
    const moduleName =
      nameFn === null || k.features.devresNameCopied ? undefined : functionModule(nameFn);
    let mod =
      moduleName === undefined
        ? undefined
        : (k.modules.get(moduleName) ?? k.modules.load(moduleName));
    if (mod !== undefined && node.name !== null) {
      ev.nameForm = "module";
      ev.nameAddr = mod.stringAddr(node.name);
    } else mod = undefined;
    // ADD/REM/REPLACE are logged under spin_lock_irqsave(&dev->devres_lock); REL after unlock.
    const emitted = k.emit(ev, op === "REL" ? "....." : "d..1.");
    if (mod !== undefined && nameFn !== null) k.noteModuleName(emitted, nameFn);
  }
  if (k.config.debugDevres) {
    k.printk(
      3,
      `${dev_driver_string(dev)} ${dev.name}: DEVRES ${op.padStart(3)} ${k.ptr(node.addr)} ${node.name ?? "(null)"} (${node.size} bytes)`,
    );
  }
}

/** Function whose module holds the node's name string (the action for devm actions). */
function nameSource(node: DevresNode): object | null {
  if (node.res !== null && node.release === (devm_action_release as ReleaseFn)) {
    return (node.res as { action: object }).action;
  }
  return node.release;
}

/**
 * alloc_dr(): kmalloc of header + `size` payload bytes (v6.2+: rounded up to the kmalloc bucket
 * by check_dr_size), header zeroed, node unlinked, no name yet. Null on allocation failure.
 */
export function alloc_dr(
  dev: Device,
  release: ReleaseFn,
  size: number,
  gfp: Gfp,
  site: string,
): DevresNode | null {
  const k = dev.kernel;
  if (size < 0 || !Number.isFinite(size)) return null;
  let total = DEVRES_HEADER_BYTES + size;
  if (k.features.devresSizeRoundup) total = kmalloc_size_roundup(total);
  const obj = k.slab.kmalloc(total, gfp, site);
  if (obj === null) return null;
  const node = new DevresNode(release, null, 0, null, obj, obj.addr);
  obj.owner = node;
  return node;
}

/** Attach a payload object to its node (the `dr->data` of the C struct). */
export function attach_payload<T extends object>(node: DevresNode, res: T): T {
  node.res = res;
  (res as DevresPayload)[NODE] = node;
  return res;
}

/**
 * __devres_alloc_node(release, size, gfp, nid, name): a zeroed devres of `size` payload bytes,
 * named `name` (the stringified release function for devres_alloc()). `res` is the payload
 * object the driver fills (the TypeScript stand-in for `struct foo *dr = devres_alloc(...)`).
 */
export function __devres_alloc_node<T extends object>(
  dev: Device,
  release: ReleaseFn,
  size: number,
  gfp: Gfp,
  name: string,
  res: T,
  site?: string,
): T | null {
  const node = alloc_dr(
    dev,
    release,
    size,
    gfp | __GFP_ZERO,
    site ?? dev.kernel.caller("__devres_alloc_node"),
  );
  if (node === null) return null;
  node.name = name;
  node.size = size;
  return attach_payload(node, res);
}

/**
 * devres_alloc(release, size, gfp) — device first: `devres_alloc(dev, release, size, gfp, res)`.
 * The node is named after the release function, as the macro's `#release` does: its
 * `named()` kernel name, else its JavaScript name (kernel/kernel-name.ts).
 */
export function devres_alloc<T extends object>(
  dev: Device,
  release: (dev: Device, res: T) => void,
  size: number,
  gfp: Gfp,
  res: T,
  site?: string,
): T | null {
  return __devres_alloc_node(
    dev,
    release as ReleaseFn,
    size,
    gfp,
    dev.kernel.fnName(release),
    res,
    site,
  );
}

/** devres_free(res): free an unlinked devres; NULL is a no-op; freeing a linked one is a BUG. */
export function devres_free(dev: Device, res: object | null, site?: string): void {
  if (res === null) return;
  const node = nodeOf(res);
  if (node.linked)
    dev.kernel.bug("drivers/base/devres.c", "devres_free() of a node still on a devres list");
  dev.kernel.slab.kfree(node.obj, site ?? dev.kernel.caller("devres_free"));
}

/** add_dr(): log ADD and append at the tail; adding a linked node is BUG_ON(!list_empty). */
export function add_dr(dev: Device, node: DevresNode): void {
  devres_log(dev, node, "ADD");
  if (node.linked)
    dev.kernel.bug("drivers/base/devres.c", "add_dr() of a node that is already on a list");
  node.addTail(dev.devres_head);
  node.owner = dev;
}

/** devres_add(dev, res): register the devres on the device (tail of the list). */
export function devres_add(dev: Device, res: object): void {
  add_dr(dev, nodeOf(res));
}

/** find_dr(): newest → oldest, first node with the same release for which `match` agrees. */
export function find_dr(
  dev: Device,
  release: ReleaseFn,
  match: MatchFn | null,
  match_data: unknown,
): DevresNode | null {
  const head = dev.devres_head;
  for (let node = head.prev; node !== head; node = node.prev) {
    if (node.release !== release) continue;
    if (match !== null && !match(dev, node.res as never, match_data)) continue;
    return node;
  }
  return null;
}

/** devres_find(): latest matching payload, or null. */
export function devres_find<T extends object>(
  dev: Device,
  release: (dev: Device, res: T) => void,
  match: MatchFn<T> | null,
  match_data: unknown,
): T | null {
  const node = find_dr(dev, release as ReleaseFn, match as MatchFn | null, match_data);
  return node === null ? null : (node.res as T);
}

/**
 * devres_get(): if a node of `new_res`'s type matches, free `new_res` and return the existing
 * payload; otherwise add `new_res` and return it.
 */
export function devres_get<T extends object>(
  dev: Device,
  new_res: T,
  match: MatchFn<T> | null,
  match_data: unknown,
): T {
  const newNode = nodeOf(new_res);
  const found = find_dr(dev, newNode.release, match as MatchFn | null, match_data);
  if (found === null) {
    add_dr(dev, newNode);
    return new_res;
  }
  devres_free(dev, new_res, dev.kernel.caller("devres_get"));
  return found.res as T;
}

/** devres_remove(): unlink the latest match (logs REM), neither released nor freed. */
export function devres_remove<T extends object>(
  dev: Device,
  release: (dev: Device, res: T) => void,
  match: MatchFn<T> | null,
  match_data: unknown,
): T | null {
  const node = find_dr(dev, release as ReleaseFn, match as MatchFn | null, match_data);
  if (node === null) return null;
  node.unlink();
  devres_log(dev, node, "REM");
  return node.res as T;
}

/** devres_destroy(): remove + free, release not called. 0 or -ENOENT. */
export function devres_destroy<T extends object>(
  dev: Device,
  release: (dev: Device, res: T) => void,
  match: MatchFn<T> | null,
  match_data: unknown,
  site?: string,
): number {
  const res = devres_remove(dev, release, match, match_data);
  if (res === null) return -ENOENT;
  devres_free(dev, res, site ?? dev.kernel.caller("devres_destroy"));
  return 0;
}

/** devres_release(): remove, call release, free. 0 or -ENOENT. Logs REM, not REL. */
export function devres_release<T extends object>(
  dev: Device,
  release: (dev: Device, res: T) => void,
  match: MatchFn<T> | null,
  match_data: unknown,
): number {
  const res = devres_remove(dev, release, match, match_data);
  if (res === null) return -ENOENT;
  const k = dev.kernel;
  k.call(k.fnName(release), () => release(dev, res));
  devres_free(dev, res, SITE_DEVRES_RELEASE_FREE);
  return 0;
}

/** devres_for_each_res(): call `fn` for every matching payload, newest → oldest. */
export function devres_for_each_res<T extends object, D>(
  dev: Device,
  release: (dev: Device, res: T) => void,
  match: MatchFn<T> | null,
  match_data: unknown,
  fn: ((dev: Device, res: T, data: D) => void) | null,
  data: D,
): void {
  if (fn === null) return;
  const head = dev.devres_head;
  for (let node = head.prev, prev = node.prev; node !== head; node = prev, prev = node.prev) {
    if (node.release !== (release as ReleaseFn)) continue;
    if (match !== null && !match(dev, node.res as T, match_data)) continue;
    fn(dev, node.res as T, data);
  }
}

/**
 * remove_nodes(): move the plain nodes of [first, end) to `todo` (in order), then color the
 * group markers left in the range; a group wholly inside (color 2: both markers, or the open
 * marker of an open group) has its open marker moved to `todo` and its close marker dropped.
 * Returns the number of plain nodes moved.
 */
export function remove_nodes(
  dev: Device,
  first: DevresNode,
  end: DevresNode,
  todo: DevresNode[],
): number {
  let cnt = 0;
  let nrGroups = 0;
  // Pass 1: plain nodes to todo, group colors cleared.
  for (let node = first, n = node.next; node !== end; node = n, n = node.next) {
    const grp = node.group;
    if (grp !== null) {
      grp.color = 0;
      nrGroups++;
    } else {
      if (node === first) first = first.next;
      node.unlink();
      todo.push(node);
      cnt++;
    }
  }
  if (nrGroups === 0) return cnt;
  // Pass 2: only markers remain in [first, end).
  for (let node = first, n = node.next; node !== end; node = n, n = node.next) {
    const grp = node.group;
    if (grp === null || !grp.open.linked)
      dev.kernel.bug(
        "drivers/base/devres.c",
        "remove_nodes: non-marker or unlinked group in range",
      );
    grp.color++;
    if (!grp.close.linked) grp.color++;
    if (grp.color <= 0 || grp.color > 2)
      dev.kernel.bug("drivers/base/devres.c", `remove_nodes: group color ${grp.color}`);
    if (grp.color === 2) {
      grp.open.unlink();
      todo.push(grp.open);
      if (grp.close.linked) grp.close.unlink();
    }
  }
  return cnt;
}

/**
 * release_nodes(): walk `todo` from its tail: log REL, call release with the payload, free.
 * Group open markers (appended last) therefore come first; `grp>` is never logged.
 */
export function release_nodes(dev: Device, todo: DevresNode[]): void {
  const k = dev.kernel;
  for (let i = todo.length - 1; i >= 0; i--) {
    const node = todo[i] as DevresNode;
    devres_log(dev, node, "REL");
    if (node.group === null) {
      k.callStack.push(sym(k.fnName(node.release)));
      try {
        node.release(dev, node.res as never);
      } finally {
        k.callStack.pop();
      }
    }
    k.slab.kfree(node.obj, SITE_RELEASE_NODES_FREE);
  }
}

/**
 * devres_release_all(dev): release every node, newest first (driver-core internal).
 * Returns the count of plain (non-group) nodes released.
 */
export function devres_release_all(dev: Device): number {
  const head = dev.devres_head;
  if (head.next === head) return 0;
  const todo: DevresNode[] = [];
  const cnt = remove_nodes(dev, head.next, head, todo);
  release_nodes(dev, todo);
  return cnt;
}

/** Number of nodes (plain and markers) on the device's devres list. */
export function devres_count(dev: Device): number {
  let n = 0;
  const head = dev.devres_head;
  for (let node = head.next; node !== head; node = node.next) n++;
  return n;
}

/** The nodes on the list, oldest first (for inspection and tests). */
export function devres_nodes(dev: Device): DevresNode[] {
  const out: DevresNode[] = [];
  const head = dev.devres_head;
  for (let node = head.next; node !== head; node = node.next) out.push(node);
  return out;
}
