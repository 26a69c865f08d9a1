import type { Kernel } from "../kernel/kernel.js";
import { __GFP_DMA, __GFP_DMA32, __GFP_NOWARN, type Gfp } from "../kernel/gfp.js";

export const PAGE_SHIFT = 12;
/** Bytes per page (x86-64). */
export const PAGE_SIZE = 1 << PAGE_SHIFT;
/** Largest buddy order (MAX_ORDER - 1 in 6.1: 4 MiB blocks). */
export const MAX_PAGE_ORDER = 10;

/** include/asm-generic/getorder.h :: get_order: smallest order whose block holds `size` bytes. */
export function get_order(size: number): number {
  let order = 0;
  let bytes = PAGE_SIZE;
  while (bytes < size) {
    bytes *= 2;
    order++;
  }
  return order;
}

/** One allocated (or freed) block of 2^order pages. */
export interface PageBlock {
  /** Physical address of the first page. */
  phys: number;
  order: number;
  live: boolean;
  /** Who asked, as `%pS` text. */
  allocSite: string;
  allocNs: number;
  freeSite?: string;
  freeNs?: number;
}

interface Zone {
  name: string;
  start: number;
  end: number;
  /** Next never-used address (bump pointer). */
  next: number;
  /** Per-order LIFO lists of freed blocks (buddy merging is not modelled). */
  free: number[][];
}

/**
 * The page allocator: 2^order page blocks from two zones, ZONE_DMA32 (below 4 GiB) and
 * ZONE_NORMAL (above). Freed blocks are reused LIFO per order, like the per-cpu page lists.
 * Every block is remembered (live or freed) so a double free or a use of freed pages is caught.
 */
export class PageAllocator {
  private readonly zones: Zone[];
  private readonly blocks = new Map<number, PageBlock>();
  /** Pages currently allocated. */
  allocatedPages = 0;

  constructor(
    private readonly k: Kernel,
    memBytes: number,
  ) {
    const dma32Start = 16 << 20;
    const dma32End = 0x100000000;
    const normalStart = 0x100000000;
    const mk = (name: string, start: number, end: number): Zone => ({
      name,
      start,
      end,
      next: start,
      free: Array.from({ length: MAX_PAGE_ORDER + 1 }, () => []),
    });
    // Half the RAM below 4 GiB (DMA32), the rest above (NORMAL), like a PC with >4 GiB.
    const low = Math.min(Math.floor(memBytes / 2), dma32End - dma32Start);
    this.zones = [
      mk("DMA32", dma32Start, dma32Start + low),
      mk("Normal", normalStart, normalStart + (memBytes - low)),
    ];
  }

  /**
   * __get_free_pages / alloc_pages: a block of 2^order pages, or null (-ENOMEM path) when the
   * zones are exhausted or a fault was injected. __GFP_DMA32/__GFP_DMA restrict to DMA32;
   * `limit` (a DMA mask) keeps the whole block at or below that address.
   */
  alloc(order: number, gfp: Gfp, site: string, limit = Number.MAX_SAFE_INTEGER): number | null {
    if (order < 0 || order > MAX_PAGE_ORDER) {
      this.k.warn("mm/page_alloc.c", `alloc_pages: order ${order} > MAX_ORDER`);
      return null;
    }
    if (this.k.faults.shouldFail("pages")) return null;
    const lowOnly = (gfp & (__GFP_DMA | __GFP_DMA32)) !== 0;
    const [dma32, normal] = this.zones as [Zone, Zone];
    const candidates = lowOnly ? [dma32] : [normal, dma32];
    for (const z of candidates) {
      const phys = this.take(z, order, limit);
      if (phys !== null) {
        this.blocks.set(phys, {
          phys,
          order,
          live: true,
          allocSite: site,
          allocNs: this.k.clock.now,
        });
        this.allocatedPages += 1 << order;
        return phys;
      }
    }
    if ((gfp & __GFP_NOWARN) === 0) {
      this.k.printk(4, `${this.k.current.comm}: page allocation failure: order:${order}`);
    }
    return null;
  }

  /**
   * free_pages(addr, order). Returns false (and reports) when the block is not a live
   * allocation of that order: a double free or a bad address.
   */
  free(phys: number, order: number, site: string): boolean {
    const b = this.blocks.get(phys);
    if (b === undefined || !b.live || b.order !== order) {
      const what =
        b === undefined
          ? "not allocated"
          : !b.live
            ? "already free"
            : `allocated with order ${b.order}`;
      this.k.reportBadPage(phys, order, site, what);
      return false;
    }
    b.live = false;
    b.freeSite = site;
    b.freeNs = this.k.clock.now;
    this.allocatedPages -= 1 << order;
    const z = this.zoneOf(phys);
    (z.free[order] as number[]).push(phys);
    return true;
  }

  /** The block that starts at `phys` (live or freed), if any. */
  block(phys: number): PageBlock | undefined {
    return this.blocks.get(phys);
  }

  private zoneOf(phys: number): Zone {
    for (const z of this.zones) if (phys >= z.start && phys < z.end) return z;
    throw new Error(`page allocator: address 0x${phys.toString(16)} is outside every zone`);
  }

  private take(z: Zone, order: number, limit: number): number | null {
    const bytes = PAGE_SIZE * 2 ** order;
    const list = z.free[order] as number[];
    for (let i = list.length - 1; i >= 0; i--) {
      const p = list[i] as number;
      if (p + bytes - 1 <= limit) {
        if (i === list.length - 1) list.pop();
        else list.splice(i, 1);
        return p;
      }
    }
    const start = Math.ceil(z.next / bytes) * bytes;
    if (start + bytes > z.end || start + bytes - 1 > limit) return null;
    z.next = start + bytes;
    return start;
  }
}
