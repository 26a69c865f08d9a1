import type { Device, TaskStamp } from "@devscope/core";

/** Why the IOMMU-like checker refused (or flagged) a device access. */
export type DmaFaultReason =
  /** Bus mastering off: the access never left the device (pci_clear_master, disable). */
  | "bus-master-off"
  /** No mapping of this device ever covered the address. */
  | "unmapped"
  /** The address belonged to a mapping of this device that was freed/unmapped (a tombstone). */
  | "after-free"
  /** The access started inside a live mapping (or pool block) and ran past its end. */
  | "out-of-bounds"
  /** The address is mapped, but for another device. */
  | "other-device"
  /** A write to a DMA_TO_DEVICE mapping or a read of a DMA_FROM_DEVICE one. */
  | "direction"
  /** The IOMMU allowed it (the pool page is mapped) but the block is on the pool's free list. */
  | "pool-free-block";

/** The memory an access hit, with where it came from and where it went. */
export interface DmaTargetInfo {
  kind: "coherent" | "single" | "pool-block";
  /** Bus address and size of the mapping (or pool block), bytes. */
  dma: number;
  sizeBytes: number;
  /** CPU physical address of the mapping (or block): its direct-map address is what KASAN-style reports print. */
  phys: number;
  /** Bytes the driver asked for: a coherent buffer maps whole pages, its object is the request. */
  reqBytes: number;
  /**
   * `%pS` of the allocation: the caller of dma_alloc_coherent / dma_map_single, or of
   * dma_pool_alloc for a pool block (core tracks each block's allocation).
   */
  allocSite: string;
  allocNs: number;
  /** `%pS` of the free/unmap (dma_pool_free's caller for a block), when freed. */
  freeSite?: string;
  freeNs?: number;
  /** Who allocated and who freed it: task and call stack (the checker report's tracks). */
  allocated?: TaskStamp;
  freed?: TaskStamp;
  /** Pool name for pool blocks. */
  pool?: string;
}

/** One device access the checker saw go wrong: what the hardware did and what it hit. */
export interface DmaFaultRecord {
  ns: number;
  /** dev_name of the device that issued the access. */
  device: string;
  write: boolean;
  /** First byte of the access, bus address. */
  iova: number;
  lenBytes: number;
  reason: DmaFaultReason;
  /** What the device was doing (`rx descriptor fetch`, `fence write`...). */
  purpose: string;
  target?: DmaTargetInfo;
  /** Whether the access was blocked (IOMMU fault, BME off) or went through to memory. */
  blocked: boolean;
  /** Whether the kernel printed a report for it (ratelimited DMAR lines, none in passthrough). */
  reported: boolean;
}

export function faultSummary(f: DmaFaultRecord): string {
  const dir = f.write ? "write" : "read";
  const at = `0x${f.iova.toString(16)}`;
  let s = `${f.device}: DMA ${dir} of ${f.lenBytes} bytes at ${at} (${f.purpose}): ${f.reason}`;
  const t = f.target;
  if (t !== undefined) {
    const what =
      t.kind === "pool-block"
        ? `block of pool "${t.pool ?? "?"}" allocated at ${t.allocSite}`
        : `${t.kind} buffer allocated at ${t.allocSite}`;
    s += ` — ${what} [0x${t.dma.toString(16)}, +${t.reqBytes})`;
    if (t.freeSite !== undefined) s += `, freed at ${t.freeSite}`;
  }
  return s;
}

/** Devices are compared by identity; this names one for records. */
export function deviceName(dev: Device): string {
  return dev.name;
}
