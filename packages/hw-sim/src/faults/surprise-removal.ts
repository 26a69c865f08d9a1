import type { Machine } from "../machine.js";
import type { PciFunction } from "../pci/pci-function.js";

/**
 * Surprise removal: the function vanishes from the bus this instant (config and MMIO reads
 * return all-ones, writes and DMA go nowhere, no more interrupts). The kernel learns about it
 * later, when the hotplug driver (pciehp, from its IRQ thread) removes the device: unbind —
 * remove() runs against hardware that is no longer there — then device_del.
 */
export function surpriseRemove(fn: PciFunction): void {
  fn.yank();
}

/** pciehp's removal of a function that is gone (or being ejected), as its IRQ thread would. */
export function hotplugRemove(m: Machine, fn: PciFunction): void {
  const k = m.kernel;
  k.runAs(k.task("irq/25-pciehp", 0), () =>
    k.call("pciehp_unconfigure_device", () => m.bus.remove(fn)),
  );
}
