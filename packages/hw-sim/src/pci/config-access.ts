import type { PciDev } from "@devscope/core";
import type { PciBus } from "./pci-bus.js";
import { allOnes } from "./pci-function.js";

/**
 * The kernel's configuration accessors (drivers/pci/access.c :: pci_read_config_*), device
 * first. A function that is not on the bus (removed) reads all-ones, as a master abort does.
 * The simulated machine registers its bus so the kernel-side helpers can reach it.
 */
const buses = new WeakMap<object, PciBus>();

export function registerConfigBus(kernel: object, bus: PciBus): void {
  buses.set(kernel, bus);
}

function fnOf(pdev: PciDev): ReturnType<PciBus["functionOf"]> {
  return buses.get(pdev.kernel)?.functionOf(pdev) ?? null;
}

export function pci_read_config_byte(pdev: PciDev, where: number): number {
  return fnOf(pdev)?.configRead(where, 1) ?? allOnes(1);
}
export function pci_read_config_word(pdev: PciDev, where: number): number {
  return fnOf(pdev)?.configRead(where, 2) ?? allOnes(2);
}
export function pci_read_config_dword(pdev: PciDev, where: number): number {
  return fnOf(pdev)?.configRead(where, 4) ?? allOnes(4);
}
export function pci_write_config_byte(pdev: PciDev, where: number, val: number): void {
  fnOf(pdev)?.configWrite(where, 1, val);
}
export function pci_write_config_word(pdev: PciDev, where: number, val: number): void {
  fnOf(pdev)?.configWrite(where, 2, val);
}
export function pci_write_config_dword(pdev: PciDev, where: number, val: number): void {
  fnOf(pdev)?.configWrite(where, 4, val);
}
