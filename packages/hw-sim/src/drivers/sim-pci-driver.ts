import {
  dev_get_drvdata,
  named,
  type PciDev,
  type PciDeviceId,
  type PciDriver,
} from "@devscope/core";

/** What a simulated PCI driver declares: its `struct pci_driver` fields, with a probe that takes the scenario's options. */
export interface SimPciDriverSpec<O> {
  name: string;
  module: string;
  id_table: readonly PciDeviceId[];
  /** The driver's probe function (`rtl_init_one(pdev, opts)`) and its kernel name. */
  probe: (pdev: PciDev, opts: O) => number;
  probeName: string;
  /** The remove function (carrying its kernel name, `named()`). */
  remove: (pdev: PciDev) => void;
}

/**
 * The `struct pci_driver` of a simulated driver configured with one scenario's bug options: the
 * probe is a closure over the options that carries the driver's probe name, so call frames and
 * KASAN stacks read `rtl_init_one+0x…` as on the real machine (minified or not).
 */
export function simPciDriver<O>(spec: SimPciDriverSpec<O>, opts: O): PciDriver {
  return {
    name: spec.name,
    module: spec.module,
    id_table: spec.id_table,
    probe: named((pdev: PciDev): number => spec.probe(pdev, opts), spec.probeName),
    remove: spec.remove,
  };
}

/** pci_get_drvdata() of a device bound to driver `name`; null when it is unbound or bound to another driver. */
export function boundDrvdata<T>(pdev: PciDev, name: string): T | null {
  return pdev.driver?.name === name ? dev_get_drvdata<T | null>(pdev.dev) : null;
}
