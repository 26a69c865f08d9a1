import type { Kernel } from "../kernel/kernel.js";
import { DevresNode } from "../devres/devres-node.js";
import type { BusType } from "./bus.js";
import type { DeviceDriver } from "./driver.js";
import type { DmaPool } from "../dma/dmapool.js";

function devres_head_release(): void {
  /* the list head is never released */
}

/**
 * struct device: name, parent, bus, bound driver, the devres list and the reference count.
 * Created by device_initialize() semantics; device_add() (DriverCore.device_add) registers it.
 */
export class Device {
  /** dev_name() */
  name: string;
  parent: Device | null;
  bus: BusType | null = null;
  driver: DeviceDriver | null = null;
  /** dev->devres_head: sentinel of the devres list. */
  readonly devres_head: DevresNode;
  /** kobject refcount (get_device / put_device). */
  refcount = 1;
  /** device_add() done and device_del() not yet. */
  registered = false;
  /** kill_device(): set by device_del, stops new binds. */
  dead = false;
  /** The final put_device() ran device_release(). */
  released = false;
  /** sysfs driver_override. */
  driver_override: string | null = null;
  /** dev->of_node_reused: pinctrl_bind_pins() skips the device. */
  of_node_reused = false;
  /** *dev->dma_mask (streaming), bytes-address mask; 0 = no DMA. */
  dma_mask = 0xffffffff;
  coherent_dma_mask = 0xffffffff;
  /** Bus address = physical address + this (0 = identity mapping), bytes. */
  dma_offset = 0;
  /** dev->dma_pools (newest first, like list_add). */
  readonly dma_pools: DmaPool[] = [];
  /** Driver data (dev_set_drvdata). */
  driver_data: unknown = null;
  /** device_release() calls this at the final put (dev->release / type->release). */
  release: ((dev: Device) => void) | null = null;
  /** Deferred-probe reason (dev_err_probe with -EPROBE_DEFER). */
  deferred_probe_reason: string | null = null;
  /** Children in device_add order. */
  readonly children: Device[] = [];
  /** MSI data devres is set up (msi_setup_device_data ran). */
  msi_data: object | null = null;
  /** Class name for the dev_printk prefix when no driver and no bus (`net`, `drm`...). */
  class_name: string | null = null;

  constructor(
    readonly kernel: Kernel,
    name: string,
    parent: Device | null = null,
  ) {
    this.name = name;
    this.parent = parent;
    this.devres_head = new DevresNode(devres_head_release, null, 0, null, null, 0);
  }

  toString(): string {
    return this.name;
  }
}

/** dev_name(dev) */
export function dev_name(dev: Device): string {
  return dev.name;
}

/** dev_driver_string(): the bound driver's name, else the bus name, else the class name. */
export function dev_driver_string(dev: Device): string {
  if (dev.driver !== null) return dev.driver.name;
  if (dev.bus !== null) return dev.bus.name;
  return dev.class_name ?? "";
}

/** dev_get_drvdata / dev_set_drvdata */
export function dev_get_drvdata<T>(dev: Device): T {
  return dev.driver_data as T;
}
export function dev_set_drvdata(dev: Device, data: unknown): void {
  dev.driver_data = data;
}
