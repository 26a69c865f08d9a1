import type { Device } from "../base/device.js";
import { EINVAL, ENOMEM } from "../kernel/errno.js";
import { GFP_KERNEL } from "../kernel/gfp.js";
import { devres_alloc, devres_find, devres_get } from "../devres/devres.js";
import { devm_add_action } from "../devres/devres-action.js";
import type { IoMem } from "../io/iomem.js";
import {
  PCI_STD_NUM_BARS,
  pci_disable_device,
  pci_enable_device,
  pci_free_irq_vectors,
  pci_iomap,
  pci_iounmap,
  pci_release_region,
  pci_release_selected_regions,
  pci_request_region,
  pci_request_selected_regions,
  pci_resource_len,
  to_pci_dev,
  type PciDev,
} from "./pci.js";
import { named } from "../kernel/kernel-name.js";

/**
 * drivers/pci/devres.c (6.1): struct pci_devres {enabled, pinned, orig_intx, restore_intx,
 * mwi bits; region_mask} — 8 bytes, one per device through devres_get().
 */
interface PciDevres {
  enabled: boolean;
  pinned: boolean;
  mwi: boolean;
  region_mask: number;
}

/** pcim_release(): release managed regions, then disable the device unless pinned. */
export function pcim_release(gendev: Device, res: PciDevres): void {
  const dev = to_pci_dev(gendev);
  for (let i = 0; i < PCI_STD_NUM_BARS; i++)
    if ((res.region_mask & (1 << i)) !== 0) pci_release_region(dev, i);
  if (res.enabled && !res.pinned) pci_disable_device(dev);
}
named(pcim_release, "pcim_release");

function find_pci_dr(pdev: PciDev): PciDevres | null {
  if (!pdev.is_managed) return null;
  return devres_find(pdev, pcim_release, null, null);
}

/** get_pci_dr(): the device's pci_devres, created (devres_get) on first use. */
function get_pci_dr(pdev: PciDev): PciDevres | null {
  const dr = devres_find(pdev, pcim_release, null, null);
  if (dr !== null) return dr;
  const fresh = devres_alloc(
    pdev,
    pcim_release,
    8,
    GFP_KERNEL,
    { enabled: false, pinned: false, mwi: false, region_mask: 0 } as PciDevres,
    "pcim_enable_device+0x7d/0xa0",
  );
  if (fresh === null) return null;
  return devres_get(pdev, fresh, null, null);
}

/** v6.11+: the device is disabled by an action registered before enabling. */
function pcim_disable_device(pdev: PciDev): void {
  if (!pdev.pinned_managed) pci_disable_device(pdev);
  pdev.is_managed = false;
}
named(pcim_disable_device, "pcim_disable_device");

/**
 * pcim_enable_device(pdev): managed pci_enable_device(). 6.1: pci_devres (`pcim_release`,
 * 8 bytes) through devres_get, then enable; regions requested later are released by it.
 * v6.11+: a `pcim_disable_device` action added before enabling.
 */
export function pcim_enable_device(pdev: PciDev): number {
  const k = pdev.kernel;
  if (k.features.pcimActionEnable) {
    const ret = k.at("pcim_enable_device+0x3c/0xb0", () =>
      devm_add_action(pdev, pcim_disable_device, pdev),
    );
    if (ret !== 0) return ret;
    const rc = pci_enable_device(pdev);
    if (rc !== 0) return rc;
    pdev.is_managed = true;
    return 0;
  }
  const dr = get_pci_dr(pdev);
  if (dr === null) return -ENOMEM;
  if (dr.enabled) return 0;
  const rc = pci_enable_device(pdev);
  if (rc === 0) {
    pdev.is_managed = true;
    dr.enabled = true;
  }
  return rc;
}

/** pcim_pin_device(): the device stays enabled at detach. WARN if not managed-enabled. */
export function pcim_pin_device(pdev: PciDev): void {
  const k = pdev.kernel;
  if (k.features.pcimActionEnable) {
    pdev.pinned_managed = true;
    return;
  }
  const dr = find_pci_dr(pdev);
  if (dr === null || !dr.enabled) k.warn("drivers/pci/devres.c", "pcim_pin_device");
  if (dr !== null) dr.pinned = true;
}

/** Called by pci_request_region/pci_release_region: pre-6.11 managed regions live in pci_devres. */
export function pcim_note_region(pdev: PciDev, bar: number, requested: boolean): void {
  if (pdev.kernel.features.pcimActionEnable) return;
  const dr = find_pci_dr(pdev);
  if (dr === null) return;
  if (requested) dr.region_mask |= 1 << bar;
  else dr.region_mask &= ~(1 << bar);
}

/** pcim_iomap_devres: the legacy iomap table, PCIM_IOMAP_MAX (6) pointers = 48 bytes. */
interface PcimIomapDevres {
  table: (IoMem | null)[];
}

/** pcim_iomap_release(): unmap every BAR still in the table. */
export function pcim_iomap_release(gendev: Device, res: PcimIomapDevres): void {
  const dev = to_pci_dev(gendev);
  for (let i = 0; i < PCI_STD_NUM_BARS; i++) {
    const io = res.table[i];
    if (io !== null && io !== undefined) pci_iounmap(dev, io, "pcim_iomap_release+0x22/0x40");
  }
}
named(pcim_iomap_release, "pcim_iomap_release");

/** pcim_iomap_table(pdev): the device's table of managed mappings (single instance via devres_get). */
export function pcim_iomap_table(pdev: PciDev): (IoMem | null)[] | null {
  const dr = devres_find(pdev, pcim_iomap_release, null, null);
  if (dr !== null) return dr.table;
  const fresh = devres_alloc(
    pdev,
    pcim_iomap_release,
    48,
    GFP_KERNEL,
    { table: [null, null, null, null, null, null] } as PcimIomapDevres,
    "pcim_iomap_table+0x4e/0x70",
  );
  if (fresh === null) return null;
  return devres_get(pdev, fresh, null, null).table;
}

/** pcim_iomap(pdev, bar, maxlen): managed pci_iomap; NULL for a BAR already mapped. */
export function pcim_iomap(pdev: PciDev, bar: number, maxlen: number): IoMem | null {
  const tbl = pcim_iomap_table(pdev);
  if (tbl === null || tbl[bar] !== null) return null;
  const io = pci_iomap(pdev, bar, maxlen);
  tbl[bar] = io;
  return io;
}

/** pcim_iounmap(pdev, addr): unmap and clear the table slot; WARN when not in the table. */
export function pcim_iounmap(pdev: PciDev, io: IoMem): void {
  const tbl = pcim_iomap_table(pdev);
  pci_iounmap(pdev, io);
  if (tbl !== null) {
    const i = tbl.indexOf(io);
    if (i >= 0) {
      tbl[i] = null;
      return;
    }
  }
  pdev.kernel.warn("drivers/pci/devres.c", "pcim_iounmap");
}

/**
 * pcim_iomap_regions(pdev, mask, name): request and map every BAR in `mask`; on failure the
 * BARs already done are unmapped and released again.
 */
export function pcim_iomap_regions(pdev: PciDev, mask: number, name: string): number {
  const done: number[] = [];
  for (let i = 0; i < PCI_STD_NUM_BARS; i++) {
    if ((mask & (1 << i)) === 0) continue;
    let rc = -EINVAL;
    if (pci_resource_len(pdev, i) !== 0) {
      rc = pci_request_region(pdev, i, name);
      if (rc === 0) {
        if (pcim_iomap(pdev, i, 0) !== null) {
          done.push(i);
          continue;
        }
        rc = -ENOMEM;
        pci_release_region(pdev, i);
      }
    }
    const tbl = pcim_iomap_table(pdev);
    for (const j of done.reverse()) {
      const io = tbl?.[j] ?? null;
      if (io !== null) pcim_iounmap(pdev, io);
      pci_release_region(pdev, j);
    }
    return rc;
  }
  return 0;
}

/** pcim_iomap_regions_request_all(pdev, mask, name): request every BAR, map those in `mask`. */
export function pcim_iomap_regions_request_all(pdev: PciDev, mask: number, name: string): number {
  const requestMask = ((1 << PCI_STD_NUM_BARS) - 1) & ~mask;
  let rc = pci_request_selected_regions(pdev, requestMask, name);
  if (rc !== 0) return rc;
  rc = pcim_iomap_regions(pdev, mask, name);
  if (rc !== 0) pci_release_selected_regions(pdev, requestMask);
  return rc;
}

/** pcim_iounmap_regions(pdev, mask): unmap and release the BARs in `mask`. */
export function pcim_iounmap_regions(pdev: PciDev, mask: number): void {
  const tbl = pcim_iomap_table(pdev);
  if (tbl === null) return;
  for (let i = 0; i < PCI_STD_NUM_BARS; i++) {
    if ((mask & (1 << i)) === 0) continue;
    const io = tbl[i];
    if (io !== null && io !== undefined) pcim_iounmap(pdev, io);
    pci_release_region(pdev, i);
  }
}

/** pcim_msi_release(): the MSI vectors of a managed device go at detach. */
export function pcim_msi_release(pdev: PciDev): void {
  pdev.is_msi_managed = false;
  pci_free_irq_vectors(pdev);
}
named(pcim_msi_release, "pcim_msi_release");

/**
 * pcim_setup_msi_release() (drivers/pci/msi): for a pcim-managed device, an action that frees
 * the vectors at detach — `devm_action_release (16 bytes)` in the 6.1 ahci capture.
 */
export function pcim_setup_msi_release(pdev: PciDev): number {
  if (!pdev.is_managed || pdev.is_msi_managed) return 0;
  const ret = devm_add_action(pdev, pcim_msi_release, pdev);
  if (ret === 0) pdev.is_msi_managed = true;
  return ret;
}

/** pcim_release for tests: the node release function (6.1) to look up the pci_devres. */
export function pcim_devres(pdev: PciDev): PciDevres | null {
  return devres_find(pdev, pcim_release, null, null);
}
