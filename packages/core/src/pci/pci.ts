import type { Kernel } from "../kernel/kernel.js";
import { EBUSY, EINVAL, ENODEV, ENOSPC, ENOMEM } from "../kernel/errno.js";
import { Device, dev_driver_string } from "../base/device.js";
import type { BusType } from "../base/bus.js";
import { driver_override_blocks } from "../base/bus.js";
import { define_driver, type DeviceDriver } from "../base/driver.js";
import { dev_printk, KERN_WARNING } from "../base/dev-printk.js";
import {
  IORESOURCE_IO,
  IORESOURCE_MEM,
  IORESOURCE_MEM_64,
  IORESOURCE_PREFETCH,
  Resource,
  formatResource,
  resource_size,
} from "../io/resource-tree.js";
import { ioport_map, ioremap, iounmap, type IoMem } from "../io/iomem.js";
import { msi_add_msi_desc, msi_free_msi_descs, msi_setup_device_data } from "../irq/msi.js";
import { pcim_note_region, pcim_setup_msi_release } from "./pcim.js";
import { named } from "../kernel/kernel-name.js";

export const PCI_ANY_ID = 0xffff;
export const PCI_STD_NUM_BARS = 6;
export const PCI_IRQ_LEGACY = 1;
export const PCI_IRQ_MSI = 2;
export const PCI_IRQ_MSIX = 4;
export const PCI_IRQ_ALL_TYPES = PCI_IRQ_LEGACY | PCI_IRQ_MSI | PCI_IRQ_MSIX;

/** struct pci_device_id */
export interface PciDeviceId {
  vendor: number;
  device: number;
  subvendor?: number;
  subdevice?: number;
  class?: number;
  class_mask?: number;
  driver_data?: unknown;
}

/** A BAR as the simulated hardware exposes it. */
export interface PciBarSpec {
  kind: "mem" | "io";
  /** Bus address or first port. */
  start: number;
  /** Bytes (or ports). */
  size: number;
  prefetch?: boolean;
  mem64?: boolean;
}

export interface PciDevSpec {
  /** `0000:00:1f.2` */
  name: string;
  vendor: number;
  device: number;
  subsystem_vendor?: number;
  subsystem_device?: number;
  class?: number;
  revision?: number;
  bars?: (PciBarSpec | null)[];
  /** Legacy INTx line routed by ACPI (0 = none). */
  irq?: number;
  /** MSI vectors the capability offers (0 = no MSI capability). */
  msi?: number;
  /** MSI-X table size (0 = no MSI-X). */
  msix?: number;
  parent?: Device | null;
}

/**
 * struct pci_dev. It *is* its struct device (`pdev.dev === pdev`), so driver code written as
 * `devm_kzalloc(pdev.dev, ...)` reads like `devm_kzalloc(&pdev->dev, ...)`.
 */
export class PciDev extends Device {
  readonly vendor: number;
  readonly device: number;
  readonly subsystem_vendor: number;
  readonly subsystem_device: number;
  readonly class: number;
  readonly revision: number;
  /** BAR resources (inserted, not busy, in iomem/ioport at pci_device_add). */
  readonly resource: (Resource | null)[];
  /** Current Linux irq for the device (INTx line, or the first MSI vector once enabled). */
  irq: number;
  readonly intx_irq: number;
  readonly msi_cap: number;
  readonly msix_cap: number;
  enable_cnt = 0;
  is_busmaster = false;
  /** pcim_enable_device() made it managed (regions requested later are managed too, pre-6.11). */
  is_managed = false;
  msi_enabled = false;
  msix_enabled = false;
  /** pcim_setup_msi_release() registered the MSI release action. */
  is_msi_managed = false;
  /** v6.11+ pcim_pin_device(): the pcim_disable_device action leaves it enabled. */
  pinned_managed = false;
  /** Linux irqs of the enabled MSI/MSI-X vectors. */
  readonly vectors: number[] = [];
  /** The pci_driver bound (to_pci_driver(dev->driver)). */
  get pci_driver(): PciDriver | null {
    return (this.driver?.owner as PciDriver | undefined) ?? null;
  }
  /** The id the driver matched on at probe. */
  matched_id: PciDeviceId | null = null;

  constructor(k: Kernel, spec: PciDevSpec) {
    super(k, spec.name, spec.parent ?? null);
    this.vendor = spec.vendor;
    this.device = spec.device;
    this.subsystem_vendor = spec.subsystem_vendor ?? spec.vendor;
    this.subsystem_device = spec.subsystem_device ?? 0;
    this.class = spec.class ?? 0;
    this.revision = spec.revision ?? 0;
    this.intx_irq = spec.irq ?? 0;
    this.irq = this.intx_irq;
    this.msi_cap = spec.msi ?? 0;
    this.msix_cap = spec.msix ?? 0;
    this.resource = Array.from({ length: PCI_STD_NUM_BARS }, (_, i) => {
      const b = spec.bars?.[i];
      if (b === null || b === undefined) return null;
      let flags = b.kind === "io" ? IORESOURCE_IO : IORESOURCE_MEM;
      if (b.prefetch === true) flags |= IORESOURCE_PREFETCH;
      if (b.mem64 === true) flags |= IORESOURCE_MEM_64;
      return new Resource(b.start, b.start + b.size - 1, spec.name, flags);
    });
  }

  /** &pdev->dev */
  get dev(): Device {
    return this;
  }
}

/** to_pci_dev(dev) */
export function to_pci_dev(dev: Device): PciDev {
  if (!(dev instanceof PciDev)) throw new Error(`to_pci_dev: ${dev.name} is not a PCI device`);
  return dev;
}

/** struct pci_driver */
export interface PciDriver {
  readonly name: string;
  readonly id_table: readonly PciDeviceId[];
  probe: (pdev: PciDev, id: PciDeviceId) => number;
  remove?: (pdev: PciDev) => void;
  module?: string;
  /** The embedded struct device_driver, set by pci_register_driver. */
  driver?: DeviceDriver;
}

function idMatches(id: PciDeviceId, pdev: PciDev): boolean {
  const any = (want: number | undefined, have: number): boolean =>
    want === undefined || want === PCI_ANY_ID || want === have;
  return (
    any(id.vendor, pdev.vendor) &&
    any(id.device, pdev.device) &&
    any(id.subvendor, pdev.subsystem_vendor) &&
    any(id.subdevice, pdev.subsystem_device) &&
    ((pdev.class ^ (id.class ?? 0)) & (id.class_mask ?? 0)) === 0
  );
}

/** pci_match_device(): driver_override first, then the id table; override matches any id. */
export function pci_match_device(pdrv: PciDriver, pdev: PciDev): PciDeviceId | null {
  if (pdrv.driver !== undefined && driver_override_blocks(pdev, pdrv.driver)) return null;
  const found = pdrv.id_table.find((id) => idMatches(id, pdev)) ?? null;
  if (found === null && pdev.driver_override !== null)
    return { vendor: PCI_ANY_ID, device: PCI_ANY_ID };
  return found;
}

function pci_bus_match(dev: Device, drv: DeviceDriver): number {
  if (!(dev instanceof PciDev)) return 0;
  return pci_match_device(drv.owner as PciDriver, dev) !== null ? 1 : 0;
}

/** pci_device_probe → local_pci_probe → pci_driver::probe(pdev, id). */
function pci_device_probe(dev: Device): number {
  const pdev = to_pci_dev(dev);
  const pdrv = pdev.pci_driver;
  if (pdrv === null) return -ENODEV;
  const id = pci_match_device(pdrv, pdev);
  if (id === null) return -ENODEV;
  pdev.matched_id = id;
  const k = pdev.kernel;
  pdev.kernel.core.get_device(pdev);
  const ret = k.call("local_pci_probe", () =>
    k.call(k.fnName(pdrv.probe, "probe"), () => pdrv.probe(pdev, id)),
  );
  if (ret !== 0) {
    pdev.matched_id = null;
    pdev.kernel.core.put_device(pdev);
  }
  return ret;
}
named(pci_device_probe, "pci_device_probe");

/** pci_device_remove → pci_driver::remove(pdev). */
function pci_device_remove(dev: Device): void {
  const pdev = to_pci_dev(dev);
  const pdrv = pdev.pci_driver;
  const k = pdev.kernel;
  if (pdrv?.remove !== undefined) {
    const rm = pdrv.remove;
    k.call(k.fnName(rm, "remove"), () => rm(pdev));
  }
  pdev.matched_id = null;
  k.core.put_device(pdev);
}
named(pci_device_remove, "pci_device_remove");

/** The kernel's PCI bus (registered on first use). */
export function pci_bus_type(k: Kernel): BusType {
  return (
    k.core.buses.get("pci") ??
    k.core.bus_register({
      name: "pci",
      match: pci_bus_match,
      probe: pci_device_probe,
      remove: pci_device_remove,
    })
  );
}

/** pci_device_add(): a PCI function with its BARs claimed in the resource trees, then device_add. */
export function pci_device_add(k: Kernel, spec: PciDevSpec): PciDev {
  const pdev = new PciDev(k, spec);
  pdev.release = () => undefined;
  for (const r of pdev.resource) {
    if (r === null) continue;
    const tree = (r.flags & IORESOURCE_IO) !== 0 ? k.ioport : k.iomem;
    if (!tree.request_resource(tree.root, r))
      throw new Error(
        `pci_device_add: ${spec.name} BAR ${formatResource(r)} overlaps another resource`,
      );
  }
  k.core.device_add(pdev, pci_bus_type(k));
  return pdev;
}

/** pci_stop_and_remove_bus_device(): unbind, unregister, free the BAR resources. */
export function pci_stop_and_remove_bus_device(pdev: PciDev): void {
  const k = pdev.kernel;
  // Functions behind a bridge go first (pci_stop_bus_device / pci_remove_bus_device).
  for (const child of pdev.children.slice())
    if (child instanceof PciDev && child.registered) pci_stop_and_remove_bus_device(child);
  k.core.device_del(pdev);
  for (const r of pdev.resource)
    if (r !== null) ((r.flags & IORESOURCE_IO) !== 0 ? k.ioport : k.iomem).release_resource(r);
  k.core.put_device(pdev);
}

/** pci_register_driver(): wrap the pci_driver in a device_driver on the PCI bus. */
export function pci_register_driver(k: Kernel, pdrv: PciDriver): number {
  const drv = define_driver({
    name: pdrv.name,
    owner: pdrv,
    ...(pdrv.module !== undefined ? { module: pdrv.module } : {}),
  });
  pdrv.driver = drv;
  return k.core.driver_register(drv, pci_bus_type(k));
}

export function pci_unregister_driver(k: Kernel, pdrv: PciDriver): void {
  if (pdrv.driver !== undefined) k.core.driver_unregister(pdrv.driver);
}

// ---- enable, resources, iomap ---------------------------------------------------------------

export function pci_resource_start(pdev: PciDev, bar: number): number {
  return pdev.resource[bar]?.start ?? 0;
}
export function pci_resource_len(pdev: PciDev, bar: number): number {
  const r = pdev.resource[bar];
  return r === null || r === undefined ? 0 : resource_size(r);
}
export function pci_resource_flags(pdev: PciDev, bar: number): number {
  return pdev.resource[bar]?.flags ?? 0;
}

/** pci_enable_device(): nested enable count; the first enable turns decoding on. */
export function pci_enable_device(pdev: PciDev): number {
  pdev.enable_cnt++;
  pdev.kernel.tick(20000);
  return 0;
}

/** pci_disable_device(): the last disable turns the device off and clears bus mastering. */
export function pci_disable_device(pdev: PciDev): void {
  if (pdev.enable_cnt <= 0) {
    pdev.kernel.warn(
      "drivers/pci/pci.c",
      "pci_disable_device",
      `${dev_driver_string(pdev)} ${pdev.name}: disabling already-disabled device`,
    );
    return;
  }
  if (--pdev.enable_cnt !== 0) return;
  pdev.is_busmaster = false;
}

export function pci_is_enabled(pdev: PciDev): boolean {
  return pdev.enable_cnt > 0;
}

export function pci_set_master(pdev: PciDev): void {
  pdev.is_busmaster = true;
}
export function pci_clear_master(pdev: PciDev): void {
  pdev.is_busmaster = false;
}

/** __pci_request_region(): claim a BAR's range (busy) under its BAR resource. 0 or -EBUSY. */
export function pci_request_region(pdev: PciDev, bar: number, name: string): number {
  const k = pdev.kernel;
  const r = pdev.resource[bar];
  if (r === null || r === undefined || resource_size(r) === 0) return 0;
  const io = (r.flags & IORESOURCE_IO) !== 0;
  const tree = io ? k.ioport : k.iomem;
  const got = tree.__request_region(tree.root, r.start, resource_size(r), name, 0);
  if (got === null) {
    dev_printk(KERN_WARNING, pdev, `BAR ${bar}: can't reserve ${formatResource(r)}`);
    return -EBUSY;
  }
  pcim_note_region(pdev, bar, true);
  return 0;
}

/** pci_release_region() */
export function pci_release_region(pdev: PciDev, bar: number): void {
  const k = pdev.kernel;
  const r = pdev.resource[bar];
  if (r === null || r === undefined || resource_size(r) === 0) return;
  const tree = (r.flags & IORESOURCE_IO) !== 0 ? k.ioport : k.iomem;
  tree.__release_region(tree.root, r.start, resource_size(r));
  pcim_note_region(pdev, bar, false);
}

/** pci_request_selected_regions(): every BAR in `mask`, unwinding on failure. */
export function pci_request_selected_regions(pdev: PciDev, mask: number, name: string): number {
  for (let i = 0; i < PCI_STD_NUM_BARS; i++) {
    if ((mask & (1 << i)) === 0) continue;
    const rc = pci_request_region(pdev, i, name);
    if (rc !== 0) {
      for (let j = i - 1; j >= 0; j--) if ((mask & (1 << j)) !== 0) pci_release_region(pdev, j);
      return rc;
    }
  }
  return 0;
}

export function pci_release_selected_regions(pdev: PciDev, mask: number): void {
  for (let i = 0; i < PCI_STD_NUM_BARS; i++)
    if ((mask & (1 << i)) !== 0) pci_release_region(pdev, i);
}

export function pci_request_regions(pdev: PciDev, name: string): number {
  return pci_request_selected_regions(pdev, (1 << PCI_STD_NUM_BARS) - 1, name);
}

export function pci_release_regions(pdev: PciDev): void {
  pci_release_selected_regions(pdev, (1 << PCI_STD_NUM_BARS) - 1);
}

/** pci_iomap(pdev, bar, maxlen): ioport_map for I/O BARs, ioremap for memory BARs. */
export function pci_iomap(pdev: PciDev, bar: number, maxlen: number): IoMem | null {
  const k = pdev.kernel;
  const r = pdev.resource[bar];
  if (r === null || r === undefined) return null;
  let len = resource_size(r);
  if (len === 0) return null;
  if (maxlen !== 0 && len > maxlen) len = maxlen;
  if ((r.flags & IORESOURCE_IO) !== 0) return ioport_map(k, r.start, len);
  return ioremap(k, r.start, len);
}

/** pci_iounmap(pdev, addr) */
export function pci_iounmap(pdev: PciDev, io: IoMem | null, site?: string): void {
  if (io === null) return;
  if (io.kind === "io") io.live = false;
  else iounmap(pdev.kernel, io, site);
}

// ---- interrupts -----------------------------------------------------------------------------

/**
 * pci_alloc_irq_vectors(pdev, min, max, flags): MSI-X, then MSI (msi_setup_device_data +
 * pcim_setup_msi_release, then descriptors and vectors), then legacy INTx. Returns the number
 * of vectors or -errno.
 */
export function pci_alloc_irq_vectors(
  pdev: PciDev,
  min_vecs: number,
  max_vecs: number,
  flags: number,
): number {
  const k = pdev.kernel;
  if (min_vecs < 1 || max_vecs < min_vecs) return -EINVAL;
  if (pdev.msi_enabled || pdev.msix_enabled) return -EINVAL;
  const tryMsi = (cap: number, msix: boolean): number => {
    if (cap < min_vecs) return -ENOSPC;
    let ret = msi_setup_device_data(pdev);
    if (ret === 0) ret = pcim_setup_msi_release(pdev);
    if (ret !== 0) return ret;
    const n = Math.min(cap, max_vecs);
    for (let i = 0; i < n; i++) {
      const irq = k.irq.allocVector();
      if (msi_add_msi_desc(pdev, irq) === null) return -ENOMEM;
      pdev.vectors.push(irq);
    }
    if (msix) pdev.msix_enabled = true;
    else pdev.msi_enabled = true;
    pdev.irq = pdev.vectors[0] as number;
    return n;
  };
  if ((flags & PCI_IRQ_MSIX) !== 0 && pdev.msix_cap > 0) {
    const n = k.call("__pci_enable_msix_range", () => tryMsi(pdev.msix_cap, true));
    if (n > 0) return n;
  }
  if ((flags & PCI_IRQ_MSI) !== 0 && pdev.msi_cap > 0) {
    const n = k.call("__pci_enable_msi_range", () => tryMsi(pdev.msi_cap, false));
    if (n > 0) return n;
  }
  if ((flags & PCI_IRQ_LEGACY) !== 0 && min_vecs === 1 && pdev.intx_irq !== 0) return 1;
  return -ENOSPC;
}

/** pci_irq_vector(pdev, nr): Linux irq of vector `nr`. */
export function pci_irq_vector(pdev: PciDev, nr: number): number {
  if (pdev.msi_enabled || pdev.msix_enabled) return pdev.vectors[nr] ?? -EINVAL;
  return nr === 0 ? pdev.intx_irq : -EINVAL;
}

/**
 * pci_free_irq_vectors(): disable MSI/MSI-X and free the descriptors. A vector that still has
 * a handler is a driver bug (free_irq() must come first): WARN, as the MSI teardown does.
 */
export function pci_free_irq_vectors(pdev: PciDev): void {
  const k = pdev.kernel;
  if (!pdev.msi_enabled && !pdev.msix_enabled) return;
  for (const v of pdev.vectors) {
    if (k.irq.actions(v).length > 0)
      k.warn(
        "kernel/irq/msi.c",
        "msi_domain_free_irqs_descs_locked",
        `${dev_driver_string(pdev)} ${pdev.name}: freeing MSI vector ${v} which still has an action`,
      );
  }
  msi_free_msi_descs(pdev);
  for (const v of pdev.vectors) k.irq.freeVector(v);
  pdev.vectors.length = 0;
  pdev.msi_enabled = false;
  pdev.msix_enabled = false;
  pdev.irq = pdev.intx_irq;
}
