import { describe, expect, it } from "vitest";
import { GFP_KERNEL, dma_alloc_coherent, dma_free_coherent, dma_pool_alloc, dma_pool_create, dma_pool_free, pci_clear_master, pci_enable_device, pci_set_master, type PciDev } from "@devscope/core";
import { Machine } from "../machine.js";
import { NicDevice } from "../devices/nic/nic-device.js";
import type { IommuMode } from "./iommu.js";

function rig(iommu: IommuMode = "translate"): { m: Machine; nic: NicDevice; pdev: PciDev; other: PciDev } {
  const m = new Machine({ seed: 5, iommu, trace: false });
  const nic = new NicDevice(m);
  const pdev = m.bus.plug(nic, 3);
  const other = m.bus.plug(new NicDevice(m), 4);
  pci_enable_device(pdev);
  pci_set_master(pdev);
  return { m, nic, pdev, other };
}

describe("IOMMU-like checker and DMA engine", () => {
  it("lets a device read and write its own live mapping, through guest memory shared with the kernel", () => {
    const { m, nic, pdev } = rig();
    const buf = m.kernel.runAs(m.kernel.init, () => dma_alloc_coherent(pdev, 4096, GFP_KERNEL));
    if (buf === null) throw new Error("no buffer");
    expect(nic.dma.write(buf.dma_handle + 16, new Uint8Array([1, 2, 3]), "test write")).toBe(true);
    expect([...buf.bytes().subarray(16, 19)]).toEqual([1, 2, 3]);
    buf.bytes()[100] = 0x5a;
    expect(nic.dma.read(buf.dma_handle + 100, 1, "test read")?.[0]).toBe(0x5a);
    expect(m.faults).toEqual([]);
  });

  it("faults DMA to a freed buffer and records its allocation and free sites (DMAR line printed)", () => {
    const { m, nic, pdev } = rig();
    const k = m.kernel;
    const buf = k.runAs(k.init, () => k.call("my_open", () => dma_alloc_coherent(pdev, 4096, GFP_KERNEL)));
    if (buf === null) throw new Error("no buffer");
    k.runAs(k.init, () => k.call("my_close", () => dma_free_coherent(pdev, 4096, buf.vaddr, buf.dma_handle)));
    expect(nic.dma.write(buf.dma_handle, new Uint8Array(64), "rx packet data")).toBe(false);
    const f = m.faults[0];
    expect(f).toMatchObject({ reason: "after-free", write: true, blocked: true, reported: true, purpose: "rx packet data", lenBytes: 64 });
    expect(f?.target?.allocSite).toMatch(/^my_open\+/);
    expect(f?.target?.freeSite).toMatch(/^my_close\+/);
    expect(k.dmesg.some((e) => e.kind === "report" && e.report === "iommu-fault")).toBe(true);
  });

  it("faults a burst that runs past the end of its mapping, never-mapped addresses and other devices' memory", () => {
    const { m, nic, other } = rig();
    const k = m.kernel;
    const theirs = k.runAs(k.init, () => dma_alloc_coherent(other, 4096, GFP_KERNEL));
    const ours = k.runAs(k.init, () => dma_alloc_coherent(nic.pdev as PciDev, 4096, GFP_KERNEL));
    if (theirs === null || ours === null) throw new Error("no buffer");
    expect(nic.dma.read(ours.dma_handle + 4032, 80, "prefetch")).toBeNull();
    expect(nic.dma.read(0x7000_0000_0000, 4, "wild")).toBeNull();
    expect(nic.dma.read(theirs.dma_handle, 4, "other")).toBeNull();
    expect(m.faults.map((f) => f.reason)).toEqual(["out-of-bounds", "unmapped", "other-device"]);
  });

  it("drops DMA with bus mastering off (recorded with its target) and from a removed device (not recorded)", () => {
    const { m, nic, pdev } = rig();
    const k = m.kernel;
    const buf = k.runAs(k.init, () => dma_alloc_coherent(pdev, 4096, GFP_KERNEL));
    if (buf === null) throw new Error("no buffer");
    pci_clear_master(pdev);
    expect(nic.dma.write(buf.dma_handle, new Uint8Array(4), "x")).toBe(false);
    expect(nic.dma.blockedBme).toBe(1);
    pci_set_master(pdev);
    nic.yank();
    expect(nic.dma.write(buf.dma_handle, new Uint8Array(4), "x")).toBe(false);
    expect(m.faults.map((f) => [f.reason, f.blocked, f.reported, f.target?.kind])).toEqual([["bus-master-off", true, false, "coherent"]]);
  });

  it("flags DMA into a free pool block, which the IOMMU cannot see (the page stays mapped)", () => {
    const { m, nic, pdev } = rig();
    const k = m.kernel;
    const pool = k.runAs(k.init, () => dma_pool_create("cbs", pdev, 256, 8, 0));
    if (pool === null) throw new Error("no pool");
    const a = dma_pool_alloc(pool, GFP_KERNEL);
    const b = dma_pool_alloc(pool, GFP_KERNEL);
    if (a === null || b === null) throw new Error("no block");
    dma_pool_free(pool, b.vaddr, b.dma);
    expect(nic.dma.write(a.dma, new Uint8Array(8), "status")).toBe(true);
    expect(nic.dma.write(b.dma, new Uint8Array(8), "stale status")).toBe(true);
    expect(m.faults.map((f) => [f.reason, f.blocked, f.target?.pool])).toEqual([["pool-free-block", false, "cbs"]]);
  });

  it("in passthrough the stale DMA lands in memory and is only recorded", () => {
    const { m, nic, pdev } = rig("passthrough");
    const k = m.kernel;
    const buf = k.runAs(k.init, () => dma_alloc_coherent(pdev, 4096, GFP_KERNEL));
    if (buf === null) throw new Error("no buffer");
    k.runAs(k.init, () => dma_free_coherent(pdev, 4096, buf.vaddr, buf.dma_handle));
    expect(nic.dma.write(buf.dma_handle, new Uint8Array([9]), "late")).toBe(true);
    expect(m.memory.read(buf.vaddr, 1)[0]).toBe(9);
    expect(m.faults.map((f) => [f.reason, f.blocked, f.reported])).toEqual([["after-free", false, false]]);
    expect(k.dmesg.some((e) => e.kind === "report")).toBe(false);
  });

  it("ratelimits DMAR lines like the kernel (10 per 5 s)", () => {
    const { m, nic } = rig();
    for (let i = 0; i < 25; i++) nic.dma.read(0x10_0000_0000 + i * 4096, 4, "wild");
    expect(m.faults.filter((f) => f.reported)).toHaveLength(10);
    expect(m.dmar.suppressed).toBe(15);
  });
});
