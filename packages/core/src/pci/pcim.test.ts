import { describe, expect, it } from "vitest";
import { Kernel, type KernelOptions } from "../kernel/kernel.js";
import { devres_release_all } from "../devres/devres.js";
import {
  pci_alloc_irq_vectors,
  pci_device_add,
  pci_free_irq_vectors,
  pci_irq_vector,
  pci_is_enabled,
  PCI_IRQ_MSI,
  PCI_IRQ_ALL_TYPES,
  type PciDev,
} from "./pci.js";
import {
  pcim_enable_device,
  pcim_iomap,
  pcim_iomap_regions,
  pcim_iomap_table,
  pcim_iounmap,
  pcim_pin_device,
} from "./pcim.js";
import { request_irq } from "../irq/devm-irq.js";
import { IRQ_HANDLED } from "../irq/irq-core.js";
import { devresOps, must } from "../testing/trace-helpers.js";

function make(opts: KernelOptions = {}): { k: Kernel; pdev: PciDev } {
  const k = new Kernel({ seed: 31, trace: { kmem: false }, ...opts });
  const pdev = pci_device_add(k, {
    name: "0000:00:02.0",
    vendor: 0x8086,
    device: 0x100e,
    bars: [
      { kind: "mem", start: 0xfebc0000, size: 0x20000 },
      { kind: "io", start: 0xc000, size: 0x40 },
    ],
    irq: 11,
    msi: 1,
  });
  return { k, pdev };
}

describe("managed PCI (drivers/pci/devres.c, 6.1)", () => {
  it("pcim_enable_device adds one pcim_release (8 bytes, devres_get); detach releases regions and disables", () => {
    const { k, pdev } = make();
    expect(pcim_enable_device(pdev)).toBe(0);
    expect(pcim_enable_device(pdev)).toBe(0);
    expect(pcim_iomap_regions(pdev, 0b11, "e1000")).toBe(0);
    expect(k.iomem.lookup(0xfebc0000)?.name).toBe("e1000");
    expect(devresOps(k)).toEqual(["ADD pcim_release 8", "ADD pcim_iomap_release 48"]);
    devres_release_all(pdev);
    expect(pci_is_enabled(pdev)).toBe(false);
    expect(k.iomem.lookup(0xfebc0000)?.name).toBe("0000:00:02.0");
    expect(devresOps(k).slice(2)).toEqual(["REL pcim_iomap_release 48", "REL pcim_release 8"]);
  });

  it("pcim_pin_device keeps the device enabled after detach", () => {
    const { pdev } = make();
    pcim_enable_device(pdev);
    pcim_pin_device(pdev);
    devres_release_all(pdev);
    expect(pci_is_enabled(pdev)).toBe(true);
  });

  it("pcim_iomap refuses a second mapping of a BAR; pcim_iounmap clears the slot", () => {
    const { pdev } = make();
    pcim_enable_device(pdev);
    const io = pcim_iomap(pdev, 0, 0);
    expect(io).not.toBeNull();
    expect(pcim_iomap(pdev, 0, 0)).toBeNull();
    pcim_iounmap(pdev, must(io));
    expect(pcim_iomap_table(pdev)?.[0]).toBeNull();
    expect(io?.live).toBe(false);
  });

  it("MSI on a managed device: msi_irqs group, MSI data and the pcim MSI action, in that order", () => {
    const { k, pdev } = make();
    pcim_enable_device(pdev);
    expect(pci_alloc_irq_vectors(pdev, 1, 1, PCI_IRQ_ALL_TYPES)).toBe(1);
    expect(pci_irq_vector(pdev, 0)).toBeGreaterThanOrEqual(24);
    expect(devresOps(k)).toEqual([
      "ADD pcim_release 8",
      "ADD devm_attr_group_remove 8",
      "ADD msi_device_data_release 72",
      "ADD devm_action_release 16",
    ]);
    devres_release_all(pdev);
    expect(pdev.msi_enabled).toBe(false);
    expect(pdev.irq).toBe(11);
  });

  it("MSI on an unmanaged device (e1000e): no action; freeing vectors with a handler still attached WARNs", () => {
    const { k, pdev } = make();
    expect(pci_alloc_irq_vectors(pdev, 1, 1, PCI_IRQ_MSI)).toBe(1);
    expect(devresOps(k)).toEqual([
      "ADD devm_attr_group_remove 8",
      "ADD msi_device_data_release 72",
    ]);
    request_irq(pdev, pci_irq_vector(pdev, 0), () => IRQ_HANDLED, 0, "eth0", pdev);
    pci_free_irq_vectors(pdev);
    expect(k.warnings).toHaveLength(1);
  });

  it("v6.11+ enables through a pcim_disable_device action", () => {
    const { k, pdev } = make({ version: "6.12" });
    pcim_enable_device(pdev);
    expect(devresOps(k)).toEqual(["ADD pcim_disable_device 16"]);
    devres_release_all(pdev);
    expect(pci_is_enabled(pdev)).toBe(false);
  });
});
