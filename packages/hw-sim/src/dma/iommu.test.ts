import { describe, expect, it } from "vitest";
import { analyzeImports, importText } from "@devscope/tracer";
import {
  GFP_KERNEL,
  dma_alloc_coherent,
  dma_free_coherent,
  dma_pool_alloc,
  dma_pool_create,
  dma_pool_free,
  pci_clear_master,
  pci_enable_device,
  pci_set_master,
  type PciDev,
} from "@devscope/core";
import { Machine } from "../machine.js";
import { NicDevice } from "../devices/nic/nic-device.js";
import type { IommuMode } from "./iommu.js";

function rig(iommu: IommuMode = "translate"): {
  m: Machine;
  nic: NicDevice;
  pdev: PciDev;
  other: PciDev;
} {
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
    const buf = k.runAs(k.init, () =>
      k.call("my_open", () => dma_alloc_coherent(pdev, 4096, GFP_KERNEL)),
    );
    if (buf === null) throw new Error("no buffer");
    k.runAs(k.init, () =>
      k.call("my_close", () => dma_free_coherent(pdev, 4096, buf.vaddr, buf.dma_handle)),
    );
    expect(nic.dma.write(buf.dma_handle, new Uint8Array(64), "rx packet data")).toBe(false);
    const f = m.faults[0];
    expect(f).toMatchObject({
      reason: "after-free",
      write: true,
      blocked: true,
      reported: true,
      purpose: "rx packet data",
      lenBytes: 64,
    });
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
    expect(m.faults.map((f) => [f.reason, f.blocked, f.reported, f.target?.kind])).toEqual([
      ["bus-master-off", true, false, "coherent"],
    ]);
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
    expect(m.faults.map((f) => [f.reason, f.blocked, f.target?.pool])).toEqual([
      ["pool-free-block", false, "cbs"],
    ]);
  });

  it("in passthrough the stale DMA lands in memory and is only recorded", () => {
    const { m, nic, pdev } = rig("passthrough");
    const k = m.kernel;
    const buf = k.runAs(k.init, () => dma_alloc_coherent(pdev, 4096, GFP_KERNEL));
    if (buf === null) throw new Error("no buffer");
    k.runAs(k.init, () => dma_free_coherent(pdev, 4096, buf.vaddr, buf.dma_handle));
    expect(nic.dma.write(buf.dma_handle, new Uint8Array([9]), "late")).toBe(true);
    expect(m.memory.read(buf.vaddr, 1)[0]).toBe(9);
    expect(m.faults.map((f) => [f.reason, f.blocked, f.reported])).toEqual([
      ["after-free", false, false],
    ]);
    // No IOMMU fault line; only the checker's own report says what the device hit.
    expect(
      k.dmesg.filter((e) => e.kind === "report").map((e) => (e.kind === "report" ? e.report : "")),
    ).toEqual(["kasan-use-after-free"]);
  });

  it("the checker reports what a faulting access hit in KASAN's line shapes, once per target", () => {
    const { m, nic, pdev } = rig();
    const k = m.kernel;
    const ip = k.task("ip");
    const buf = k.runAs(ip, () =>
      k.call("__dev_open", () =>
        k.at("rtl_open+0x308/0x3e0 [sim_r8169]", () => dma_alloc_coherent(pdev, 256, GFP_KERNEL)),
      ),
    );
    if (buf === null) throw new Error("no buffer");
    k.runAs(k.init, () =>
      k.call("__dev_close_many", () =>
        k.at("rtl8169_close+0x144/0x240 [sim_r8169]", () =>
          dma_free_coherent(pdev, 256, buf.vaddr, buf.dma_handle),
        ),
      ),
    );
    for (let i = 0; i < 3; i++) nic.dma.read(buf.dma_handle + 0xc0, 16, "rx descriptor fetch");
    const lines = k.dmesg.map((e) => ("text" in e ? e.text : ""));
    const start = lines.indexOf(
      "BUG: KASAN: use-after-free in DMA read by 0000:00:03.0 (rx descriptor fetch)",
    );
    const vaddr = (buf.vaddr + 0x8880_0000_0000).toString(16);
    expect(
      lines.slice(start - 2, start + 19).map((l) => l.replace(/\+0x[0-9a-f]+\/0x[0-9a-f]+/g, "+…")),
    ).toEqual([
      `DMAR: [DMA Read NO_PASID] Request device [00:03.0] fault addr 0x${buf.dma_handle.toString(16)} [fault reason 0x06] PTE Read access is not set`,
      "==================================================================",
      "BUG: KASAN: use-after-free in DMA read by 0000:00:03.0 (rx descriptor fetch)",
      `Read of size 16 at addr ffff${(buf.vaddr + 0xc0 + 0x8880_0000_0000).toString(16)} by device 0000:00:03.0 (bus address 0x${(buf.dma_handle + 0xc0).toString(16)})`,
      "",
      `Allocated by task ${ip.pid}:`,
      " dma_alloc_attrs+…",
      " rtl_open+… [sim_r8169]",
      " __dev_open+…",
      "",
      "Freed by task 1:",
      " dma_free_attrs+…",
      " rtl8169_close+… [sim_r8169]",
      " __dev_close_many+…",
      "",
      `The buggy address belongs to the object at ffff${vaddr}`,
      " which belongs to the coherent DMA buffer of size 256",
      "The buggy address is located 192 bytes inside of",
      ` 256-byte region [ffff${vaddr}, ffff${(buf.vaddr + 256 + 0x8880_0000_0000).toString(16)})`,
      "==================================================================",
      "DMAR: DRHD: handling fault status reg 2",
    ]);
    // Three faults, three DMAR fault lines, one checker report.
    expect(m.faults).toHaveLength(3);
    expect(lines.filter((l) => l.startsWith("BUG: KASAN:"))).toHaveLength(1);
    expect([m.checkerReport.printed, m.checkerReport.repeated]).toEqual([1, 2]);
  });

  it("names the pool block and who allocated and freed it; a dropped access (bus mastering off) is not reported", () => {
    const { m, nic, pdev } = rig();
    const k = m.kernel;
    const pool = k.runAs(k.init, () => dma_pool_create("cbs", pdev, 256, 8, 0));
    if (pool === null) throw new Error("no pool");
    const a = k.runAs(k.task("ip"), () =>
      k.at("e100_up+0x1c4/0x2a0 [sim_e100]", () => dma_pool_alloc(pool, GFP_KERNEL)),
    );
    const b = k.runAs(k.task("ip"), () =>
      k.at("e100_up+0x1c4/0x2a0 [sim_e100]", () => dma_pool_alloc(pool, GFP_KERNEL)),
    );
    if (a === null || b === null) throw new Error("no block");
    k.runAs(k.task("ip"), () =>
      k.at("e100_down+0x9a/0x1e0 [sim_e100]", () => dma_pool_free(pool, b.vaddr, b.dma)),
    );
    expect(nic.dma.write(b.dma + 8, new Uint8Array(8), "cb status write-back")).toBe(true);
    expect(m.faults[0]?.target).toMatchObject({
      kind: "pool-block",
      pool: "cbs",
      allocSite: "e100_up+0x1c4/0x2a0 [sim_e100]",
      freeSite: "e100_down+0x9a/0x1e0 [sim_e100]",
      reqBytes: 256,
    });
    const lines = k.dmesg.map((e) => ("text" in e ? e.text : ""));
    expect(lines).toContain(
      "BUG: KASAN: use-after-free in DMA write by 0000:00:03.0 (cb status write-back)",
    );
    expect(lines).toContain(" which belongs to the dma pool cbs of size 256");
    expect(lines).toContain("The buggy address is located 8 bytes inside of");
    expect(lines).toContain(" e100_down+0x9a/0x1e0 [sim_e100]");
    expect(lines.some((l) => l.startsWith("DMAR:"))).toBe(false);
    // A burst from the live block a that runs into b: out-of-bounds of a's block.
    expect(nic.dma.read(a.dma + 200, 100, "cb fetch")).toBeNull();
    expect(lines.length).toBeLessThan(k.dmesg.length);
    const more = k.dmesg.map((e) => ("text" in e ? e.text : ""));
    expect(more).toContain("BUG: KASAN: out-of-bounds in DMA read by 0000:00:03.0 (cb fetch)");
    expect(more).toContain("The buggy address is located 200 bytes inside of");
    const before = k.dmesg.length;
    pci_clear_master(pdev);
    nic.dma.write(b.dma, new Uint8Array(4), "late");
    expect(m.faults.at(-1)?.reason).toBe("bus-master-off");
    expect(k.dmesg.length).toBe(before);
  });

  it("end to end: a write into a free pool block, which the IOMMU allows, becomes a dma-fault naming the pool and both sites", () => {
    const m = new Machine({
      seed: 8,
      trace: { console: true, devres: true, marker: true },
      kernel: { consoleLoglevel: 8 },
    });
    const nic = new NicDevice(m);
    const pdev = m.bus.plug(nic, 3);
    const k = m.kernel;
    pci_enable_device(pdev);
    pci_set_master(pdev);
    const pool = k.runAs(k.init, () => dma_pool_create("eth0", pdev, 576, 4, 0));
    if (pool === null) throw new Error("no pool");
    const cb = k.runAs(k.task("ip"), () =>
      k.at("e100_up+0x1c4/0x2a0 [sim_e100]", () => dma_pool_alloc(pool, GFP_KERNEL)),
    );
    if (cb === null) throw new Error("no block");
    k.runAs(k.task("ip"), () =>
      k.at("e100_down+0x9a/0x1e0 [sim_e100]", () => dma_pool_free(pool, cb.vaddr, cb.dma)),
    );
    k.marker("scenario: stale status write-back");
    nic.dma.write(cb.dma + 2, new Uint8Array(2), "cb status write-back");
    const a = analyzeImports([importText(k.traceText(), { path: "free-block.txt" })]);
    expect(a.findings.map((f) => f.rule)).toEqual(["dma-fault"]);
    expect(a.findings[0]?.details).toMatchObject({
      faults: 0,
      checkerReports: 1,
      pool: "eth0",
      bugType: "use-after-free",
    });
    expect(a.findings[0]?.message).toContain(
      "saw a write of 2 bytes at bus address 0x" +
        (cb.dma + 2).toString(16) +
        ' (cb status write-back), 2 bytes into a free 576-byte block of DMA pool "eth0" — allocated by e100_up+0x1c4/0x2a0 [sim_e100]',
    );
    expect(a.findings[0]?.message).toContain("freed by e100_down+0x9a/0x1e0 [sim_e100]");
    expect(a.findings[0]?.message).toContain("the IOMMU let it through");
  });

  it("ratelimits DMAR lines like the kernel (10 per 5 s)", () => {
    const { m, nic } = rig();
    for (let i = 0; i < 25; i++) nic.dma.read(0x10_0000_0000 + i * 4096, 4, "wild");
    expect(m.faults.filter((f) => f.reported)).toHaveLength(10);
    expect(m.dmar.suppressed).toBe(15);
  });
});
