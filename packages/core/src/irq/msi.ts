import type { Device } from "../base/device.js";
import { ENOMEM } from "../kernel/errno.js";
import { GFP_KERNEL } from "../kernel/gfp.js";
import type { SlabObject } from "../mm/slab.js";
import { devres_add, devres_alloc, devres_free } from "../devres/devres.js";
import { named } from "../kernel/kernel-name.js";

/** struct msi_desc (the part the simulator needs): its Linux irq and its memory. */
export interface MsiDesc {
  irq: number;
  obj: SlabObject;
}

/** struct msi_device_data (72 bytes on 6.1): the device's MSI descriptors. */
export interface MsiDeviceData {
  descs: MsiDesc[];
}

/** sysfs attribute group registered through devm_device_add_group (struct attribute_group *). */
interface AttrGroupDevres {
  group: string;
}

export function devm_attr_group_remove(_dev: Device, _res: AttrGroupDevres): void {
  /* sysfs_remove_group(): no memory of its own in the simulator */
}
named(devm_attr_group_remove, "devm_attr_group_remove");

/** devm_device_add_group(dev, grp): node (8 bytes) first, sysfs_create_group, then add. */
export function devm_device_add_group(dev: Device, group: string): number {
  const dr = devres_alloc(
    dev,
    devm_attr_group_remove,
    8,
    GFP_KERNEL,
    { group } as AttrGroupDevres,
    "devm_device_add_group+0x33/0x90",
  );
  if (dr === null) return -ENOMEM;
  devres_add(dev, dr);
  return 0;
}

/** msi_free_msi_descs(): free every descriptor (msi_free_msi_descs_range). */
export function msi_free_msi_descs(dev: Device): void {
  const md = dev.msi_data as MsiDeviceData | null;
  if (md === null) return;
  for (const d of md.descs) dev.kernel.slab.kfree(d.obj, "msi_free_msi_descs_range+0xa0/0xd0");
  md.descs.length = 0;
}

/** msi_device_data_release(): the descriptors go, dev->msi.data = NULL. */
export function msi_device_data_release(dev: Device, _md: MsiDeviceData): void {
  msi_free_msi_descs(dev);
  dev.msi_data = null;
}
named(msi_device_data_release, "msi_device_data_release");

/**
 * kernel/irq/msi.c :: msi_setup_device_data (6.1): devres_alloc(msi_device_data_release, 72)
 * first, then the `msi_irqs` sysfs group through devm_device_add_group (which is therefore
 * ADDed first), then the MSI data node — the order the e1000e and ahci captures show.
 */
export function msi_setup_device_data(dev: Device): number {
  if (dev.msi_data !== null) return 0;
  const md = devres_alloc(
    dev,
    msi_device_data_release,
    72,
    GFP_KERNEL,
    { descs: [] } as MsiDeviceData,
    "msi_setup_device_data+0x41/0xc0",
  );
  if (md === null) return -ENOMEM;
  const ret = devm_device_add_group(dev, "msi_irqs");
  if (ret !== 0) {
    devres_free(dev, md, "msi_setup_device_data+0x9c/0xc0");
    return ret;
  }
  dev.msi_data = md;
  devres_add(dev, md);
  return 0;
}

/** msi_add_msi_desc(): one descriptor (kzalloc 104). */
export function msi_add_msi_desc(dev: Device, irq: number): MsiDesc | null {
  const md = dev.msi_data as MsiDeviceData | null;
  if (md === null) return null;
  const obj = dev.kernel.slab.kzalloc(104, GFP_KERNEL, "msi_add_msi_desc+0x31/0x120");
  if (obj === null) return null;
  const d = { irq, obj };
  md.descs.push(d);
  return d;
}
