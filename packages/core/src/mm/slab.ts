import type { Kernel } from "../kernel/kernel.js";
import { __GFP_ACCOUNT, __GFP_ZERO, gfpString, type Gfp } from "../kernel/gfp.js";
import { PAGE_SIZE, get_order } from "./page-alloc.js";

/** kmalloc caches of x86-64 SLUB (mm/slab_common.c :: kmalloc_info), bytes. */
export const KMALLOC_SIZES: readonly number[] = [
  8, 16, 32, 64, 96, 128, 192, 256, 512, 1024, 2048, 4096, 8192,
];
/** Larger requests go to the page allocator (kmalloc_large), bytes. */
export const KMALLOC_MAX_CACHE_SIZE = 8192;
/** include/linux/slab.h :: ZERO_SIZE_PTR, what kmalloc(0) returns. */
export const ZERO_SIZE_PTR = 16;

/** mm/slab_common.c :: kmalloc_size_roundup: the bytes a request of `size` really gets. */
export function kmalloc_size_roundup(size: number): number {
  if (size <= 0) return 0;
  if (size > KMALLOC_MAX_CACHE_SIZE) return PAGE_SIZE * 2 ** get_order(size);
  for (const s of KMALLOC_SIZES) if (size <= s) return s;
  return KMALLOC_MAX_CACHE_SIZE;
}

/** Who did something, for KASAN's "Allocated by task" / "Freed by task". */
export interface TaskStamp {
  comm: string;
  pid: number;
  ns: number;
  /** `%pS` of the caller. */
  site: string;
  /** The simulated call stack at that moment, innermost first. */
  stack: readonly string[];
}

/**
 * One slab object (or one kmalloc_large block). The record outlives the free: a stale handle
 * still points at it, which is how a use-after-free or a double free is recognised — the
 * simulator's version of KASAN's shadow memory and alloc/free tracks.
 */
export class SlabObject {
  live = true;
  freed: TaskStamp | null = null;
  /** Whatever the kernel keeps here (a devres node, a driver struct); for by-address lookup. */
  owner: unknown = null;
  /** Bytes KASAN treats as addressable: bytesReq, or the whole bucket after ksize(). */
  validBytes: number;

  constructor(
    /** Physical address of the object (its `%p` is the direct-map address). */
    readonly addr: number,
    /** Cache size class in bytes, or 0 for kmalloc_large. */
    readonly cacheSize: number,
    /** Bytes requested. */
    readonly bytesReq: number,
    /** Bytes handed out (ksize). */
    readonly bytesAlloc: number,
    readonly allocated: TaskStamp,
  ) {
    this.validBytes = bytesReq;
  }
}

interface SlabCache {
  size: number;
  name: string;
  /** Free object addresses, LIFO (the per-cpu freelist). */
  free: number[];
  /** Pages per slab, as an order. */
  order: number;
}

/**
 * The kmalloc heap: SLUB-like size classes with stable addresses carved out of slab pages, a
 * LIFO freelist per class (so a freed address comes back first, as the real captures show),
 * kmem:kmalloc / kmem:kfree events, and KASAN-style checking of every free and checked access.
 */
export class SlabHeap {
  private readonly caches: SlabCache[];
  /** Object start → its latest record (live or freed). */
  private readonly objects = new Map<number, SlabObject>();
  /** Page frame → cache index of the slab it belongs to. */
  private readonly slabPages = new Map<number, number>();
  /** KASAN quarantine: freed objects not yet back on a freelist, FIFO. */
  private readonly quarantine: SlabObject[] = [];
  private quarantineHead = 0;
  private quarantineBytes = 0;
  /** Live objects and bytes, for leak accounting. */
  liveObjects = 0;
  liveBytes = 0;

  constructor(private readonly k: Kernel) {
    this.caches = KMALLOC_SIZES.map((size) => ({
      size,
      name: `kmalloc-${size >= 1024 ? `${size / 1024}k` : size}`,
      free: [],
      order: size <= 256 ? 0 : size <= 512 ? 1 : size <= 1024 ? 2 : 3,
    }));
  }

  /**
   * kmalloc(size, gfp) with `%pS` of the caller. Returns null when the allocation fails
   * (fault injection or no memory); kmalloc(0) is the caller's business (ZERO_SIZE_PTR).
   */
  kmalloc(size: number, gfp: Gfp, site: string): SlabObject | null {
    const k = this.k;
    k.tick(150);
    let obj: SlabObject | null = null;
    if (!k.faults.shouldFail("kmalloc")) {
      if (size > KMALLOC_MAX_CACHE_SIZE) {
        const order = get_order(size);
        const phys = k.pages.alloc(order, gfp, site);
        if (phys !== null)
          obj = new SlabObject(phys, 0, size, PAGE_SIZE * 2 ** order, k.stamp(site));
      } else {
        const cache = this.caches[this.cacheIndex(size)] as SlabCache;
        const addr =
          cache.free.length > 0 ? (cache.free.pop() as number) : this.grow(cache, gfp, site);
        if (addr !== null) obj = new SlabObject(addr, cache.size, size, cache.size, k.stamp(site));
      }
    }
    if (obj !== null) {
      this.objects.set(obj.addr, obj);
      this.liveObjects++;
      this.liveBytes += obj.bytesAlloc;
    }
    if (k.tracing.kmem) {
      k.emit(
        {
          kind: "kmalloc",
          callSite: site,
          ptr: obj === null ? "0000000000000000" : k.ptr(obj.addr),
          bytesReq: size,
          bytesAlloc: obj === null ? 0 : obj.bytesAlloc,
          gfp: gfpString(gfp),
          numaNode: -1,
          accounted: (gfp & __GFP_ACCOUNT) !== 0,
        },
        ".....",
      );
    }
    return obj;
  }

  /** kzalloc */
  kzalloc(size: number, gfp: Gfp, site: string): SlabObject | null {
    return this.kmalloc(size, gfp | __GFP_ZERO, site);
  }

  /**
   * kfree(obj). kfree(NULL) is traced and ignored, as in mm/slub.c :: kfree. Freeing an
   * object that is not live is reported the KASAN way (double-free) and changes nothing.
   * Returns whether memory was actually freed.
   */
  kfree(obj: SlabObject | null, site: string): boolean {
    const k = this.k;
    if (k.tracing.kmem)
      k.emit(
        { kind: "kfree", callSite: site, ptr: obj === null ? "0000000000000000" : k.ptr(obj.addr) },
        ".....",
      );
    if (obj === null || obj.addr === ZERO_SIZE_PTR) return false;
    if (!obj.live || this.objects.get(obj.addr) !== obj) {
      k.kasan.invalidFree(obj, site);
      return false;
    }
    k.tick(100);
    obj.live = false;
    obj.freed = k.stamp(site);
    this.liveObjects--;
    this.liveBytes -= obj.bytesAlloc;
    if (obj.cacheSize === 0) {
      k.pages.free(obj.addr, get_order(obj.bytesAlloc), site);
      return true;
    }
    const limit = k.config.kasan ? k.config.kasanQuarantineBytes : 0;
    if (limit > 0) {
      this.quarantine.push(obj);
      this.quarantineBytes += obj.bytesAlloc;
      while (this.quarantineBytes > limit && this.quarantineHead < this.quarantine.length) {
        const old = this.quarantine[this.quarantineHead++] as SlabObject;
        this.quarantineBytes -= old.bytesAlloc;
        this.release(old);
      }
      if (this.quarantineHead > 1024 && this.quarantineHead * 2 > this.quarantine.length) {
        this.quarantine.splice(0, this.quarantineHead);
        this.quarantineHead = 0;
      }
    } else {
      this.release(obj);
    }
    return true;
  }

  /** ksize(): the usable size of a live object, bytes. */
  ksize(obj: SlabObject): number {
    return obj.bytesAlloc;
  }

  /** The object record (live or last freed) whose memory contains `phys`, if any. */
  objectAt(phys: number): SlabObject | undefined {
    const exact = this.objects.get(phys);
    if (exact !== undefined) return exact;
    const idx = this.slabPages.get(Math.floor(phys / PAGE_SIZE));
    if (idx === undefined) return undefined;
    const cache = this.caches[idx] as SlabCache;
    const slabBytes = PAGE_SIZE * 2 ** cache.order;
    const base = Math.floor(phys / slabBytes) * slabBytes;
    return this.objects.get(base + Math.floor((phys - base) / cache.size) * cache.size);
  }

  /** Name of the cache an object came from (`kmalloc-96`), or `kmalloc-large`. */
  cacheName(obj: SlabObject): string {
    if (obj.cacheSize === 0) return "kmalloc-large";
    return (this.caches[this.cacheIndex(obj.cacheSize)] as SlabCache).name;
  }

  private release(obj: SlabObject): void {
    (this.caches[this.cacheIndex(obj.cacheSize)] as SlabCache).free.push(obj.addr);
  }

  private cacheIndex(size: number): number {
    // mm/slab_common.c :: kmalloc_slab / size_index: 65..96 → kmalloc-96, 129..192 → kmalloc-192.
    if (size <= 8) return 0;
    if (size <= 16) return 1;
    if (size <= 32) return 2;
    if (size <= 64) return 3;
    if (size <= 96) return 4;
    if (size <= 128) return 5;
    if (size <= 192) return 6;
    if (size <= 256) return 7;
    if (size <= 512) return 8;
    if (size <= 1024) return 9;
    if (size <= 2048) return 10;
    if (size <= 4096) return 11;
    return 12;
  }

  /** allocate_slab: a new slab from the page allocator, objects handed out lowest address first. */
  private grow(cache: SlabCache, gfp: Gfp, site: string): number | null {
    const base = this.k.pages.alloc(cache.order, gfp & ~__GFP_ZERO, site);
    if (base === null) return null;
    const slabBytes = PAGE_SIZE * 2 ** cache.order;
    for (let p = 0; p < 2 ** cache.order; p++)
      this.slabPages.set(base / PAGE_SIZE + p, this.cacheIndex(cache.size));
    const n = Math.floor(slabBytes / cache.size);
    for (let i = n - 1; i >= 1; i--) cache.free.push(base + i * cache.size);
    return base;
  }
}
