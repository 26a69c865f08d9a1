import type { SlabObject } from "../mm/slab.js";
import type { Device } from "../base/device.js";

/**
 * drivers/base/devres.c :: struct devres_node — one entry of a device's devres list, with the
 * payload (`struct devres::data`) it carries. The list is a real circular doubly-linked list
 * with the device's sentinel head; an unlinked node points at itself (INIT_LIST_HEAD), so
 * `linked` is the kernel's `!list_empty(&node->entry)`.
 */
// A release callback receives the payload the driver got from devres_alloc(); the payload type
// is erased in the list (as `void *` is in C), so it is typed `never` here and callers cast.
export type ReleaseFn = (dev: Device, res: never) => void;

/** Payload → node link (container_of in C). */
export const NODE: unique symbol = Symbol("devres.node");

/** Anything that can be a devres payload: an object the node is attached to. */
export interface DevresPayload {
  [NODE]?: DevresNode;
}

/** Bytes of struct devres_node + alignment padding before the payload on x86-64 (6.1: 40). */
export const DEVRES_HEADER_BYTES = 40;
/** sizeof(struct devres_group): two nodes, id, color (96 on x86-64). */
export const DEVRES_GROUP_BYTES = 96;

export class DevresNode {
  next: DevresNode;
  prev: DevresNode;
  /** Device whose list holds the node while linked. */
  owner: Device | null = null;
  /** Group this node is a marker of (open or close), else null. */
  group: DevresGroup | null = null;

  constructor(
    /** Release function; identifies the resource type for lookups. */
    public release: ReleaseFn,
    /** `node->name` as logged (`devm_kzalloc_release`, `grp<`, or null → `(null)`). */
    public name: string | null,
    /** `node->size`: payload bytes as logged. */
    public size: number,
    /** Payload object (null for group markers). */
    public res: object | null,
    /** The kmalloc'ed memory holding the node (null for the close marker inside a group). */
    public obj: SlabObject | null,
    /** Physical address of the node header (what `%p` hashes). */
    public addr: number,
  ) {
    this.next = this;
    this.prev = this;
  }

  get linked(): boolean {
    return this.next !== this;
  }

  /** list_add_tail(node, head) */
  addTail(head: DevresNode): void {
    const last = head.prev;
    this.next = head;
    this.prev = last;
    last.next = this;
    head.prev = this;
  }

  /** list_del_init */
  unlink(): void {
    this.prev.next = this.next;
    this.next.prev = this.prev;
    this.next = this;
    this.prev = this;
    this.owner = null;
  }

  /** list_replace(old=this, new): `repl` takes this node's place; this node is left unlinked. */
  replaceWith(repl: DevresNode): void {
    repl.next = this.next;
    repl.prev = this.prev;
    this.prev.next = repl;
    this.next.prev = repl;
    repl.owner = this.owner;
    this.next = this;
    this.prev = this;
    this.owner = null;
  }
}

/** drivers/base/devres.c :: struct devres_group — open and close markers, id, color. */
export class DevresGroup {
  color = 0;
  readonly open: DevresNode;
  readonly close: DevresNode;
  /** The group id: the caller's id, or the group itself (its address in C) when NULL was given. */
  id: unknown;

  constructor(openRelease: ReleaseFn, closeRelease: ReleaseFn, obj: SlabObject, id: unknown) {
    this.open = new DevresNode(openRelease, "grp<", 0, null, obj, obj.addr);
    this.close = new DevresNode(
      closeRelease,
      "grp>",
      0,
      null,
      null,
      obj.addr + DEVRES_HEADER_BYTES,
    );
    this.open.group = this;
    this.close.group = this;
    this.id = id ?? this;
  }

  /** A group is open while its close marker is not on the list. */
  get isOpen(): boolean {
    return !this.close.linked;
  }
}
