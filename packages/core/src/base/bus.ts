import type { Device } from "./device.js";
import type { DeviceDriver } from "./driver.js";

/**
 * struct bus_type: how devices and drivers on a bus match and probe. `match` returns 1 for a
 * match, 0 for none, or -EPROBE_DEFER; `probe`/`remove` wrap the driver's callbacks (e.g.
 * pci_device_probe calls pci_driver::probe with the pci_dev and the matched id).
 */
export interface BusType {
  readonly name: string;
  match?: (dev: Device, drv: DeviceDriver) => number;
  probe?: (dev: Device) => number;
  remove?: (dev: Device) => void;
  /** Devices on the bus, in device_add order. */
  readonly devices: Device[];
  /** Drivers on the bus, in driver_register order. */
  readonly drivers: DeviceDriver[];
  /** /sys/bus/<bus>/drivers_autoprobe */
  drivers_autoprobe: boolean;
}

/** A bus description before registration (lists are created by bus_register). */
export interface BusTypeSpec {
  name: string;
  match?: (dev: Device, drv: DeviceDriver) => number;
  probe?: (dev: Device) => number;
  remove?: (dev: Device) => void;
}

/** driver_override rule shared by buses that support it (pci_match_device, platform_match). */
export function driver_override_blocks(dev: Device, drv: DeviceDriver): boolean {
  return dev.driver_override !== null && dev.driver_override !== drv.name;
}
