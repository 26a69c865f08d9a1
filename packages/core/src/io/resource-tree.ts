import type { Kernel } from "../kernel/kernel.js";
import { hex } from "../kernel/address.js";
import { GFP_KERNEL } from "../kernel/gfp.js";
import type { SlabObject } from "../mm/slab.js";

export const IORESOURCE_IO = 0x100;
export const IORESOURCE_MEM = 0x200;
export const IORESOURCE_PREFETCH = 0x2000;
export const IORESOURCE_MEM_64 = 0x100000;
export const IORESOURCE_MUXED = 0x400000;
export const IORESOURCE_EXCLUSIVE = 0x8000000;
export const IORESOURCE_TYPE_BITS = 0x1f00;

/** struct resource: [start, end] (inclusive), name, flags, tree links. */
export class Resource {
  parent: Resource | null = null;
  /** Children sorted by start, non-overlapping (the `child`/`sibling` chain). */
  readonly children: Resource[] = [];
  /** IORESOURCE_BUSY: a driver owns it (request_region); a busy resource is never descended into. */
  busy = false;
  /** kmalloc'ed struct resource for requested regions (freed by __release_region). */
  obj: SlabObject | null = null;

  constructor(
    public start: number,
    public end: number,
    public name: string,
    public flags: number,
  ) {}
}

export function resource_size(r: Resource): number {
  return r.end - r.start + 1;
}

export function resource_type(r: Resource): number {
  return r.flags & IORESOURCE_TYPE_BITS;
}

/** `%pR` (lib/vsprintf.c :: resource_string): `[mem 0xfebf1000-0xfebf1fff 64bit pref]`, `[io  0xc040-0xc05f]`. */
export function formatResource(r: Resource): string {
  const io = (r.flags & IORESOURCE_IO) !== 0;
  const width = io ? 4 : 8;
  const type = io ? "io  " : (r.flags & IORESOURCE_MEM) !== 0 ? "mem " : "??? ";
  let s = `[${type}0x${hex(r.start, width)}-0x${hex(r.end, width)}`;
  if ((r.flags & IORESOURCE_MEM_64) !== 0) s += " 64bit";
  if ((r.flags & IORESOURCE_PREFETCH) !== 0) s += " pref";
  return s + "]";
}

/** `%pa` of a resource_size_t: 0x + 16 hex digits. */
export function formatPa(n: number): string {
  return "0x" + hex(n, 16);
}

/**
 * An iomem or ioport resource tree (kernel/resource.c): non-busy resources (BARs, bridge
 * windows) can be entered; busy ones (requested regions) conflict. Requests allocate their
 * struct resource with kmalloc (64 bytes, `__request_region+0x34/0xc0` as in the captures).
 */
export class ResourceTree {
  readonly root: Resource;

  constructor(
    private readonly k: Kernel,
    name: string,
    start: number,
    end: number,
    flags: number,
  ) {
    this.root = new Resource(start, end, name, flags);
  }

  /**
   * __request_resource(root, new): insert `res` under `root`; returns null on success or the
   * resource it conflicts with (root itself when `res` does not fit inside root).
   */
  private insertUnder(root: Resource, res: Resource): Resource | null {
    if (res.end < res.start || res.start < root.start || res.end > root.end) return root;
    const kids = root.children;
    let i = 0;
    for (; i < kids.length; i++) {
      const tmp = kids[i] as Resource;
      if (tmp.start > res.end) break;
      if (tmp.end < res.start) continue;
      return tmp;
    }
    kids.splice(i, 0, res);
    res.parent = root;
    return null;
  }

  /** request_resource(): insert a (non-busy) resource such as a BAR; false on conflict. */
  request_resource(parent: Resource, res: Resource): boolean {
    return this.insertUnder(parent, res) === null;
  }

  /** release_resource(): remove a resource that has no children left. */
  release_resource(res: Resource): void {
    const p = res.parent;
    if (p === null) return;
    const i = p.children.indexOf(res);
    if (i >= 0) p.children.splice(i, 1);
    res.parent = null;
  }

  /**
   * __request_region(parent, start, n, name, flags): a busy resource for [start, start+n-1].
   * Descends into non-busy conflicts (a BAR inside a window); a busy conflict fails (null).
   */
  __request_region(
    parent: Resource,
    start: number,
    n: number,
    name: string,
    flags: number,
  ): Resource | null {
    const k = this.k;
    const obj = k.slab.kzalloc(64, GFP_KERNEL, "__request_region+0x34/0xc0");
    if (obj === null) return null;
    const res = new Resource(start, start + n - 1, name, 0);
    res.obj = obj;
    for (;;) {
      res.flags = resource_type(parent) | flags;
      res.busy = true;
      const conflict = this.insertUnder(parent, res);
      if (conflict === null) return res;
      if (conflict !== parent && !conflict.busy) {
        parent = conflict;
        continue;
      }
      k.slab.kfree(obj, "__request_region+0xa6/0xc0");
      return null;
    }
  }

  /**
   * __release_region(parent, start, n): free the busy resource exactly covering the range,
   * looking through non-busy parents; otherwise print `Trying to free nonexistent resource`.
   */
  __release_region(parent: Resource, start: number, n: number): void {
    const end = start + n - 1;
    let kids = parent.children;
    for (let i = 0; i < kids.length;) {
      const res = kids[i] as Resource;
      if (res.start <= start && res.end >= end) {
        if (!res.busy) {
          kids = res.children;
          i = 0;
          continue;
        }
        if (res.start !== start || res.end !== end) break;
        kids.splice(i, 1);
        res.parent = null;
        this.k.slab.kfree(res.obj, "__release_region+0x91/0x100");
        return;
      }
      i++;
    }
    this.k.printk(4, `Trying to free nonexistent resource <${formatPa(start)}-${formatPa(end)}>`);
  }

  /** The innermost resource containing `addr`, or null. */
  lookup(addr: number): Resource | null {
    let cur = this.root;
    if (addr < cur.start || addr > cur.end) return null;
    for (;;) {
      const next = cur.children.find((c) => c.start <= addr && addr <= c.end);
      if (next === undefined) return cur === this.root ? null : cur;
      cur = next;
    }
  }

  /** /proc/iomem-like listing: `start-end : name` with two-space indentation per level. */
  dump(): string {
    const lines: string[] = [];
    const width = (this.root.flags & IORESOURCE_IO) !== 0 ? 4 : 8;
    const walk = (r: Resource, depth: number): void => {
      for (const c of r.children) {
        lines.push(`${"  ".repeat(depth)}${hex(c.start, width)}-${hex(c.end, width)} : ${c.name}`);
        walk(c, depth + 1);
      }
    };
    walk(this.root, 0);
    return lines.join("\n");
  }
}
