import type { Kernel } from "../kernel/kernel.js";
import { ENXIO } from "../kernel/errno.js";
import { ERR_PTR, type ErrPtr } from "../kernel/err-ptr.js";
import type { BusType } from "./bus.js";
import { driver_override_blocks } from "./bus.js";
import { Device } from "./device.js";
import { define_driver, type DeviceDriver } from "./driver.js";
import { IORESOURCE_IO, IORESOURCE_MEM, type Resource } from "../io/resource-tree.js";
import { devm_ioremap_resource } from "../io/devm-io.js";
import type { IoMem } from "../io/iomem.js";
import { named } from "../kernel/kernel-name.js";

/** PLATFORM_DEVID_NONE: the device is named after the driver alone. */
export const PLATFORM_DEVID_NONE = -1;
export const IORESOURCE_IRQ = 0x400;

/** struct platform_device: a named device with MEM/IO/IRQ resources. */
export class PlatformDevice extends Device {
  readonly resources: Resource[] = [];
  constructor(
    k: Kernel,
    readonly pname: string,
    readonly id: number,
  ) {
    super(k, id === PLATFORM_DEVID_NONE ? pname : `${pname}.${id}`);
  }
  get dev(): Device {
    return this;
  }
}

/** struct platform_driver */
export interface PlatformDriver {
  readonly name: string;
  probe: (pdev: PlatformDevice) => number;
  remove?: (pdev: PlatformDevice) => void;
  module?: string;
  driver?: DeviceDriver;
}

export function to_platform_device(dev: Device): PlatformDevice {
  if (!(dev instanceof PlatformDevice))
    throw new Error(`to_platform_device: ${dev.name} is not a platform device`);
  return dev;
}

/** platform_match(): driver_override, else the device's name equals the driver's. */
function platform_match(dev: Device, drv: DeviceDriver): number {
  if (!(dev instanceof PlatformDevice)) return 0;
  if (dev.driver_override !== null) return driver_override_blocks(dev, drv) ? 0 : 1;
  return dev.pname === drv.name ? 1 : 0;
}

function platform_probe(dev: Device): number {
  const pdrv = dev.driver?.owner as PlatformDriver | undefined;
  if (pdrv === undefined) return 0;
  const k = dev.kernel;
  return k.call(k.fnName(pdrv.probe, "probe"), () => pdrv.probe(to_platform_device(dev)));
}
named(platform_probe, "platform_probe");

function platform_remove(dev: Device): void {
  const pdrv = dev.driver?.owner as PlatformDriver | undefined;
  if (pdrv?.remove === undefined) return;
  const rm = pdrv.remove;
  dev.kernel.call(dev.kernel.fnName(rm, "remove"), () => rm(to_platform_device(dev)));
}
named(platform_remove, "platform_remove");

/** The kernel's platform bus (registered on first use). */
export function platform_bus_type(k: Kernel): BusType {
  return (
    k.core.buses.get("platform") ??
    k.core.bus_register({
      name: "platform",
      match: platform_match,
      probe: platform_probe,
      remove: platform_remove,
    })
  );
}

/** platform_device_alloc(name, id) */
export function platform_device_alloc(k: Kernel, name: string, id: number): PlatformDevice {
  const pdev = new PlatformDevice(k, name, id);
  pdev.release = () => undefined;
  return pdev;
}

/** platform_device_add(): device_add on the platform bus. */
export function platform_device_add(pdev: PlatformDevice): number {
  return pdev.kernel.core.device_add(pdev, platform_bus_type(pdev.kernel));
}

/** platform_device_unregister() = device_del + put_device. */
export function platform_device_unregister(pdev: PlatformDevice): void {
  pdev.kernel.core.device_unregister(pdev);
}

export function platform_driver_register(k: Kernel, pdrv: PlatformDriver): number {
  const drv = define_driver({
    name: pdrv.name,
    owner: pdrv,
    ...(pdrv.module !== undefined ? { module: pdrv.module } : {}),
  });
  pdrv.driver = drv;
  return k.core.driver_register(drv, platform_bus_type(k));
}

export function platform_driver_unregister(k: Kernel, pdrv: PlatformDriver): void {
  if (pdrv.driver !== undefined) k.core.driver_unregister(pdrv.driver);
}

/** platform_get_resource(pdev, type, num) */
export function platform_get_resource(
  pdev: PlatformDevice,
  type: number,
  num: number,
): Resource | null {
  let n = 0;
  for (const r of pdev.resources)
    if ((r.flags & (IORESOURCE_MEM | IORESOURCE_IO | IORESOURCE_IRQ)) === type && n++ === num)
      return r;
  return null;
}

/** platform_get_irq(pdev, num): the IRQ resource's number, or -ENXIO (with the kernel's message). */
export function platform_get_irq(pdev: PlatformDevice, num: number): number {
  const r = platform_get_resource(pdev, IORESOURCE_IRQ, num);
  if (r === null) {
    pdev.kernel.printk(
      3,
      `${pdev.driver?.name ?? "platform"} ${pdev.name}: IRQ index ${num} not found`,
    );
    return -ENXIO;
  }
  return r.start;
}

/** devm_platform_ioremap_resource(pdev, index) */
export function devm_platform_ioremap_resource(
  pdev: PlatformDevice,
  index: number,
): IoMem | ErrPtr {
  const r = platform_get_resource(pdev, IORESOURCE_MEM, index);
  if (r === null) return ERR_PTR(-22);
  return devm_ioremap_resource(pdev, r);
}
