import type { BusType } from "./bus.js";
import type { Device } from "./device.js";

/** struct device_driver */
export interface DeviceDriver {
  readonly name: string;
  /** Set by driver_register. */
  bus: BusType | null;
  probe?: (dev: Device) => number;
  remove?: (dev: Device) => void;
  /** No sysfs bind/unbind (and no CONFIG_DEBUG_TEST_DRIVER_REMOVE re-probe). */
  suppress_bind_attrs?: boolean;
  /**
   * PROBE_PREFER_ASYNCHRONOUS: binds found by driver_register/device_add run from an async
   * kworker (as sd_mod's do), not from the registering task.
   */
  probe_type?: "async";
  /** Module the driver belongs to, for module_load/module_free. */
  module?: string;
  /** Bus-specific driver this one is embedded in (struct pci_driver...). */
  owner?: unknown;
  /** Devices bound to it. */
  readonly devices: Device[];
}

/** Build a driver description; register it with driver_register. */
export function define_driver(
  spec: Omit<DeviceDriver, "bus" | "devices"> & { bus?: BusType | null },
): DeviceDriver {
  return { ...spec, bus: spec.bus ?? null, devices: [] };
}
