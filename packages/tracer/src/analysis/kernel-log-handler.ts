import type { TraceEvent } from "../model/events.js";
import type { LostRange } from "./analysis-model.js";
import { type AnalysisHandler } from "./handler.js";

/**
 * Kernel log facts: probe failures, "Resources present before probing", busy DMA pools,
 * memory-safety reports, lost-event markers, module loads, and which driver name each device's
 * dev_printk prefix carried.
 *
 * dev_printk prints dev_driver_string(dev): the bound driver's name, or the bus/class name
 * when no driver is bound (drivers/base/core.c :: dev_driver_string), so bus names are not
 * driver names.
 */
const BUS_AND_CLASS_NAMES: ReadonlySet<string> = new Set([
  "pci",
  "usb",
  "platform",
  "scsi",
  "virtio",
  "mmc",
  "i2c",
  "spi",
  "acpi",
  "pnp",
  "serio",
  "hid",
  "sdio",
  "cpu",
  "memory",
  "node",
  "container",
  "workqueue",
  "gpio",
  "drm",
  "net",
  "block",
  "input",
  "tty",
  "misc",
  "graphics",
  "sound",
  "ata_port",
  "ata_link",
  "ata_device",
  "scsi_host",
  "scsi_disk",
  "scsi_device",
  "bsg",
  "nvme",
  "mdio_bus",
  "regulator",
  "thermal",
  "hwmon",
  "rtc",
  "power_supply",
  "backlight",
  "leds",
  "mem",
  "vc",
  "firmware",
  "bdi",
]);

export interface DriverSighting {
  index: number;
  ts: number;
  driver: string;
}

export interface ModuleLoad {
  index: number;
  pid?: number;
  module: string;
}

export interface KernelLogData {
  probeFailed: number[];
  resourcesBeforeProbe: number[];
  poolBusy: number[];
  reports: number[];
  lost: LostRange[];
  /** Per device: driver names its dev_printk prefix carried, in event order. */
  drivers: Map<string, DriverSighting[]>;
  moduleLoads: ModuleLoad[];
}

export function isBusName(name: string): boolean {
  return BUS_AND_CLASS_NAMES.has(name);
}

export class KernelLogHandler implements AnalysisHandler<KernelLogData> {
  readonly name = "kernel-log";
  readonly kinds = [
    "probe_failed",
    "resources_before_probe",
    "pool_busy",
    "report",
    "lost",
    "module",
    "log",
    "drmres",
    "drmres_release",
    "devres",
  ] as const;
  #d: KernelLogData = KernelLogHandler.#empty();

  static #empty(): KernelLogData {
    return {
      probeFailed: [],
      resourcesBeforeProbe: [],
      poolBusy: [],
      reports: [],
      lost: [],
      drivers: new Map(),
      moduleLoads: [],
    };
  }

  reset(): void {
    this.#d = KernelLogHandler.#empty();
  }

  #sight(dev: string | undefined, driver: string | undefined, e: TraceEvent, index: number): void {
    if (
      dev === undefined ||
      dev === "" ||
      driver === undefined ||
      driver === "" ||
      isBusName(driver)
    )
      return;
    let list = this.#d.drivers.get(dev);
    if (list === undefined) {
      list = [];
      this.#d.drivers.set(dev, list);
    }
    const last = list[list.length - 1];
    if (last?.driver !== driver) list.push({ index, ts: e.ts, driver });
  }

  handleEvent(e: TraceEvent, index: number): void {
    switch (e.kind) {
      case "probe_failed":
        this.#d.probeFailed.push(index);
        break;
      case "resources_before_probe":
        this.#d.resourcesBeforeProbe.push(index);
        this.#sight(e.dev, e.driver, e, index);
        break;
      case "pool_busy":
        this.#d.poolBusy.push(index);
        this.#sight(e.dev, e.driver, e, index);
        break;
      case "report":
        this.#d.reports.push(index);
        break;
      case "lost": {
        const r: LostRange = { index, ts: e.ts, count: e.count };
        if (e.cpu !== undefined) r.cpu = e.cpu;
        this.#d.lost.push(r);
        break;
      }
      case "module":
        if (e.op === "load") {
          const m: ModuleLoad = { index, module: e.module };
          if (e.pid !== undefined) m.pid = e.pid;
          this.#d.moduleLoads.push(m);
        }
        break;
      case "log":
      case "drmres":
      case "drmres_release":
        this.#sight(e.dev, e.driver, e, index);
        break;
      case "devres":
        this.#sight(e.dev, e.driver, e, index);
        break;
      default:
        break;
    }
  }

  finalize(): void {}

  data(): KernelLogData {
    return this.#d;
  }
}
