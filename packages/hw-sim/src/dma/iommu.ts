import { PAGE_SIZE, type Device, type DmaMapping, type DmaPool, type Kernel } from "@devscope/core";
import type { DmaFaultReason, DmaTargetInfo } from "./dma-fault.js";

/**
 * How device DMA reaches memory. `translate`: every access goes through the IOMMU, which
 * faults on anything that is not a live mapping of the issuing device (Intel VT-d in its
 * default DMA-translation mode). `passthrough` (iommu=pt, or no IOMMU): bus address = physical
 * address, nothing is checked by the hardware — the checker still records what was hit.
 */
export type IommuMode = "translate" | "passthrough";

/** The checker's verdict on one access. */
export type IommuVerdict =
  | { ok: true; mapping: DmaMapping; phys: number; poolFreeBlock?: DmaTargetInfo }
  | {
      ok: false;
      reason: Exclude<DmaFaultReason, "bus-master-off" | "pool-free-block">;
      target?: DmaTargetInfo;
      faultIova: number;
    };

const PAGE = PAGE_SIZE;
const POOL_SITE = "dma_pool_alloc";

/**
 * The IOMMU-like checker. It indexes every DMA mapping the simulated kernel makes (through the
 * DmaMappings observer) by page, keeps the last freed mapping of each page as a tombstone with
 * its allocation and free sites, and checks each device access against the mapping it starts
 * in. The check is per mapping (byte-exact), not per page: a real IOMMU maps whole pages and
 * lets an overrun through when the next IOVA page happens to be mapped for the same device;
 * the simulator flags it anyway so the finding does not depend on the address layout.
 */
export class Iommu {
  /** Live mappings by page frame (bus address / 4 KiB). */
  private readonly live = new Map<number, DmaMapping[]>();
  /** Last retired mapping by page frame. */
  private readonly tombs = new Map<number, DmaMapping>();

  constructor(
    readonly k: Kernel,
    readonly mode: IommuMode,
  ) {
    k.dma.observer = {
      mapped: (m) => this.index(m),
      unmapped: (m) => this.retire(m),
    };
  }

  private index(m: DmaMapping): void {
    const first = Math.floor(m.dma_handle / PAGE);
    const last = Math.floor((m.dma_handle + m.size - 1) / PAGE);
    for (let p = first; p <= last; p++) {
      const list = this.live.get(p);
      if (list === undefined) this.live.set(p, [m]);
      else list.push(m);
    }
  }

  private retire(m: DmaMapping): void {
    const first = Math.floor(m.dma_handle / PAGE);
    const last = Math.floor((m.dma_handle + m.size - 1) / PAGE);
    for (let p = first; p <= last; p++) {
      const list = this.live.get(p);
      if (list !== undefined) {
        const i = list.indexOf(m);
        if (i >= 0) list.splice(i, 1);
        if (list.length === 0) this.live.delete(p);
      }
      this.tombs.set(p, m);
    }
  }

  /** Live mappings (any device) covering bus address `dma`. */
  liveAt(dma: number): readonly DmaMapping[] {
    return this.live.get(Math.floor(dma / PAGE)) ?? [];
  }

  /** Live mappings currently indexed (for end-of-cycle invariants), count. */
  liveCount(dev?: Device): number {
    const seen = new Set<DmaMapping>();
    for (const list of this.live.values())
      for (const m of list) if (dev === undefined || m.dev === dev) seen.add(m);
    return seen.size;
  }

  /**
   * Check a device access of `len` bytes at bus address `iova`. In translate mode a refused
   * access is a fault; in passthrough mode the same verdict is only a record (the bytes land).
   */
  check(dev: Device, iova: number, len: number, write: boolean): IommuVerdict {
    const here = this.liveAt(iova);
    let own: DmaMapping | undefined;
    let other: DmaMapping | undefined;
    for (let i = here.length - 1; i >= 0; i--) {
      const m = here[i] as DmaMapping;
      if (!m.contains(iova)) continue;
      if (m.dev === dev) {
        own = m;
        break;
      }
      other ??= m;
    }
    if (own !== undefined) {
      const end = own.dma_handle + own.size;
      const phys = own.vaddr + (iova - own.dma_handle);
      // A pool page holds blocks: the block the access starts in is the object it may touch.
      const block =
        own.kind === "coherent" && own.allocSite.startsWith(POOL_SITE)
          ? this.poolBlock(dev, own, phys, len)
          : null;
      if (block !== null && block.outOfBounds)
        return {
          ok: false,
          reason: "out-of-bounds",
          target: block.info,
          faultIova: Math.min(block.endIova, end),
        };
      if (iova + len > end)
        return { ok: false, reason: "out-of-bounds", target: targetInfo(own), faultIova: end };
      if ((write && own.dir === "DMA_TO_DEVICE") || (!write && own.dir === "DMA_FROM_DEVICE"))
        return { ok: false, reason: "direction", target: targetInfo(own), faultIova: iova };
      if (block !== null && block.free)
        return { ok: true, mapping: own, phys, poolFreeBlock: block.info };
      return { ok: true, mapping: own, phys };
    }
    if (other !== undefined)
      return { ok: false, reason: "other-device", target: targetInfo(other), faultIova: iova };
    const tomb = this.tombs.get(Math.floor(iova / PAGE));
    if (tomb !== undefined && tomb.dev === dev && tomb.contains(iova))
      return { ok: false, reason: "after-free", target: targetInfo(tomb), faultIova: iova };
    return { ok: false, reason: "unmapped", faultIova: iova };
  }

  /** For an access inside a pool page: the block it falls in, free or not, and overruns. */
  private poolBlock(
    dev: Device,
    page: DmaMapping,
    phys: number,
    len: number,
  ): { info: DmaTargetInfo; free: boolean; outOfBounds: boolean; endIova: number } | null {
    const pool = dev.dma_pools.find((p) => p.pageOf(phys) !== null) ?? null;
    if (pool === null) return null;
    const pg = pool.pageOf(phys);
    if (pg === null) return null;
    const off = phys - pg.vaddr;
    const blockOff = Math.floor(off / pool.size) * pool.size;
    const blockVaddr = pg.vaddr + blockOff;
    const blockDma = page.dma_handle + (blockVaddr - page.vaddr);
    const free = blockIsFree(pool, blockVaddr, blockOff);
    // The block's own allocation (core tracks dma_pool_alloc's caller per block); a block never
    // handed out has only its page's.
    const track = pool.blockTrack(blockVaddr);
    const out: DmaTargetInfo = {
      kind: "pool-block",
      dma: blockDma,
      sizeBytes: pool.size,
      phys: blockVaddr,
      reqBytes: pool.size,
      allocSite: track?.allocated.site ?? page.allocSite,
      allocNs: track?.allocated.ns ?? page.allocNs,
      pool: pool.name,
    };
    if (track !== null) out.allocated = track.allocated;
    if (free && track?.freed !== null && track?.freed !== undefined) {
      out.freed = track.freed;
      out.freeSite = track.freed.site;
      out.freeNs = track.freed.ns;
    }
    return {
      info: out,
      free,
      outOfBounds: off + len > blockOff + pool.size,
      endIova: blockDma + pool.size,
    };
  }
}

/** What the checker records of a mapping it judged an access against. */
export function targetInfo(m: DmaMapping): DmaTargetInfo {
  const t: DmaTargetInfo = {
    kind: m.kind,
    dma: m.dma_handle,
    sizeBytes: m.size,
    phys: m.vaddr,
    reqBytes: m.reqBytes,
    allocSite: m.allocSite,
    allocNs: m.allocNs,
  };
  if (m.freeSite !== null) t.freeSite = m.freeSite;
  if (m.freeNs !== null) t.freeNs = m.freeNs;
  if (m.allocated !== null) t.allocated = m.allocated;
  if (m.freed !== null) t.freed = m.freed;
  return t;
}

/** Whether the pool block at `vaddr` is on the pool's free list (mm/dmapool.c bookkeeping). */
function blockIsFree(pool: DmaPool, vaddr: number, blockOff: number): boolean {
  if (!pool.legacy) return pool.freeList.includes(vaddr);
  // Pre-6.3: each page threads its free blocks through page->offset and the stored next offsets.
  const page = pool.pageOf(vaddr);
  if (page === null) return false;
  for (let off = page.offset; off < pool.allocation; off = page.next.get(off) ?? pool.allocation)
    if (off === blockOff) return true;
  return false;
}
