/**
 * The programming model of the simulated NIC (e1000-shaped, devices/nic/): what every driver of
 * it does the same way, whatever kernel driver it follows — sim-r8169 (r8169's resource order)
 * and sim-e100 (e100's manual ladder) both drive this one register file and descriptor layout.
 * Like e1000's e1000_configure_rx / e1000_configure_tx / e1000_clean_rx_irq / e1000_read_mac_addr
 * (drivers/net/ethernet/intel/e1000/e1000_main.c), written once.
 */
import {
  ENOMEM,
  dma_map_single,
  dma_mapping_error,
  dma_unmap_single,
  type Device,
  type Gfp,
  type IoMem,
} from "@devscope/core";
import { le16, put64 } from "../dma/guest-memory.js";
import * as R from "../devices/nic/nic-regs.js";

/** Bytes of each RX buffer the drivers post (one order-0 page each, mapped for 2 KiB). */
export const RX_BUF_BYTES = 2048;

/** One posted RX buffer: its page and the bus address the NIC writes to. */
export interface RxBuffer {
  phys: number;
  dma: number;
}

/** A descriptor ring the NIC walks: bus address of descriptor 0 and the descriptor count. */
export interface NicRing {
  dma: number;
  count: number;
}

/**
 * e1000_configure_rx/tx: ring bases (64-bit, split in two registers), lengths in bytes, heads
 * at 0, the RX tail at the last descriptor (every descriptor posted) and the TX tail at 0
 * (nothing queued); then the receiver and the transmitter on.
 */
export function nic_configure_rings(io: IoMem, rx: NicRing, tx: NicRing): void {
  io.write32(rx.dma % 0x100000000, R.RDBAL);
  io.write32(Math.floor(rx.dma / 0x100000000), R.RDBAH);
  io.write32(rx.count * R.DESC_BYTES, R.RDLEN);
  io.write32(0, R.RDH);
  io.write32(rx.count - 1, R.RDT);
  io.write32(tx.dma % 0x100000000, R.TDBAL);
  io.write32(Math.floor(tx.dma / 0x100000000), R.TDBAH);
  io.write32(tx.count * R.DESC_BYTES, R.TDLEN);
  io.write32(0, R.TDH);
  io.write32(0, R.TDT);
  io.write32(R.RCTL_EN, R.RCTL);
  io.write32(R.TCTL_EN, R.TCTL);
}

/** e1000_read_mac_addr: the station address the EEPROM loaded into RAL0/RAH0. */
export function nic_read_mac(io: IoMem): number[] {
  const ral = io.read32(R.RAL0);
  const rah = io.read32(R.RAH0);
  return [
    ral & 0xff,
    (ral >>> 8) & 0xff,
    (ral >>> 16) & 0xff,
    ral >>> 24,
    rah & 0xff,
    (rah >>> 8) & 0xff,
  ];
}

/** Write a station address back to RAL0/RAH0 (address valid), as remove() restores the permanent MAC. */
export function nic_write_mac(io: IoMem, a: readonly number[]): void {
  io.write32(
    ((a[0] ?? 0) | ((a[1] ?? 0) << 8) | ((a[2] ?? 0) << 16) | ((a[3] ?? 0) << 24)) >>> 0,
    R.RAL0,
  );
  io.write32(((a[4] ?? 0) | ((a[5] ?? 0) << 8) | R.RAH_AV) >>> 0, R.RAH0);
}

/**
 * e1000_clean_rx_irq: from descriptor `cur`, hand every completed descriptor (DD written back
 * by the NIC) to the stack — `onFrame` for those that carry data — clear its status and give it
 * back through the tail register. At most one lap. Returns the next descriptor to look at.
 */
export function nic_rx_reap(
  io: IoMem,
  ring: Uint8Array,
  cur: number,
  count: number,
  onFrame: () => void,
): number {
  for (let n = 0; n < count; n++) {
    const off = cur * R.DESC_BYTES;
    if (((ring[off + 12] ?? 0) & R.RXD_STAT_DD) === 0) break;
    if (le16(ring, off + 8) > 0) onFrame();
    ring[off + 12] = 0;
    io.write32(cur, R.RDT);
    cur = (cur + 1) % count;
  }
  return cur;
}

/**
 * Post a buffer in each of the ring's `count` descriptors: a page (allocated with `gfp`, call
 * site `site`), mapped DMA_FROM_DEVICE, its bus address in the descriptor. Buffers are appended
 * to `bufs` as they are made; on failure -ENOMEM is returned and what was made stays in `bufs`
 * for the driver's own cleanup path (nic_rx_free).
 */
export function nic_rx_fill(
  dev: Device,
  ring: Uint8Array,
  count: number,
  gfp: Gfp,
  site: string,
  bufs: RxBuffer[],
): number {
  const k = dev.kernel;
  for (let i = 0; i < count; i++) {
    const phys = k.pages.alloc(0, gfp, site);
    if (phys === null) return -ENOMEM;
    const dma = dma_map_single(dev, phys, RX_BUF_BYTES, "DMA_FROM_DEVICE");
    if (dma_mapping_error(dev, dma)) {
      k.pages.free(phys, 0, site);
      return -ENOMEM;
    }
    bufs.push({ phys, dma });
    put64(ring, i * R.DESC_BYTES, dma);
  }
  return 0;
}

/** Unmap and free every posted RX buffer (`site`: the driver function freeing them); empties `bufs`. */
export function nic_rx_free(dev: Device, bufs: RxBuffer[], site: string): void {
  const k = dev.kernel;
  for (const b of bufs) {
    dma_unmap_single(dev, b.dma, RX_BUF_BYTES, "DMA_FROM_DEVICE");
    k.pages.free(b.phys, 0, site);
  }
  bufs.length = 0;
}
