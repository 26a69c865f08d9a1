import type { Device } from "../base/device.js";
import { dev_driver_string } from "../base/device.js";
import { hex } from "../kernel/address.js";
import { __GFP_ZERO, GFP_KERNEL, type Gfp } from "../kernel/gfp.js";
import type { SlabObject, TaskStamp } from "../mm/slab.js";
import { PAGE_SIZE } from "../mm/page-alloc.js";
import type { DmaMapping } from "./dma-mapping.js";
import { devres_add, devres_alloc, devres_free, devres_release } from "../devres/devres.js";
import { named } from "../kernel/kernel-name.js";

/** include/linux/poison.h */
const POOL_POISON_FREED = 0xa7;
const POOL_POISON_ALLOCATED = 0xa9;
/** sizeof(struct dma_block) on 64-bit (v6.3+): next pointer + dma address. */
const DMA_BLOCK_BYTES = 16;
const INT_MAX = 0x7fffffff;

/** A block handed out by dma_pool_alloc(): CPU address (physical) and bus address. */
export interface DmaPoolBlock {
  readonly vaddr: number;
  readonly dma: number;
}

/**
 * Who holds a pool block: the task, time, call site (`dma_pool_alloc`'s caller) and stack of
 * its latest allocation, and of its free once returned. mm/dmapool.c keeps no such record (a
 * block is only an offset in a page); the simulator does, so a DMA checker can say whose block a
 * device hit, as KASAN's tracks do for slab objects.
 */
export interface DmaPoolBlockTrack {
  allocated: TaskStamp;
  freed: TaskStamp | null;
}

/** struct dma_page: one dma_alloc_coherent() chunk of `allocation` bytes. */
export class DmaPage {
  /** Legacy (pre-6.3) bookkeeping: blocks in use and the head of the in-page free chain. */
  in_use = 0;
  offset = 0;
  /** Legacy chain: block offset → next free offset (the int stored in the free block). */
  readonly next = new Map<number, number>();

  constructor(
    readonly mapping: DmaMapping,
    readonly obj: SlabObject,
  ) {}
  get vaddr(): number {
    return this.mapping.vaddr;
  }
  get dma(): number {
    return this.mapping.dma_handle;
  }
}

/**
 * struct dma_pool (mm/dmapool.c). Follows the v6.3+ algorithm (one free list across pages,
 * blocks never crossing `boundary`, pages never returned before destroy) or, for older kernels,
 * the per-page offset chains with the conservative boundary test. DMAPOOL_DEBUG checks
 * (poisoning, bad/double frees, corruption) follow config.dmapoolDebug.
 */
export class DmaPool {
  /** Pages, newest first (list_add). */
  readonly pages: DmaPage[] = [];
  /** Pages by the start of their (order-aligned) allocation, for O(1) lookups. */
  private readonly byBase = new Map<number, DmaPage>();
  /** Bytes of the page-allocator block behind each chunk (power-of-two pages). */
  private readonly chunkBytes: number;
  /** v6.3+: free blocks across all pages as a stack (top = last element = pool->next_block). */
  private readonly freeStack: number[] = [];
  /** DMAPOOL_DEBUG: vaddrs currently on the free list (the list walk of pool_block_err). */
  private readonly freeSet = new Set<number>();
  /** Allocation/free records by block CPU address (latest use of each block). */
  private readonly tracks = new Map<number, DmaPoolBlockTrack>();
  nr_blocks = 0;
  nr_active = 0;
  nr_pages = 0;
  destroyed = false;

  constructor(
    readonly dev: Device,
    readonly name: string,
    /** Block size after the minimum and alignment, bytes. */
    readonly size: number,
    /** Bytes per page chunk: max(size, PAGE_SIZE). */
    readonly allocation: number,
    /** Blocks never cross a multiple of this, bytes. */
    readonly boundary: number,
    readonly obj: SlabObject,
    readonly legacy: boolean,
  ) {
    let bytes = PAGE_SIZE;
    while (bytes < allocation) bytes *= 2;
    this.chunkBytes = bytes;
  }

  /** @internal list_add of a new chunk. */
  addPage(page: DmaPage): void {
    this.pages.unshift(page);
    this.byBase.set(page.vaddr, page);
  }

  /** @internal the chunk whose memory holds CPU address `vaddr`. */
  pageOf(vaddr: number): DmaPage | null {
    const p = this.byBase.get(Math.floor(vaddr / this.chunkBytes) * this.chunkBytes);
    return p !== undefined && vaddr - p.vaddr < this.allocation ? p : null;
  }

  /** Blocks per page chunk for this geometry. */
  blocksPerPage(): number {
    return carve(this.size, this.allocation, this.boundary, this.legacy).length;
  }

  /** pool_find_page(): the chunk containing bus address `dma`. */
  findPage(dma: number): DmaPage | null {
    const p = this.pageOf(dma - this.dev.dma_offset);
    return p !== null && dma >= p.dma && dma - p.dma < this.allocation ? p : null;
  }

  /** The latest allocation (and free) of the block at CPU address `vaddr`; null if it was never handed out. */
  blockTrack(vaddr: number): DmaPoolBlockTrack | null {
    return this.tracks.get(vaddr) ?? null;
  }

  /** @internal dma_pool_alloc handed out the block at `vaddr`. */
  trackAlloc(vaddr: number, who: TaskStamp): void {
    this.tracks.set(vaddr, { allocated: who, freed: null });
  }

  /** @internal dma_pool_free took the block at `vaddr` back. */
  trackFree(vaddr: number, who: TaskStamp): void {
    const t = this.tracks.get(vaddr);
    if (t !== undefined) t.freed = who;
  }

  /** @internal v6.3+ free list */
  get freeList(): number[] {
    return this.freeStack;
  }
  /** @internal */
  get debugFree(): Set<number> {
    return this.freeSet;
  }
}

/** Block offsets inside one page chunk, ascending (pool_initialise_page). */
function carve(size: number, allocation: number, boundary: number, legacy: boolean): number[] {
  const out: number[] = [];
  if (legacy) {
    // Pre-6.3: the next offset skips to the boundary when (next + size) >= next_boundary.
    let offset = 0;
    let nextBoundary = boundary;
    do {
      out.push(offset);
      let next = offset + size;
      if (next + size >= nextBoundary) {
        next = nextBoundary;
        nextBoundary += boundary;
      }
      offset = next;
    } while (offset < allocation);
    return out;
  }
  let offset = 0;
  let nextBoundary = boundary;
  while (offset + size <= allocation) {
    if (offset + size > nextBoundary) {
      offset = nextBoundary;
      nextBoundary += boundary;
      continue;
    }
    out.push(offset);
    offset += size;
  }
  return out;
}

function pad(dma: number): string {
  return "0x" + hex(dma, 16);
}

function poolErr(pool: DmaPool, text: string): void {
  const k = pool.dev.kernel;
  k.printk(3, `${dev_driver_string(pool.dev)} ${pool.dev.name}: ${text}`);
}

/**
 * dma_pool_create(name, dev, size, align, boundary): null when dev is NULL (v6.3+), align is
 * not a power of two, size is 0 or > INT_MAX, or boundary is non-zero and smaller than size
 * or not a power of two.
 */
export function dma_pool_create(
  name: string,
  dev: Device | null,
  size: number,
  align: number,
  boundary: number,
): DmaPool | null {
  if (dev === null) return null;
  const k = dev.kernel;
  const legacy = !k.features.dmapoolV63;
  if (align === 0) align = 1;
  else if ((align & (align - 1)) !== 0) return null;
  if (size === 0 || size > INT_MAX) return null;
  const minSize = legacy ? 4 : DMA_BLOCK_BYTES;
  if (size < minSize) size = minSize;
  size = Math.ceil(size / align) * align;
  const allocation = Math.max(size, PAGE_SIZE);
  if (boundary === 0) boundary = allocation;
  else if (boundary < size || (boundary & (boundary - 1)) !== 0) return null;
  if (!legacy) boundary = Math.min(boundary, allocation);
  const obj = legacy
    ? k.slab.kmalloc(104, GFP_KERNEL, "dma_pool_create+0x8c/0x240")
    : k.slab.kzalloc(136, GFP_KERNEL, "dma_pool_create+0x5b/0x200");
  if (obj === null) return null;
  const pool = new DmaPool(dev, name.slice(0, 31), size, allocation, boundary, obj, legacy);
  dev.dma_pools.unshift(pool);
  return pool;
}

/** pool_alloc_page() + pool_initialise_page(): a new chunk, its blocks pushed in front. */
function pool_alloc_page(pool: DmaPool, gfp: Gfp): DmaPage | null {
  const k = pool.dev.kernel;
  const obj = k.slab.kmalloc(pool.legacy ? 40 : 32, gfp & ~__GFP_ZERO, "dma_pool_alloc+0x65/0x1e0");
  if (obj === null) return null;
  const mapping = k.dma.alloc_coherent(
    pool.dev,
    pool.allocation,
    gfp & ~__GFP_ZERO,
    "dma_pool_alloc+0x8c/0x1e0",
  );
  if (mapping === null) {
    k.slab.kfree(obj, "dma_pool_alloc+0x1a8/0x1e0");
    return null;
  }
  const page = new DmaPage(mapping, obj);
  if (k.config.dmapoolDebug) mapping.bytes().fill(POOL_POISON_FREED);
  const offsets = carve(pool.size, pool.allocation, pool.boundary, pool.legacy);
  if (pool.legacy) {
    for (let i = 0; i < offsets.length; i++)
      page.next.set(
        offsets[i] as number,
        i + 1 < offsets.length ? (offsets[i + 1] as number) : pool.allocation,
      );
    page.offset = 0;
  } else {
    // Link the page's blocks in ascending order in front of the pool-wide list.
    for (let i = offsets.length - 1; i >= 0; i--) {
      const v = page.vaddr + (offsets[i] as number);
      pool.freeList.push(v);
      if (k.config.dmapoolDebug) pool.debugFree.add(v);
    }
  }
  pool.nr_blocks += offsets.length;
  pool.addPage(page);
  pool.nr_pages++;
  return page;
}

/** DMAPOOL_DEBUG pool_check_block(): bytes past the header must still be POOL_POISON_FREED. */
function checkBlock(pool: DmaPool, page: DmaPage, off: number, gfp: Gfp): void {
  const k = pool.dev.kernel;
  if (!k.config.dmapoolDebug) return;
  const bytes = page.mapping.bytes();
  const from = pool.legacy ? 4 : DMA_BLOCK_BYTES;
  for (let i = from; i < pool.size; i++) {
    if (bytes[off + i] === POOL_POISON_FREED) continue;
    const vaddr = k.ptr(page.vaddr + off);
    poolErr(
      pool,
      pool.legacy
        ? `dma_pool_alloc ${pool.name}, ${vaddr} (corrupted)`
        : `pool_check_block ${pool.name}, ${vaddr} (corrupted)`,
    );
    for (let row = 0; row < pool.size; row += 16) {
      const cells: string[] = [];
      for (let j = row; j < Math.min(row + 16, pool.size); j++)
        cells.push(hex(bytes[off + j] as number, 2));
      k.printk(3, `${hex(row, 8)}: ${cells.join(" ")}`);
    }
    break;
  }
  if ((gfp & __GFP_ZERO) === 0) bytes.fill(POOL_POISON_ALLOCATED, off, off + pool.size);
}

/** dma_pool_alloc(pool, gfp, &handle): a block, or null when a new page cannot be had. */
export function dma_pool_alloc(pool: DmaPool, gfp: Gfp): DmaPoolBlock | null {
  const k = pool.dev.kernel;
  k.tick(300);
  if (pool.legacy) {
    let page = pool.pages.find((p) => p.offset < pool.allocation) ?? null;
    if (page === null) page = pool_alloc_page(pool, gfp);
    if (page === null) return null;
    page.in_use++;
    const off = page.offset;
    page.offset = page.next.get(off) ?? pool.allocation;
    pool.nr_active++;
    checkBlock(pool, page, off, gfp);
    pool.trackAlloc(page.vaddr + off, k.stamp(k.caller("dma_pool_alloc")));
    return { vaddr: page.vaddr + off, dma: page.dma + off };
  }
  if (pool.freeList.length === 0 && pool_alloc_page(pool, gfp) === null) return null;
  const vaddr = pool.freeList.pop() as number;
  if (k.config.dmapoolDebug) pool.debugFree.delete(vaddr);
  pool.nr_active++;
  const page = pool.pageOf(vaddr) as DmaPage;
  const dma = page.dma + (vaddr - page.vaddr);
  checkBlock(pool, page, vaddr - page.vaddr, gfp);
  if ((gfp & __GFP_ZERO) !== 0 && page.mapping.hasBytes)
    page.mapping.bytes().fill(0, vaddr - page.vaddr, vaddr - page.vaddr + pool.size);
  pool.trackAlloc(vaddr, k.stamp(k.caller("dma_pool_alloc")));
  return { vaddr, dma };
}

/** dma_pool_zalloc() */
export function dma_pool_zalloc(pool: DmaPool, gfp: Gfp): DmaPoolBlock | null {
  return dma_pool_alloc(pool, gfp | __GFP_ZERO);
}

/**
 * dma_pool_free(pool, vaddr, dma). With DMAPOOL_DEBUG a bad or double free is reported and
 * ignored; without it nothing is checked (v6.3+) and the block goes back on the list.
 */
export function dma_pool_free(pool: DmaPool, vaddr: number, dma: number): void {
  const k = pool.dev.kernel;
  const debug = k.config.dmapoolDebug;
  k.tick(200);
  if (pool.legacy) {
    const page = pool.findPage(dma);
    if (page === null) {
      poolErr(pool, `dma_pool_free ${pool.name}, ${k.ptr(vaddr)}/${pad(dma)} (bad dma)`);
      return;
    }
    const offset = vaddr - page.vaddr;
    if (debug) {
      if (dma - page.dma !== offset) {
        poolErr(pool, `dma_pool_free ${pool.name}, ${k.ptr(vaddr)} (bad vaddr)/${pad(dma)}`);
        return;
      }
      for (
        let chain = page.offset;
        chain < pool.allocation;
        chain = page.next.get(chain) ?? pool.allocation
      ) {
        if (chain === offset) {
          poolErr(pool, `dma_pool_free ${pool.name}, dma ${pad(dma)} already free`);
          return;
        }
      }
      page.mapping.bytes().fill(POOL_POISON_FREED, offset, offset + pool.size);
    }
    page.in_use--;
    page.next.set(offset, page.offset);
    page.offset = offset;
    pool.nr_active--;
    pool.trackFree(vaddr, k.stamp(k.caller("dma_pool_free")));
    return;
  }
  if (debug) {
    const page = pool.findPage(dma);
    if (page === null) {
      poolErr(pool, `pool_block_err ${pool.name}, ${k.ptr(vaddr)}/${pad(dma)} (bad dma)`);
      return;
    }
    if (pool.debugFree.has(vaddr)) {
      poolErr(pool, `pool_block_err ${pool.name}, dma ${pad(dma)} already free`);
      return;
    }
    const off = vaddr - page.vaddr;
    if (off >= 0 && off < pool.allocation)
      page.mapping.bytes().fill(POOL_POISON_FREED, off, off + pool.size);
    pool.debugFree.add(vaddr);
  }
  pool.freeList.push(vaddr);
  pool.nr_active--;
  pool.trackFree(vaddr, k.stamp(k.caller("dma_pool_free")));
}

/**
 * dma_pool_destroy(pool). Busy pools print `dma_pool_destroy <name> busy` (v6.3+, once) or
 * `dma_pool_destroy <name>, <vaddr> busy` per busy page (older) and leak the busy memory on
 * purpose, so stray DMA cannot hit reused pages. NULL is a no-op.
 */
export function dma_pool_destroy(pool: DmaPool | null): void {
  if (pool === null) return;
  const dev = pool.dev;
  const k = dev.kernel;
  if (pool.destroyed) {
    k.kasan.invalidFree(pool.obj, k.caller("dma_pool_destroy"));
    return;
  }
  const i = dev.dma_pools.indexOf(pool);
  if (i >= 0) dev.dma_pools.splice(i, 1);
  const drv = dev_driver_string(dev);
  if (pool.legacy) {
    for (const page of pool.pages.slice()) {
      if (page.in_use !== 0) {
        const addr = k.ptr(page.vaddr);
        k.printk(3, `${drv} ${dev.name}: dma_pool_destroy ${pool.name}, ${addr} busy`);
      } else {
        k.dma.free_coherent(
          dev,
          pool.allocation,
          page.vaddr,
          page.dma,
          "dma_pool_destroy+0x9e/0x160",
        );
      }
      k.slab.kfree(page.obj, "dma_pool_destroy+0xb0/0x160");
    }
  } else {
    const busy = pool.nr_active !== 0;
    if (busy) k.printk(3, `${drv} ${dev.name}: dma_pool_destroy ${pool.name} busy`);
    for (const page of pool.pages.slice()) {
      if (!busy)
        k.dma.free_coherent(
          dev,
          pool.allocation,
          page.vaddr,
          page.dma,
          "dma_pool_destroy+0x7c/0x120",
        );
      k.slab.kfree(page.obj, "dma_pool_destroy+0x88/0x120");
    }
  }
  pool.pages.length = 0;
  pool.destroyed = true;
  k.slab.kfree(pool.obj, "dma_pool_destroy+0xa4/0x120");
}

/** The sysfs `pools` file of a device (pools_show). */
export function pools_show(dev: Device): string {
  let s = "poolinfo - 0.1\n";
  for (const p of dev.dma_pools) {
    if (p.legacy) {
      const perPage = Math.floor(p.allocation / p.size);
      const inUse = p.pages.reduce((n, pg) => n + pg.in_use, 0);
      s += `${p.name.padEnd(16)} ${String(inUse).padStart(4)} ${String(p.pages.length * perPage).padStart(4)} ${String(p.size).padStart(4)} ${String(p.pages.length).padStart(2)}\n`;
    } else {
      s += `${p.name.padEnd(16)} ${String(p.nr_active).padStart(4)} ${String(p.nr_blocks).padStart(4)} ${String(p.size).padStart(4)} ${String(p.nr_pages).padStart(2)}\n`;
    }
  }
  return s;
}

// ---- managed pools ---------------------------------------------------------------------------

interface PoolDevres {
  pool: DmaPool | null;
}

export function dmam_pool_release(_dev: Device, res: PoolDevres): void {
  dma_pool_destroy(res.pool);
}
named(dmam_pool_release, "dmam_pool_release");

function dmam_pool_match(_dev: Device, res: PoolDevres, match_data: unknown): boolean {
  return res.pool === match_data;
}

/** dmam_pool_create(): node first (8 bytes), then the pool; node added only if the pool exists. */
export function dmam_pool_create(
  name: string,
  dev: Device,
  size: number,
  align: number,
  allocation: number,
): DmaPool | null {
  const ptr = devres_alloc(
    dev,
    dmam_pool_release,
    8,
    GFP_KERNEL,
    { pool: null } as PoolDevres,
    "dmam_pool_create+0x3b/0xb0",
  );
  if (ptr === null) return null;
  const pool = dma_pool_create(name, dev, size, align, allocation);
  ptr.pool = pool;
  if (pool !== null) devres_add(dev, ptr);
  else devres_free(dev, ptr, "dmam_pool_create+0x8a/0xb0");
  return pool;
}

/** dmam_pool_destroy(pool): devres_release on pool->dev (logs REM); WARN when not managed. */
export function dmam_pool_destroy(pool: DmaPool): void {
  const dev = pool.dev;
  if (devres_release(dev, dmam_pool_release, dmam_pool_match, pool) !== 0)
    dev.kernel.warn("mm/dmapool.c", "dmam_pool_destroy");
}
