import { describe, expect, it } from "vitest";
import {
  pci_clear_master,
  pci_disable_device,
  pci_enable_device,
  pci_set_master,
} from "@devscope/core";
import { Machine } from "../machine.js";
import { NicDevice } from "../devices/nic/nic-device.js";
import { GpuDevice } from "../devices/gpu/gpu-device.js";
import {
  pci_read_config_dword,
  pci_read_config_word,
  pci_write_config_dword,
  pci_write_config_word,
} from "./config-access.js";
import {
  MSI_CAP_OFFSET,
  PCI_BASE_ADDRESS_0,
  PCI_CAPABILITY_LIST,
  PCI_COMMAND,
  PCI_COMMAND_MASTER,
  PCI_COMMAND_MEMORY,
  PCI_INTERRUPT_PIN,
  PCI_VENDOR_ID,
} from "./config-space.js";

describe("PCI configuration space", () => {
  it("identifies the function, places BARs size-aligned and routes INTx", () => {
    const m = new Machine({ trace: false });
    const gpu = new GpuDevice(m);
    const pdev = m.bus.plug(gpu, 6);
    expect(pci_read_config_dword(pdev, PCI_VENDOR_ID)).toBe(0x11111234);
    const bar0 = pci_read_config_dword(pdev, PCI_BASE_ADDRESS_0);
    expect(bar0 & 0xf).toBe(0x8); // prefetchable memory
    const base = (bar0 & ~0xf) >>> 0;
    expect(base % (16 << 20)).toBe(0);
    expect(pdev.resource[0]?.start).toBe(base);
    pci_write_config_dword(pdev, PCI_BASE_ADDRESS_0 + 8, 0xffffffff);
    expect(pci_read_config_dword(pdev, PCI_BASE_ADDRESS_0 + 8)).toBe(0xfffff000);
    expect(pci_read_config_word(pdev, PCI_INTERRUPT_PIN) & 0xff).toBe(1);
    expect(pdev.intx_irq).toBeGreaterThanOrEqual(16);
    expect(pci_read_config_word(pdev, PCI_CAPABILITY_LIST) & 0xff).toBe(MSI_CAP_OFFSET);
  });

  it("COMMAND follows the kernel's enable/master state and config writes change it back", () => {
    const m = new Machine({ trace: false });
    const pdev = m.bus.plug(new NicDevice(m), 3);
    expect(pci_read_config_word(pdev, PCI_COMMAND)).toBe(0);
    pci_enable_device(pdev);
    pci_set_master(pdev);
    expect(
      pci_read_config_word(pdev, PCI_COMMAND) & (PCI_COMMAND_MEMORY | PCI_COMMAND_MASTER),
    ).toBe(PCI_COMMAND_MEMORY | PCI_COMMAND_MASTER);
    pci_clear_master(pdev);
    expect(pci_read_config_word(pdev, PCI_COMMAND) & PCI_COMMAND_MASTER).toBe(0);
    pci_write_config_word(pdev, PCI_COMMAND, PCI_COMMAND_MEMORY | PCI_COMMAND_MASTER);
    expect(pdev.is_busmaster).toBe(true);
    pci_disable_device(pdev);
    // x86 pci_disable_device clears bus mastering only: decoding stays on.
    expect(
      pci_read_config_word(pdev, PCI_COMMAND) & (PCI_COMMAND_MEMORY | PCI_COMMAND_MASTER),
    ).toBe(PCI_COMMAND_MEMORY);
  });

  it("a surprise-removed function reads all-ones", () => {
    const m = new Machine({ trace: false });
    const nic = new NicDevice(m);
    const pdev = m.bus.plug(nic, 3);
    nic.yank();
    expect(pci_read_config_dword(pdev, PCI_VENDOR_ID)).toBe(0xffffffff);
  });
});
