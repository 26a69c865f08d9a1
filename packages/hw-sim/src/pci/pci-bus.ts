import { pci_device_add, pci_stop_and_remove_bus_device, type PciDev } from "@devscope/core";
import type { Machine } from "../machine.js";
import type { PciFunction } from "./pci-function.js";

/** Start of the 32-bit MMIO window BARs are placed in (q35 puts PCI MMIO below 4 GiB). */
const MMIO_WINDOW = 0xf0000000;
const IO_WINDOW = 0xc000;
/** First GSI used for INTx (q35 routes PIRQA..H to GSI 16..23). */
const INTX_GSI_BASE = 16;

/**
 * PCI bus 0 of the simulated machine: places each function's BARs (size-aligned), routes its
 * INTx pin to a GSI, hangs its register models on the kernel's MMIO bus and enumerates it
 * (pci_device_add: the driver core binds a matching driver right away). Functions are found
 * back from their pci_dev for configuration accesses.
 */
export class PciBus {
  readonly functions: PciFunction[] = [];
  private readonly byPdev = new WeakMap<PciDev, PciFunction>();
  private nextMem = MMIO_WINDOW;
  private nextIo = IO_WINDOW;

  constructor(private readonly m: Machine) {}

  /** Plug `fn` into slot `slot` (function 0) and enumerate it. Returns its pci_dev. */
  plug(fn: PciFunction, slot: number): PciDev {
    const k = this.m.kernel;
    const name = `0000:00:${slot.toString(16).padStart(2, "0")}.0`;
    if (this.functions.some((f) => f.pdev?.name === name))
      throw new Error(`pci bus: slot ${slot} is taken`);
    const bars = fn.bars.map((b, i) => {
      if (b === null) return null;
      let start: number;
      if (b.kind === "io") {
        start = Math.ceil(this.nextIo / b.size) * b.size;
        this.nextIo = start + b.size;
      } else {
        start = Math.ceil(this.nextMem / b.size) * b.size;
        this.nextMem = start + b.size;
      }
      fn.barAddress[i] = start;
      fn.config.setBarAddress(i, start);
      k.mmio.register(b.kind, start, b.size, {
        read: (off, size) => fn.mmioRead(i, off, size),
        write: (off, size, value) => fn.mmioWrite(i, off, size, value),
      });
      const spec: {
        kind: "mem" | "io";
        start: number;
        size: number;
        prefetch?: boolean;
        mem64?: boolean;
      } = { kind: b.kind, start, size: b.size };
      if (b.prefetch === true) spec.prefetch = true;
      if (b.mem64 === true) spec.mem64 = true;
      return spec;
    });
    const id = fn.config.id;
    const irq = id.interruptPin === 0 ? 0 : INTX_GSI_BASE + ((slot + id.interruptPin - 1) % 8);
    fn.config.write(0x3c, 1, irq);
    this.functions.push(fn);
    fn.bdf = name;
    // Enumeration: the function must be reachable before a driver's probe touches it.
    const pdev = pci_device_add(k, {
      name,
      vendor: id.vendor,
      device: id.device,
      subsystem_vendor: id.subsystemVendor,
      subsystem_device: id.subsystemDevice,
      class: id.classCode,
      revision: id.revision,
      bars,
      irq,
      msi: id.msiVectors,
    });
    this.byPdev.set(pdev, fn);
    return pdev;
  }

  /** The function behind a pci_dev (config accessors, reports). */
  functionOf(pdev: PciDev): PciFunction | null {
    return this.byPdev.get(pdev) ?? this.functions.find((f) => f.pdev === pdev) ?? null;
  }

  /**
   * Hot removal after a surprise removal or an orderly eject (pciehp → pci_stop_and_remove_bus_device):
   * unbind the driver, delete the device, take the registers off the bus.
   */
  remove(fn: PciFunction): void {
    const pdev = fn.pdev;
    if (pdev !== null) pci_stop_and_remove_bus_device(pdev);
    fn.bars.forEach((b, i) => {
      if (b !== null) this.m.kernel.mmio.unregister(b.kind, fn.barAddress[i] as number);
    });
    const i = this.functions.indexOf(fn);
    if (i >= 0) this.functions.splice(i, 1);
  }
}
