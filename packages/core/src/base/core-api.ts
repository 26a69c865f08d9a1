import type { Kernel } from "../kernel/kernel.js";
import type { BusType, BusTypeSpec } from "./bus.js";
import { Device } from "./device.js";
import type { DeviceDriver } from "./driver.js";

/**
 * Kernel-named entry points of the driver core (drivers/base/core.c, dd.c, bus.c), so
 * simulated code reads like C: `device_add(dev)`, `put_device(dev)`, `driver_register(drv)`.
 */

/** device_initialize(): a device with an empty devres list and one reference. */
export function device_initialize(k: Kernel, name: string, parent: Device | null = null): Device {
  return new Device(k, name, parent);
}

export function bus_register(k: Kernel, spec: BusTypeSpec): BusType {
  return k.core.bus_register(spec);
}

export function device_add(dev: Device): number {
  return dev.kernel.core.device_add(dev);
}

/** device_register() = device_initialize() (done by the constructor) + device_add(). */
export function device_register(dev: Device): number {
  return device_add(dev);
}

export function device_del(dev: Device): void {
  dev.kernel.core.device_del(dev);
}

export function device_unregister(dev: Device): void {
  dev.kernel.core.device_unregister(dev);
}

export function get_device(dev: Device): Device {
  return dev.kernel.core.get_device(dev);
}

export function put_device(dev: Device | null): void {
  if (dev !== null) dev.kernel.core.put_device(dev);
}

export function device_attach(dev: Device): number {
  return dev.kernel.core.device_attach(dev);
}

export function device_release_driver(dev: Device): void {
  dev.kernel.core.device_release_driver(dev);
}

/** driver_register(drv): `drv.bus` must be set (as in C). */
export function driver_register(
  k: Kernel,
  drv: DeviceDriver,
  bus: BusType | null = drv.bus,
): number {
  if (bus === null) throw new Error(`driver_register: driver "${drv.name}" has no bus`);
  return k.core.driver_register(drv, bus);
}

export function driver_unregister(k: Kernel, drv: DeviceDriver): void {
  k.core.driver_unregister(drv);
}

/** dev_err_probe(dev, err, msg): -EPROBE_DEFER records the reason silently, others print `error %pe: msg`. */
export { dev_err_probe } from "./dev-printk.js";
