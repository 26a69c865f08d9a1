import type { Kernel } from "../kernel/kernel.js";
import type { Device } from "../base/device.js";
import { dev_driver_string } from "../base/device.js";
import { EIO } from "../kernel/errno.js";
import { hex } from "../kernel/address.js";
import { __GFP_DMA32, __GFP_NOWARN, __GFP_ZERO, type Gfp } from "../kernel/gfp.js";
import { PAGE_SIZE, get_order } from "../mm/page-alloc.js";
import type { KMem } from "../mm/kmem.js";
import type { TaskStamp } from "../mm/slab.js";

export type DmaDirection = "DMA_BIDIRECTIONAL" | "DMA_TO_DEVICE" | "DMA_FROM_DEVICE" | "DMA_NONE";

/** DMA_MAPPING_ERROR: (~(dma_addr_t)0), kept as a JS number that no real mapping reaches. */
export const DMA_MAPPING_ERROR = Number.MAX_SAFE_INTEGER;

/** DMA_BIT_MASK(n) as an exact JS number (n ≤ 52 is exact; 64 saturates). */
export function DMA_BIT_MASK(n: number): number {
  return n >= 53 ? Number.MAX_SAFE_INTEGER : 2 ** n - 1;
}

/**
 * One DMA mapping the device may access: a coherent buffer or a streaming (map_single) one.
 * Kept after it is freed (live = false, a tombstone) so a late device access can be told apart
 * from a wild one — what an IOMMU checker needs.
 */
export class DmaMapping {
  live = true;
  freeNs: number | null = null;
  freeSite: string | null = null;
  /**
   * Who made the mapping: task, time and call stack at dma_alloc_coherent / dma_map_single
   * (what a DMA checker prints as "Allocated by task N:"). Null for mappings made by hand.
   */
  allocated: TaskStamp | null = null;
  /** Who freed or unmapped it (null while live). */
  freed: TaskStamp | null = null;
  /** Bytes the caller asked for; `size` is what is mapped (whole pages for coherent buffers). */
  reqBytes: number;
  private mem: Uint8Array | null = null;

  constructor(
    readonly id: number,
    readonly dev: Device,
    readonly kind: "coherent" | "single",
    /** Bus address the device uses. */
    readonly dma_handle: number,
    /** CPU physical address (the direct-map vaddr is 0xffff8880... + this). */
    readonly vaddr: number,
    /** Bytes mapped. */
    readonly size: number,
    readonly dir: DmaDirection,
    readonly allocNs: number,
    readonly allocSite: string,
  ) {
    this.reqBytes = size;
  }

  /** Contents, materialised on first use (what the device and the driver read and write). */
  bytes(): Uint8Array {
    if (this.mem === null)
      this.mem = this.dev.kernel.physmem?.view(this.vaddr, this.size) ?? new Uint8Array(this.size);
    return this.mem;
  }

  /** Whether bytes were ever materialised. */
  get hasBytes(): boolean {
    return this.mem !== null;
  }

  contains(dma: number, len = 1): boolean {
    return dma >= this.dma_handle && dma + len <= this.dma_handle + this.size;
  }
}

/** Result of checking a device access against the live mappings. */
export type DmaAccessVerdict =
  | { ok: true; mapping: DmaMapping }
  | {
      ok: false;
      reason: "unmapped" | "freed" | "other-device" | "direction" | "overrun";
      mapping: DmaMapping | null;
    };

/** Freed mappings the table remembers for late device accesses (count). */
export const DMA_TOMBSTONES = 4096;

/**
 * The DMA API (kernel/dma/mapping.c + dma-direct): masks, coherent allocations from the page
 * allocator below the device's mask, streaming mappings, and a table of the live mappings plus
 * the most recently freed ones (tombstones) that device models and an IOMMU-like checker query
 * by bus address.
 */
export class DmaMappings {
  private nextId = 1;
  private readonly liveByHandle = new Map<number, DmaMapping>();
  /** Live mappings, oldest first (a driver holds a few dozen at a time). */
  private readonly live: DmaMapping[] = [];
  /**
   * The most recently freed mappings (tombstones), a ring of DMA_TOMBSTONES entries, so a late
   * device access can still be told from a wild one without the table growing with every
   * mapping a long run ever made (KASAN bounds its quarantine the same way).
   */
  private readonly tombs: (DmaMapping | undefined)[] = new Array<DmaMapping | undefined>(
    DMA_TOMBSTONES,
  );
  private tombNext = 0;

  constructor(private readonly k: Kernel) {}

  /** dma_alloc_attrs / dma_alloc_coherent(dev, size, &handle, gfp) via dma-direct. */
  alloc_coherent(dev: Device, size: number, gfp: Gfp, site: string): DmaMapping | null {
    const k = this.k;
    if (size <= 0) return null;
    if (k.faults.shouldFail("dma")) return null;
    const order = get_order(size);
    const limit = dev.coherent_dma_mask - dev.dma_offset;
    let flags = gfp & ~__GFP_ZERO;
    if (dev.coherent_dma_mask <= DMA_BIT_MASK(32)) flags |= __GFP_DMA32;
    const phys = k.pages.alloc(order, flags | __GFP_NOWARN, site, limit);
    if (phys === null) {
      if ((gfp & __GFP_NOWARN) === 0)
        k.printk(
          4,
          `${dev_driver_string(dev)} ${dev.name}: dma_alloc_coherent: failed to allocate ${size} bytes`,
        );
      return null;
    }
    const m = new DmaMapping(
      this.nextId++,
      dev,
      "coherent",
      phys + dev.dma_offset,
      phys,
      PAGE_SIZE * 2 ** order,
      "DMA_BIDIRECTIONAL",
      k.clock.now,
      site,
    );
    m.reqBytes = size;
    m.allocated = k.stamp(site);
    this.add(m);
    k.tick(3000);
    return m;
  }

  /** dma_free_coherent(dev, size, cpu_addr, dma_handle). */
  free_coherent(dev: Device, size: number, vaddr: number, dma_handle: number, site: string): void {
    const k = this.k;
    const m = this.liveByHandle.get(dma_handle);
    if (k.config.dmaApiDebug) {
      if (m === undefined || m.kind !== "coherent") {
        this.debugErr(
          dev,
          `device driver tries to free DMA memory it has not allocated [device address=0x${hex(dma_handle, 16)}] [size=${size} bytes]`,
        );
      } else if (m.dev !== dev) {
        this.debugErr(
          dev,
          `device driver frees DMA memory of a different device [device address=0x${hex(dma_handle, 16)}]`,
        );
      } else if (get_order(size) !== get_order(m.size)) {
        this.debugErr(
          dev,
          `device driver frees DMA memory with different size [device address=0x${hex(dma_handle, 16)}] [map size=${m.size} bytes] [unmap size=${size} bytes]`,
        );
      } else if (m.vaddr !== vaddr) {
        this.debugErr(
          dev,
          `device driver frees DMA memory with different CPU address [device address=0x${hex(dma_handle, 16)}] [size=${size} bytes]`,
        );
      }
    }
    if (m !== undefined) this.retire(m, site);
    k.pages.free(m === undefined ? vaddr : m.vaddr, get_order(size), site);
    k.tick(2000);
  }

  /** dma_map_single(dev, ptr, size, dir): a streaming mapping of kernel memory. */
  map_single(
    dev: Device,
    ptr: KMem<unknown> | number,
    size: number,
    dir: DmaDirection,
    site: string,
  ): number {
    const k = this.k;
    const phys = typeof ptr === "number" ? ptr : ptr.addr;
    const dma = phys + dev.dma_offset;
    if (dma + size - 1 > dev.dma_mask || k.faults.shouldFail("dma")) return DMA_MAPPING_ERROR;
    const m = new DmaMapping(this.nextId++, dev, "single", dma, phys, size, dir, k.clock.now, site);
    m.allocated = k.stamp(site);
    this.add(m);
    return dma;
  }

  /** dma_unmap_single(dev, addr, size, dir). */
  unmap_single(dev: Device, dma: number, size: number, dir: DmaDirection, site: string): void {
    const m = this.liveByHandle.get(dma);
    if (this.k.config.dmaApiDebug) {
      if (m === undefined)
        this.debugErr(
          dev,
          `device driver tries to free DMA memory it has not allocated [device address=0x${hex(dma, 16)}] [size=${size} bytes]`,
        );
      else if (m.size !== size)
        this.debugErr(
          dev,
          `device driver frees DMA memory with different size [device address=0x${hex(dma, 16)}] [map size=${m.size} bytes] [unmap size=${size} bytes]`,
        );
      else if (m.dir !== dir)
        this.debugErr(
          dev,
          `device driver frees DMA memory with different direction [device address=0x${hex(dma, 16)}] [size=${size} bytes] [mapped with ${m.dir}] [unmapped with ${dir}]`,
        );
    }
    if (m !== undefined) this.retire(m, site);
  }

  /**
   * The mapping covering bus address `dma`: the live one if any, else the most recent freed
   * one (tombstone), else null. Optionally restricted to one device.
   */
  lookup(dma: number, dev?: Device): DmaMapping | null {
    for (let i = this.live.length - 1; i >= 0; i--) {
      const m = this.live[i] as DmaMapping;
      if (m.contains(dma) && (dev === undefined || m.dev === dev)) return m;
    }
    return this.newestTomb(dma, dev);
  }

  /** Live mappings of a device, oldest first. */
  liveMappings(dev?: Device): DmaMapping[] {
    return this.live.filter((m) => dev === undefined || m.dev === dev);
  }

  /**
   * Check a device-initiated access of `len` bytes at `dma` (write = device writes memory):
   * what an IOMMU would allow. The simulator's devices call this before touching memory.
   */
  check(dev: Device, dma: number, len: number, write: boolean): DmaAccessVerdict {
    // A live mapping of this device wins; otherwise the newest mapping that covered the address
    // (another device's live one, or a tombstone) says what the access hit.
    let best: DmaMapping | null = null;
    for (let i = this.live.length - 1; i >= 0; i--) {
      const m = this.live[i] as DmaMapping;
      if (!m.contains(dma)) continue;
      if (m.dev === dev) {
        if (!m.contains(dma, len)) return { ok: false, reason: "overrun", mapping: m };
        if ((write && m.dir === "DMA_TO_DEVICE") || (!write && m.dir === "DMA_FROM_DEVICE"))
          return { ok: false, reason: "direction", mapping: m };
        return { ok: true, mapping: m };
      }
      if (best === null) best = m;
    }
    const tomb = this.newestTomb(dma);
    if (tomb !== null && (best === null || tomb.id > best.id)) best = tomb;
    if (best === null) return { ok: false, reason: "unmapped", mapping: null };
    return { ok: false, reason: best.live ? "other-device" : "freed", mapping: best };
  }

  /**
   * Print the DMA remapping fault an Intel IOMMU would (`DMAR: [DMA Write NO_PASID] Request
   * device [00:03.0] fault addr 0x... [fault reason 0x05] PTE Write access is not set`).
   */
  reportFault(dev: Device, dma: number, write: boolean): void {
    const bdf = dev.name.replace(/^[0-9a-f]{4}:/, "");
    const page = Math.floor(dma / PAGE_SIZE) * PAGE_SIZE;
    const reason = write ? "0x05] PTE Write access is not set" : "0x06] PTE Read access is not set";
    const text = `DMAR: [DMA ${write ? "Write" : "Read"} NO_PASID] Request device [${bdf}] fault addr 0x${page.toString(16)} [fault reason ${reason}`;
    this.k.printk(3, text);
  }

  /** dma_set_mask(): -EIO when the mask cannot address any DMA zone (below 24 bits). */
  set_mask(dev: Device, mask: number): number {
    if (mask < DMA_BIT_MASK(24)) return -EIO;
    dev.dma_mask = mask;
    return 0;
  }

  set_coherent_mask(dev: Device, mask: number): number {
    if (mask < DMA_BIT_MASK(24)) return -EIO;
    dev.coherent_dma_mask = mask;
    return 0;
  }

  /**
   * Notified of every mapping made and retired (an IOMMU model keeps its own IOVA index with
   * it: hw-sim's checker). Null = nobody listens.
   */
  observer: { mapped(m: DmaMapping): void; unmapped(m: DmaMapping): void } | null = null;

  /** The most recently freed mapping covering `dma` (optionally of one device). */
  private newestTomb(dma: number, dev?: Device): DmaMapping | null {
    const n = DMA_TOMBSTONES;
    for (let k = 1; k <= n; k++) {
      const m = this.tombs[(this.tombNext - k + n) % n];
      if (m === undefined) return null;
      if (m.contains(dma) && (dev === undefined || m.dev === dev)) return m;
    }
    return null;
  }

  private add(m: DmaMapping): void {
    this.live.push(m);
    this.liveByHandle.set(m.dma_handle, m);
    if (this.observer !== null) this.observer.mapped(m);
  }

  private retire(m: DmaMapping, site: string): void {
    m.live = false;
    m.freeNs = this.k.clock.now;
    m.freeSite = site;
    m.freed = this.k.stamp(site);
    if (this.liveByHandle.get(m.dma_handle) === m) this.liveByHandle.delete(m.dma_handle);
    const at = this.live.lastIndexOf(m);
    if (at >= 0) this.live.splice(at, 1);
    this.tombs[this.tombNext] = m;
    this.tombNext = (this.tombNext + 1) % DMA_TOMBSTONES;
    if (this.observer !== null) this.observer.unmapped(m);
  }

  private debugErr(dev: Device, msg: string): void {
    this.k.warn(
      "kernel/dma/debug.c",
      "check_unmap",
      `DMA-API: ${dev_driver_string(dev)} ${dev.name}: ${msg}`,
    );
  }
}

// ---- kernel-named wrappers (include/linux/dma-mapping.h) -------------------------------------

export function dma_set_mask(dev: Device, mask: number): number {
  return dev.kernel.dma.set_mask(dev, mask);
}
export function dma_set_coherent_mask(dev: Device, mask: number): number {
  return dev.kernel.dma.set_coherent_mask(dev, mask);
}
export function dma_set_mask_and_coherent(dev: Device, mask: number): number {
  const rc = dma_set_mask(dev, mask);
  return rc === 0 ? dma_set_coherent_mask(dev, mask) : rc;
}
/** dma_alloc_coherent(dev, size, &dma_handle, gfp): the mapping carries vaddr and dma_handle. */
export function dma_alloc_coherent(dev: Device, size: number, gfp: Gfp): DmaMapping | null {
  const k = dev.kernel;
  return k.dma.alloc_coherent(dev, size, gfp, k.caller("dma_alloc_attrs"));
}
export function dma_free_coherent(
  dev: Device,
  size: number,
  vaddr: number,
  dma_handle: number,
): void {
  const k = dev.kernel;
  k.dma.free_coherent(dev, size, vaddr, dma_handle, k.caller("dma_free_attrs"));
}
export function dma_map_single(
  dev: Device,
  ptr: KMem<unknown> | number,
  size: number,
  dir: DmaDirection,
): number {
  const k = dev.kernel;
  return k.dma.map_single(dev, ptr, size, dir, k.caller("dma_map_page_attrs"));
}
export function dma_unmap_single(dev: Device, dma: number, size: number, dir: DmaDirection): void {
  const k = dev.kernel;
  k.dma.unmap_single(dev, dma, size, dir, k.caller("dma_unmap_page_attrs"));
}
export function dma_mapping_error(_dev: Device, dma: number): boolean {
  return dma === DMA_MAPPING_ERROR;
}
