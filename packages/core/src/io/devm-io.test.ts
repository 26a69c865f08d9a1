import { describe, expect, it } from "vitest";
import { Kernel } from "../kernel/kernel.js";
import { Device } from "../base/device.js";
import { IS_ERR } from "../kernel/err-ptr.js";
import { devres_release_all } from "../devres/devres.js";
import { IORESOURCE_MEM, Resource } from "./resource-tree.js";
import {
  devm_ioport_map,
  devm_ioremap,
  devm_ioremap_resource,
  devm_iounmap,
  devm_release_region,
  devm_request_mem_region,
  devm_request_region,
} from "./devm-io.js";
import { devresOps, dmesgTexts, must } from "../testing/trace-helpers.js";

function make(): { k: Kernel; dev: Device } {
  const k = new Kernel({ seed: 29, trace: { kmem: false } });
  return { k, dev: new Device(k, "foo.0") };
}

describe("resource tree (kernel/resource.c)", () => {
  it("busy regions conflict; a region may be requested inside a non-busy BAR; release finds it through the BAR", () => {
    const { k } = make();
    const bar = new Resource(0xfebf0000, 0xfebf0fff, "0000:00:02.0", IORESOURCE_MEM);
    expect(k.iomem.request_resource(k.iomem.root, bar)).toBe(true);
    const r = k.iomem.__request_region(k.iomem.root, 0xfebf0000, 0x100, "e1000", 0);
    expect(r?.parent).toBe(bar);
    expect(k.iomem.__request_region(k.iomem.root, 0xfebf0080, 0x100, "other", 0)).toBeNull();
    expect(k.iomem.__request_region(k.iomem.root, 0xfebf0100, 0x100, "other", 0)).not.toBeNull();
    expect(k.iomem.__request_region(k.iomem.root, 0xfebf0f00, 0x200, "straddle", 0)).toBeNull();
    expect(k.iomem.dump()).toBe(
      "febf0000-febf0fff : 0000:00:02.0\n  febf0000-febf00ff : e1000\n  febf0100-febf01ff : other",
    );
    k.iomem.__release_region(k.iomem.root, 0xfebf0000, 0x100);
    expect(k.iomem.lookup(0xfebf0010)).toBe(bar);
    k.iomem.__release_region(k.iomem.root, 0xfebf0000, 0x100);
    expect(dmesgTexts(k)).toEqual([
      "Trying to free nonexistent resource <0x00000000febf0000-0x00000000febf00ff>",
    ]);
  });
});

describe("managed I/O (lib/devres.c, kernel/resource.c)", () => {
  it("devm_request_region / devm_request_mem_region: node only on success; release at detach or by hand (REM)", () => {
    const { k, dev } = make();
    expect(devm_request_region(dev, 0x3f8, 8, "serial")).not.toBeNull();
    expect(devm_request_region(dev, 0x3f8, 8, "again")).toBeNull();
    expect(devm_request_mem_region(dev, 0xfed00000, 0x400, "hpet")).not.toBeNull();
    devm_release_region(dev, 0x3f8, 8);
    devres_release_all(dev);
    expect(devresOps(k)).toEqual([
      "ADD devm_region_release 24",
      "ADD devm_region_release 24",
      "REM devm_region_release 24",
      "REL devm_region_release 24",
    ]);
    expect(k.iomem.lookup(0xfed00000)).toBeNull();
    expect(k.ioport.lookup(0x3f8)).toBeNull();
  });

  it("devm_ioremap_resource adds the name, the region and the mapping, in that order; a busy region is -EBUSY", () => {
    const { k, dev } = make();
    const res = new Resource(0xfe000000, 0xfe000fff, "regs", IORESOURCE_MEM);
    const io = devm_ioremap_resource(dev, res);
    expect(IS_ERR(io)).toBe(false);
    expect(devresOps(k)).toEqual([
      "ADD devm_kzalloc_release 11",
      "ADD devm_region_release 24",
      "ADD devm_ioremap_release 8",
    ]); // "foo.0 regs" + NUL
    const again = devm_ioremap_resource(dev, res);
    expect(IS_ERR(again) && again.err).toBe(-16);
    expect(dmesgTexts(k)).toEqual([
      " foo.0: can't request region for resource [mem 0xfe000000-0xfe000fff]",
    ]);
    devres_release_all(dev);
    expect(
      devresOps(k)
        .filter((s) => s.startsWith("REL"))
        .map((s) => s.split(" ")[1]),
    ).toEqual([
      "devm_kzalloc_release",
      "devm_ioremap_release",
      "devm_region_release",
      "devm_kzalloc_release",
    ]);
    expect(IS_ERR(devm_ioremap_resource(dev, new Resource(0x10, 0x1f, "io", 0x100)))).toBe(true);
  });

  it("devm_ioremap maps MMIO registers of a device model; devm_iounmap logs REM; access after unmap faults", () => {
    const { k, dev } = make();
    let last = 0;
    k.mmio.register("mem", 0xfeb00000, 0x1000, {
      read: (off) => (off === 8 ? 0xcafe : 0),
      write: (_o, _s, v) => void (last = v),
    });
    const io = devm_ioremap(dev, 0xfeb00000, 0x1000);
    expect(io?.read32(8)).toBe(0xcafe);
    io?.write32(7, 0);
    expect(last).toBe(7);
    devm_iounmap(dev, must(io));
    expect(devresOps(k)).toEqual(["ADD devm_ioremap_release 8", "REM devm_ioremap_release 8"]);
    io?.read32(8);
    expect(dmesgTexts(k)[0]).toMatch(
      /^BUG: unable to handle page fault for address: ffffc900[0-9a-f]{8}$/,
    );
    const port = devm_ioport_map(dev, 0x60, 4);
    expect(port?.raw).toBe("0000000000010060");
  });
});
