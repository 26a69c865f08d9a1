import { describe, expect, it } from "vitest";
import {
  DMA_BIT_MASK,
  GFP_KERNEL,
  dma_alloc_coherent,
  dma_set_mask_and_coherent,
  ioremap,
  pci_enable_device,
  pci_resource_start,
  pci_set_master,
  type IoMem,
  type PciDev,
} from "@devscope/core";
import { Machine } from "../machine.js";
import { NicDevice } from "../devices/nic/nic-device.js";
import * as R from "../devices/nic/nic-regs.js";
import { le64 } from "../dma/guest-memory.js";
import {
  nic_configure_rings,
  nic_read_mac,
  nic_rx_fill,
  nic_rx_free,
  nic_rx_reap,
  nic_write_mac,
  type RxBuffer,
} from "./nic-hw.js";

function rig(): { m: Machine; nic: NicDevice; pdev: PciDev; io: IoMem } {
  const m = new Machine({ seed: 4, trace: false });
  const nic = new NicDevice(m, { msiVectors: 0, mac: [0x52, 0x54, 0, 0xab, 0xcd, 0xef] });
  const pdev = m.bus.plug(nic, 3);
  pci_enable_device(pdev);
  pci_set_master(pdev);
  expect(dma_set_mask_and_coherent(pdev.dev, DMA_BIT_MASK(64))).toBe(0);
  const io = ioremap(m.kernel, pci_resource_start(pdev, 0), R.NIC_BAR0_BYTES);
  if (io === null) throw new Error("no mapping");
  return { m, nic, pdev, io };
}

describe("the NIC model's programming, shared by sim-r8169 and sim-e100", () => {
  it("reads and writes back the station address", () => {
    const { io } = rig();
    expect(nic_read_mac(io)).toEqual([0x52, 0x54, 0, 0xab, 0xcd, 0xef]);
    nic_write_mac(io, [2, 0, 0, 0, 0, 1]);
    expect(nic_read_mac(io)).toEqual([2, 0, 0, 0, 0, 1]);
    expect((io.read32(R.RAH0) & R.RAH_AV) >>> 0).toBe(R.RAH_AV);
  });

  it("posts a mapped page per descriptor, programs both rings, and reaps what the NIC received", () => {
    const { m, nic, pdev, io } = rig();
    const k = m.kernel;
    const rx = dma_alloc_coherent(pdev.dev, 8 * R.DESC_BYTES, GFP_KERNEL);
    const tx = dma_alloc_coherent(pdev.dev, 8 * R.DESC_BYTES, GFP_KERNEL);
    if (rx === null || tx === null) throw new Error("no rings");
    const bufs: RxBuffer[] = [];
    expect(nic_rx_fill(pdev.dev, rx.bytes(), 8, GFP_KERNEL, "test_fill+0x1/0x2", bufs)).toBe(0);
    expect(bufs).toHaveLength(8);
    expect(le64(rx.bytes(), 3 * R.DESC_BYTES)).toBe(bufs[3]?.dma);
    nic_configure_rings(io, { dma: rx.dma_handle, count: 8 }, { dma: tx.dma_handle, count: 8 });
    expect([io.read32(R.RDLEN), io.read32(R.RDT), io.read32(R.TDLEN), io.read32(R.TDT)]).toEqual([
      8 * R.DESC_BYTES,
      7,
      8 * R.DESC_BYTES,
      0,
    ]);
    expect(io.read32(R.RCTL) & R.RCTL_EN).toBe(R.RCTL_EN);
    for (let i = 0; i < 3; i++) expect(nic.receive(100 + i)).toBe(true);
    let frames = 0;
    const cur = nic_rx_reap(io, rx.bytes(), 0, 8, () => frames++);
    expect([cur, frames]).toEqual([3, 3]);
    // Reaped descriptors went back to the NIC: nothing more to reap until new frames arrive.
    expect(nic_rx_reap(io, rx.bytes(), cur, 8, () => frames++)).toBe(3);
    expect(io.read32(R.RDT)).toBe(2);
    nic_rx_free(pdev.dev, bufs, "test_free+0x1/0x2");
    expect(bufs).toEqual([]);
    expect(k.dma.liveMappings(pdev.dev)).toHaveLength(2); // only the two rings
  });

  it("on a failed page allocation returns -ENOMEM and leaves what it posted to the caller's cleanup", () => {
    const { m, pdev } = rig();
    const k = m.kernel;
    const ring = new Uint8Array(4 * R.DESC_BYTES);
    const bufs: RxBuffer[] = [];
    k.faults.failNext("pages", 1, 2);
    expect(nic_rx_fill(pdev.dev, ring, 4, GFP_KERNEL, "test_fill+0x1/0x2", bufs)).toBe(-12);
    expect(bufs).toHaveLength(2);
    nic_rx_free(pdev.dev, bufs, "test_free+0x1/0x2");
    expect(k.dma.liveMappings(pdev.dev)).toHaveLength(0);
  });
});
