import { describe, expect, it } from "vitest";
import { Kernel } from "../kernel/kernel.js";
import { Device } from "../base/device.js";
import { GFP_KERNEL } from "../kernel/gfp.js";
import { devres_release_all } from "../devres/devres.js";
import { kmalloc } from "../mm/kmalloc.js";
import {
  DMA_BIT_MASK,
  DMA_MAPPING_ERROR,
  DMA_TOMBSTONES,
  dma_alloc_coherent,
  dma_free_coherent,
  dma_map_single,
  dma_set_mask_and_coherent,
  dma_unmap_single,
} from "./dma-mapping.js";
import { dmam_alloc_coherent, dmam_free_coherent } from "./devm-dma.js";
import { devresOps, dmesgTexts, must } from "../testing/trace-helpers.js";

function make(): { k: Kernel; dev: Device } {
  const k = new Kernel({ seed: 41, trace: { kmem: false }, config: { dmaApiDebug: true } });
  return { k, dev: new Device(k, "0000:00:03.0") };
}

describe("DMA API (kernel/dma/mapping.c)", () => {
  it("coherent buffers respect the device mask and are recorded with their bus address", () => {
    const { k, dev } = make();
    const low = must(dma_alloc_coherent(dev, 3000, GFP_KERNEL));
    expect(low.dma_handle + low.size - 1).toBeLessThanOrEqual(DMA_BIT_MASK(32));
    expect(low.size).toBe(4096);
    expect(dma_set_mask_and_coherent(dev, DMA_BIT_MASK(64))).toBe(0);
    const high = must(dma_alloc_coherent(dev, 8192, GFP_KERNEL));
    expect(high.dma_handle).toBeGreaterThan(DMA_BIT_MASK(32));
    expect(dma_set_mask_and_coherent(dev, 0xffff)).toBe(-5);
    expect(k.dma.lookup(low.dma_handle + 100)).toBe(low);
    dma_free_coherent(dev, 3000, low.vaddr, low.dma_handle);
    expect(k.dma.lookup(low.dma_handle)?.live).toBe(false);
  });

  it("remembers the most recent freed mappings (tombstones), a bounded number of them", () => {
    const { k, dev } = make();
    const first = must(dma_alloc_coherent(dev, 4096, GFP_KERNEL));
    const firstHandle = first.dma_handle;
    dma_free_coherent(dev, 4096, first.vaddr, first.dma_handle);
    // A device access right after the free hits the tombstone: "freed", not "unmapped".
    const verdict = k.dma.check(dev, firstHandle, 4, true);
    expect(verdict.ok ? "ok" : verdict.reason).toBe("freed");
    let last = first;
    for (let i = 0; i < DMA_TOMBSTONES; i++) {
      last = must(dma_alloc_coherent(dev, 4096, GFP_KERNEL));
      dma_free_coherent(dev, 4096, last.vaddr, last.dma_handle);
    }
    // Page reuse may put later buffers at the same address; the newest covering one answers.
    expect(k.dma.lookup(last.dma_handle)).toBe(last);
    expect(k.dma.liveMappings(dev)).toHaveLength(0);
    // The oldest has aged out of the ring: it is no longer what the table answers with.
    expect(k.dma.lookup(firstHandle)).not.toBe(first);
  });

  it("each mapping records the requested size and who mapped and unmapped it (task, site, stack)", () => {
    const { k, dev } = make();
    const ip = k.task("ip");
    const ring = must(
      k.runAs(ip, () => k.call("rtl_open", () => dma_alloc_coherent(dev, 256, GFP_KERNEL))),
    );
    expect([ring.reqBytes, ring.size]).toEqual([256, 4096]);
    expect(ring.allocated).toMatchObject({ pid: ip.pid, comm: "ip", site: ring.allocSite });
    expect(ring.allocated?.stack.map((f) => f.replace(/\+.*/, ""))).toEqual(["rtl_open"]);
    expect(ring.freed).toBeNull();
    k.runAs(k.init, () =>
      k.call("__dev_close_many", () =>
        k.call("rtl8169_close", () => dma_free_coherent(dev, 256, ring.vaddr, ring.dma_handle)),
      ),
    );
    expect(ring.freed).toMatchObject({ pid: 1, site: ring.freeSite });
    expect(ring.freed?.stack.map((f) => f.replace(/\+.*/, ""))).toEqual([
      "__dev_close_many",
      "rtl8169_close",
    ]);
    expect(dma_set_mask_and_coherent(dev, DMA_BIT_MASK(64))).toBe(0);
    const buf = must(k.runAs(ip, () => kmalloc(k, 2048, GFP_KERNEL)));
    const h = k.runAs(ip, () =>
      k.call("rtl_rx_fill", () => dma_map_single(dev, buf, 1500, "DMA_FROM_DEVICE")),
    );
    const m = must(k.dma.lookup(h));
    expect([m.reqBytes, m.size, m.allocated?.pid]).toEqual([1500, 1500, ip.pid]);
  });

  it("an IOMMU-like check tells live, freed, foreign and unmapped addresses apart", () => {
    const { k, dev } = make();
    const other = new Device(k, "0000:00:04.0");
    const buf = must(dma_alloc_coherent(dev, 4096, GFP_KERNEL));
    expect(k.dma.check(dev, buf.dma_handle, 64, true).ok).toBe(true);
    expect(k.dma.check(dev, buf.dma_handle + 4090, 64, true)).toMatchObject({
      ok: false,
      reason: "overrun",
    });
    expect(k.dma.check(other, buf.dma_handle, 4, false)).toMatchObject({
      ok: false,
      reason: "other-device",
    });
    dma_free_coherent(dev, 4096, buf.vaddr, buf.dma_handle);
    expect(k.dma.check(dev, buf.dma_handle, 4, true)).toMatchObject({
      ok: false,
      reason: "freed",
      mapping: buf,
    });
    expect(k.dma.check(dev, 0x1234, 4, true)).toMatchObject({ ok: false, reason: "unmapped" });
    k.dma.reportFault(dev, buf.dma_handle, true);
    expect(k.dmesg.at(-1)).toMatchObject({
      kind: "report",
      report: "iommu-fault",
      dev: "0000:00:03.0",
    });
  });

  it("streaming mappings: direction is enforced; DMA-API debug catches a wrong-size unmap", () => {
    const { k, dev } = make();
    const skb = must(kmalloc(k, 1500, GFP_KERNEL));
    // kmalloc memory sits above 4 GiB here: a 32-bit device cannot reach it (no swiotlb bouncing).
    expect(dma_map_single(dev, skb, 1500, "DMA_TO_DEVICE")).toBe(DMA_MAPPING_ERROR);
    dma_set_mask_and_coherent(dev, DMA_BIT_MASK(64));
    const dma = dma_map_single(dev, skb, 1500, "DMA_TO_DEVICE");
    expect(k.dma.check(dev, dma, 64, false).ok).toBe(true);
    expect(k.dma.check(dev, dma, 64, true)).toMatchObject({ ok: false, reason: "direction" });
    dma_unmap_single(dev, dma, 1000, "DMA_TO_DEVICE");
    expect(dmesgTexts(k)[0]).toMatch(
      /^DMA-API: {2}0000:00:03\.0: device driver frees DMA memory with different size \[device address=0x[0-9a-f]{16}\] \[map size=1500 bytes\] \[unmap size=1000 bytes\]$/,
    );
  });

  it("dmam_alloc_coherent: dmam_release (32 bytes) frees at detach; dmam_free_coherent logs REM", () => {
    const { k, dev } = make();
    const a = must(dmam_alloc_coherent(dev, 13568, GFP_KERNEL));
    const b = must(dmam_alloc_coherent(dev, 512, GFP_KERNEL));
    dmam_free_coherent(dev, 512, b.vaddr, b.dma_handle);
    devres_release_all(dev);
    expect(a.live).toBe(false);
    expect(devresOps(k)).toEqual([
      "ADD dmam_release 32",
      "ADD dmam_release 32",
      "REM dmam_release 32",
      "REL dmam_release 32",
    ]);
    k.faults.failNext("dma");
    expect(dmam_alloc_coherent(dev, 64, GFP_KERNEL)).toBeNull();
    expect(devresOps(k)).toHaveLength(4);
  });
});
