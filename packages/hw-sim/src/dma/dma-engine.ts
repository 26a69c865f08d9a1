import type { Device } from "@devscope/core";
import type { DmaFaultReason, DmaFaultRecord, DmaTargetInfo } from "./dma-fault.js";
import { targetInfo } from "./iommu.js";
import type { Machine } from "../machine.js";

/** What a device function exposes to its DMA engine: identity, presence, bus mastering. */
export interface DmaInitiator {
  readonly present: boolean;
  /** COMMAND.MASTER as the device sees it. */
  readonly busMaster: boolean;
  /** The kernel's struct device of the function (null before enumeration). */
  readonly kdev: Device | null;
}

/**
 * A device's bus-master engine: every read and write goes through, in order, the device's
 * presence (surprise-removed devices do nothing), Bus Master Enable (cleared → the access
 * never leaves the device, as QEMU's bus_master_enable_region does), the IOMMU-like checker,
 * the DMA pool block table, and finally guest memory — so a stale DMA in passthrough mode
 * really lands in (possibly reused) memory. Every refused or suspicious access is recorded
 * with the allocation and free sites of what it hit.
 */
export class DmaEngine {
  /** Accesses dropped because bus mastering was off, count. */
  blockedBme = 0;
  /** Bytes moved successfully. */
  bytesRead = 0;
  bytesWritten = 0;

  constructor(
    private readonly m: Machine,
    private readonly fn: DmaInitiator,
  ) {}

  /** DMA read of `len` bytes at bus address `iova`; null when the access did not complete. */
  read(iova: number, len: number, purpose: string): Uint8Array | null {
    const phys = this.access(iova, len, false, purpose);
    if (phys === null) return null;
    this.bytesRead += len;
    return this.m.memory.read(phys, len);
  }

  /** DMA write of `bytes` at bus address `iova`; false when the access did not complete. */
  write(iova: number, bytes: Uint8Array, purpose: string): boolean {
    const phys = this.access(iova, bytes.length, true, purpose);
    if (phys === null) return false;
    this.bytesWritten += bytes.length;
    this.m.memory.write(phys, bytes);
    return true;
  }

  /** Physical address the access reaches, or null when it is dropped or faults. */
  private access(iova: number, len: number, write: boolean, purpose: string): number | null {
    const fn = this.fn;
    const dev = fn.kdev;
    if (!fn.present || dev === null) return null;
    const iommu = this.m.iommu;
    const v = iommu.check(dev, iova, len, write);
    if (!fn.busMaster) {
      // The request never leaves the device. Recorded with what it would have hit (a freed
      // buffer here means the quiesce came just in time — or only by luck of ordering).
      this.blockedBme++;
      this.record(
        dev,
        iova,
        len,
        write,
        purpose,
        "bus-master-off",
        v.ok ? targetInfo(v.mapping) : v.target,
        true,
        false,
      );
      return null;
    }
    if (iommu.mode === "translate") {
      if (!v.ok) {
        const reported = this.m.dmar.report(dev.name, v.faultIova, write);
        this.record(dev, iova, len, write, purpose, v.reason, v.target, true, reported);
        return null;
      }
      if (v.poolFreeBlock !== undefined)
        this.record(
          dev,
          iova,
          len,
          write,
          purpose,
          "pool-free-block",
          v.poolFreeBlock,
          false,
          false,
        );
      return v.phys;
    }
    // Passthrough: bus address = physical address; the hardware checks nothing.
    if (!v.ok) this.record(dev, iova, len, write, purpose, v.reason, v.target, false, false);
    else if (v.poolFreeBlock !== undefined)
      this.record(dev, iova, len, write, purpose, "pool-free-block", v.poolFreeBlock, false, false);
    return iova - dev.dma_offset;
  }

  private record(
    dev: Device,
    iova: number,
    len: number,
    write: boolean,
    purpose: string,
    reason: DmaFaultReason,
    target: DmaTargetInfo | undefined,
    blocked: boolean,
    reported: boolean,
  ): void {
    const r: DmaFaultRecord = {
      ns: this.m.kernel.clock.now,
      device: dev.name,
      write,
      iova,
      lenBytes: len,
      reason,
      purpose,
      blocked,
      reported,
    };
    if (target !== undefined) r.target = target;
    this.m.recordFault(r);
  }
}
