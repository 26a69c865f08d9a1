import type { Kernel } from "../kernel/kernel.js";
import { EBUSY, EAGAIN, ENODEV, ENXIO, EPROBE_DEFER } from "../kernel/errno.js";
import type { Task } from "../kernel/task.js";
import { devres_release_all } from "../devres/devres.js";
import type { BusType, BusTypeSpec } from "./bus.js";
import { dev_driver_string, type Device } from "./device.js";
import type { DeviceDriver } from "./driver.js";
import { pinctrl_bind_pins } from "./pinctrl.js";

/** What one bind attempt did (for tests and scenario scripts). */
export interface ProbeRecord {
  dev: string;
  driver: string;
  /** 0, or the error really_probe returned (positive probe errors are made negative here). */
  ret: number;
  ns: number;
}

/**
 * The driver core (drivers/base/{core,dd,bus}.c): buses, device_add/device_del/put_device,
 * driver_register/unregister, matching, really_probe with its exact order of operations and
 * error unwinding, unbind, the deferred-probe lists and their retry on a successful bind,
 * sysfs bind/unbind and driver_override.
 */
export class DriverCore {
  readonly buses = new Map<string, BusType>();
  /** Registered devices, in device_add order. */
  readonly devices: Device[] = [];
  /** deferred_probe_pending_list / deferred_probe_active_list */
  readonly deferredPending: Device[] = [];
  private readonly deferredActive: Device[] = [];
  /** deferred_trigger_count */
  deferredTriggerCount = 0;
  /** defer_all_probes (during suspend): every probe returns -EPROBE_DEFER. */
  defer_all_probes = false;
  /** Every really_probe outcome, in order. */
  readonly probes: ProbeRecord[] = [];
  /** Pending deferred-probe work (the deferred_probe_work queued on a trigger). */
  private workQueued = false;
  private depth = 0;
  private nextAsyncWorker = 5;
  private kworker: Task | null = null;

  constructor(private readonly k: Kernel) {}

  /** bus_register() */
  bus_register(spec: BusTypeSpec): BusType {
    if (this.buses.has(spec.name))
      throw new Error(`bus_register: bus "${spec.name}" already registered`);
    const bus: BusType = { ...spec, devices: [], drivers: [], drivers_autoprobe: true };
    this.buses.set(bus.name, bus);
    return bus;
  }

  // ---- devices -------------------------------------------------------------------------

  /** get_device() */
  get_device(dev: Device): Device {
    if (dev.released)
      this.k.warn(
        "lib/kobject.c",
        "kobject_get",
        `kobject: '${dev.name}': is not initialized, yet kobject_get() is being called.`,
      );
    dev.refcount++;
    return dev;
  }

  /** put_device(): the last reference runs device_release(). */
  put_device(dev: Device | null): void {
    if (dev === null) return;
    if (dev.refcount <= 0) {
      this.k.warn(
        "lib/refcount.c",
        "refcount_warn_saturate",
        "refcount_t: underflow; use-after-free.",
      );
      return;
    }
    if (--dev.refcount === 0) this.device_release(dev);
  }

  /**
   * device_release() (drivers/base/core.c): devres_release_all() once more — for devices that
   * never had a driver and for resources added after device_del — then dev->release().
   */
  private device_release(dev: Device): void {
    const k = this.k;
    k.call("device_release", () => {
      devres_release_all(dev);
      k.slab.kfree(null, "device_release+0x1f/0x90"); // kfree(dev->dma_range_map)
      if (dev.release !== null) dev.release(dev);
      else
        k.warn(
          "drivers/base/core.c",
          "device_release",
          `Device '${dev.name}' does not have a release() function, it is broken and must be fixed. See Documentation/core-api/kobject.rst.`,
        );
      dev.released = true;
    });
  }

  /** device_add(): register, link to the parent, put on its bus and try to bind a driver. 0 or -errno. */
  device_add(dev: Device, bus: BusType | null = dev.bus): number {
    if (dev.registered) return -EBUSY;
    dev.bus = bus;
    if (dev.parent !== null) {
      this.get_device(dev.parent);
      dev.parent.children.push(dev);
    }
    dev.registered = true;
    this.devices.push(dev);
    if (bus !== null) {
      bus.devices.push(dev);
      if (bus.drivers_autoprobe) this.run(() => this.__device_attach(dev, true));
    }
    return 0;
  }

  /**
   * device_del(): kill the device, unbind its driver (remove + devres release), and since v6.6
   * release any devres left (devices that never had a driver).
   */
  device_del(dev: Device): void {
    const k = this.k;
    this.run(() =>
      k.call("device_del", () => {
        // Children are the bus code's job (pci_stop_and_remove_bus_device walks them first);
        // device_del() itself leaves them registered, as the kernel does.
        dev.dead = true;
        // bus_remove_device(): unbind, then off the bus.
        if (dev.bus !== null) {
          this.device_release_driver(dev);
          const i = dev.bus.devices.indexOf(dev);
          if (i >= 0) dev.bus.devices.splice(i, 1);
        }
        this.driver_deferred_probe_del(dev);
        if (k.features.deviceDelReleasesDevres) devres_release_all(dev);
        dev.registered = false;
        const i = this.devices.indexOf(dev);
        if (i >= 0) this.devices.splice(i, 1);
        if (dev.parent !== null) {
          const j = dev.parent.children.indexOf(dev);
          if (j >= 0) dev.parent.children.splice(j, 1);
          this.put_device(dev.parent);
        }
      }),
    );
  }

  /** device_unregister() = device_del() + put_device(). */
  device_unregister(dev: Device): void {
    this.device_del(dev);
    this.put_device(dev);
  }

  // ---- drivers -------------------------------------------------------------------------

  /** driver_register(): add to the bus and bind every matching, driverless device. */
  driver_register(drv: DeviceDriver, bus: BusType): number {
    if (bus.drivers.some((d) => d.name === drv.name)) {
      this.k.printk(3, `Error: Driver '${drv.name}' is already registered, aborting...`);
      return -EBUSY;
    }
    drv.bus = bus;
    bus.drivers.push(drv);
    if (bus.drivers_autoprobe) this.run(() => this.driver_attach(drv));
    return 0;
  }

  /** driver_unregister(): unbind every device (driver_detach), then leave the bus. */
  driver_unregister(drv: DeviceDriver): void {
    const bus = drv.bus;
    if (bus === null) return;
    this.run(() => {
      for (const dev of drv.devices.slice().reverse()) this.device_release_driver(dev);
    });
    const i = bus.drivers.indexOf(drv);
    if (i >= 0) bus.drivers.splice(i, 1);
    drv.bus = null;
  }

  /** driver_attach() → __driver_attach for every device of the bus. */
  private driver_attach(drv: DeviceDriver): void {
    const bus = drv.bus as BusType;
    for (const dev of bus.devices.slice()) {
      const m = this.driver_match_device(drv, dev);
      if (m === 0) continue;
      if (m === -EPROBE_DEFER) {
        this.driver_deferred_probe_add(dev);
        continue;
      }
      if (m < 0) continue;
      if (drv.probe_type === "async")
        this.k.runAs(this.asyncWorker(), () => this.driver_probe_device(drv, dev));
      else this.driver_probe_device(drv, dev);
    }
  }

  /**
   * The kworker an asynchronous probe runs on (async_schedule_dev → the unbound workqueue); a
   * new worker each time, as the captures show (`kworker/u4:5`, `kworker/u4:7`...).
   */
  asyncWorker(): Task {
    return this.k.task(`kworker/u${2 * this.k.config.cpus}:${this.nextAsyncWorker++}`, 0);
  }

  /** driver_match_device(): bus->match or 1. */
  driver_match_device(drv: DeviceDriver, dev: Device): number {
    const bus = drv.bus;
    if (bus === null) return 0;
    return bus.match !== undefined ? bus.match(dev, drv) : 1;
  }

  /** __device_attach(): try the bus's drivers in order until one binds. */
  private __device_attach(dev: Device, allowAsync: boolean): number {
    if (dev.driver !== null) return 1;
    const bus = dev.bus;
    if (bus === null) return 0;
    for (const drv of bus.drivers.slice()) {
      const m = this.driver_match_device(drv, dev);
      if (m === 0) continue;
      if (m === -EPROBE_DEFER) {
        this.driver_deferred_probe_add(dev);
        return 0;
      }
      if (m < 0) return m;
      const ret =
        drv.probe_type === "async" && allowAsync
          ? this.k.runAs(this.asyncWorker(), () => this.driver_probe_device(drv, dev))
          : this.driver_probe_device(drv, dev);
      if (ret === 0) return 1;
    }
    return 0;
  }

  /** device_attach(): bind a driver to a driverless device. 1 bound, 0 none, <0 error. */
  device_attach(dev: Device): number {
    return this.run(() => this.__device_attach(dev, false));
  }

  /** driver_probe_device(): __driver_probe_device + deferred-list handling. */
  private driver_probe_device(drv: DeviceDriver, dev: Device): number {
    const triggerCount = this.deferredTriggerCount;
    const ret = this.__driver_probe_device(drv, dev);
    if (ret === -EPROBE_DEFER || ret === EPROBE_DEFER) {
      this.driver_deferred_probe_add(dev);
      // A trigger while probing means the retry must be triggered again.
      if (triggerCount !== this.deferredTriggerCount && !this.defer_all_probes)
        this.driver_deferred_probe_trigger();
    }
    return ret;
  }

  private __driver_probe_device(drv: DeviceDriver, dev: Device): number {
    if (dev.dead || !dev.registered) return -ENODEV;
    if (dev.driver !== null) return -EBUSY;
    return this.really_probe(dev, drv);
  }

  /**
   * really_probe() (drivers/base/dd.c). In order: deferral checks; a non-empty devres list →
   * dev_crit "Resources present before probing" and -EBUSY, probe never called; set
   * dev->driver; pinctrl_bind_pins (the devm_kzalloc 40 + devm_pinctrl_release pair); the
   * probe; on failure driver_sysfs_remove → device_unbind_cleanup (devres_release_all, *no*
   * remove()); on success an optional CONFIG_DEBUG_TEST_DRIVER_REMOVE cycle, then
   * driver_bound(). Probe errors come back positive (-ret), as the kernel returns them.
   */
  private really_probe(dev: Device, drv: DeviceDriver): number {
    const k = this.k;
    return k.call("really_probe", () => {
      let testRemove = k.config.debugTestDriverRemove && drv.suppress_bind_attrs !== true;
      if (this.defer_all_probes) return -EPROBE_DEFER;
      if (dev.devres_head.next !== dev.devres_head) {
        k.printk(2, `${dev_driver_string(dev)} ${dev.name}: Resources present before probing`);
        this.record(dev, drv, -EBUSY);
        return -EBUSY;
      }
      for (;;) {
        dev.driver = drv;
        let ret = pinctrl_bind_pins(dev);
        if (ret !== 0) {
          this.device_unbind_cleanup(dev);
          this.record(dev, drv, ret);
          return ret;
        }
        ret = this.call_driver_probe(dev, drv);
        if (ret !== 0) {
          // probe_failed: driver_sysfs_remove; sysfs_failed: notify, dma cleanup;
          // pinctrl_bind_failed: device_links_no_driver, device_unbind_cleanup.
          this.device_unbind_cleanup(dev);
          this.record(dev, drv, ret);
          return -ret;
        }
        if (testRemove) {
          testRemove = false;
          this.device_remove(dev);
          this.device_unbind_cleanup(dev);
          continue;
        }
        break;
      }
      this.driver_bound(dev);
      this.record(dev, drv, 0);
      return 0;
    });
  }

  /** call_driver_probe(): bus->probe or drv->probe, and the kernel's messages for failures. */
  private call_driver_probe(dev: Device, drv: DeviceDriver): number {
    const k = this.k;
    const bus = dev.bus;
    let ret = 0;
    if (bus?.probe !== undefined)
      ret = k.call(k.fnName(bus.probe, "bus_probe"), () =>
        (bus.probe as (d: Device) => number)(dev),
      );
    else if (drv.probe !== undefined)
      ret = k.call(k.fnName(drv.probe, "probe"), () => (drv.probe as (d: Device) => number)(dev));
    switch (ret) {
      case 0:
      case -EPROBE_DEFER:
        // dev_dbg "Driver %s requests probe deferral": compiled out without dynamic debug.
        break;
      case -ENODEV:
      case -ENXIO:
        // "probe with driver %s rejects match %d": debug level, not printed.
        break;
      default:
        if (k.features.probeFailDevErr)
          k.printk(
            3,
            `${dev_driver_string(dev)} ${dev.name}: probe with driver ${drv.name} failed with error ${ret}`,
          );
        else k.printk(4, `${drv.name}: probe of ${dev.name} failed with error ${ret}`);
    }
    return ret;
  }

  /** device_remove(): bus->remove or drv->remove. */
  private device_remove(dev: Device): void {
    const k = this.k;
    const drv = dev.driver;
    if (drv === null) return;
    const bus = dev.bus;
    if (bus?.remove !== undefined)
      k.call(k.fnName(bus.remove, "bus_remove"), () => (bus.remove as (d: Device) => void)(dev));
    else if (drv.remove !== undefined)
      k.call(k.fnName(drv.remove, "remove"), () => (drv.remove as (d: Device) => void)(dev));
  }

  /**
   * device_unbind_cleanup(): devres_release_all() first — while dev->driver is still set, so
   * the release lines carry the driver's prefix — then dev->driver = NULL, drvdata = NULL.
   */
  private device_unbind_cleanup(dev: Device): void {
    devres_release_all(dev);
    this.k.slab.kfree(null, "device_unbind_cleanup+0x1a/0x70"); // kfree(dev->dma_range_map)
    dev.driver = null;
    dev.driver_data = null;
  }

  /** driver_bound(): the device joins the driver's list; deferred probes are retried. */
  private driver_bound(dev: Device): void {
    const drv = dev.driver as DeviceDriver;
    drv.devices.push(dev);
    this.driver_deferred_probe_del(dev);
    this.driver_deferred_probe_trigger();
  }

  /**
   * device_release_driver() → __device_release_driver(): remove() first, then
   * device_unbind_cleanup() (devres_release_all). No-op for an unbound device.
   */
  device_release_driver(dev: Device): void {
    const k = this.k;
    const drv = dev.driver;
    if (drv === null) return;
    this.run(() =>
      k.call("device_release_driver_internal", () => {
        this.device_remove(dev);
        this.device_unbind_cleanup(dev);
        const i = drv.devices.indexOf(dev);
        if (i >= 0) drv.devices.splice(i, 1);
      }),
    );
  }

  // ---- sysfs ---------------------------------------------------------------------------

  /**
   * `echo <dev> > /sys/bus/<bus>/drivers/<drv>/bind` (bind_store → device_driver_attach):
   * 0 on success, else the write's error (-ENODEV for no such device or no match).
   */
  bind(busName: string, drvName: string, devName: string): number {
    const bus = this.buses.get(busName);
    const drv = bus?.drivers.find((d) => d.name === drvName);
    const dev = bus?.devices.find((d) => d.name === devName);
    if (bus === undefined || drv === undefined || dev === undefined) return -ENODEV;
    if (drv.suppress_bind_attrs === true) return -ENODEV;
    if (this.driver_match_device(drv, dev) <= 0) return -ENODEV;
    return this.run(() => {
      let ret = this.__driver_probe_device(drv, dev);
      if (ret > 0) ret = -ret;
      if (ret === -EPROBE_DEFER) {
        this.driver_deferred_probe_add(dev);
        return -EAGAIN;
      }
      return ret;
    });
  }

  /** `echo <dev> > /sys/bus/<bus>/drivers/<drv>/unbind`: 0, or -ENODEV if not bound to it. */
  unbind(busName: string, drvName: string, devName: string): number {
    const bus = this.buses.get(busName);
    const drv = bus?.drivers.find((d) => d.name === drvName);
    const dev = bus?.devices.find((d) => d.name === devName);
    if (drv === undefined || dev === undefined || dev.driver !== drv) return -ENODEV;
    this.device_release_driver(dev);
    return 0;
  }

  /** `echo <name> > /sys/bus/<bus>/devices/<dev>/driver_override` (empty string clears it). */
  set_driver_override(dev: Device, name: string | null): void {
    dev.driver_override = name === null || name === "" ? null : name;
  }

  // ---- deferred probe ------------------------------------------------------------------

  driver_deferred_probe_add(dev: Device): void {
    if (!this.deferredPending.includes(dev)) this.deferredPending.push(dev);
  }

  driver_deferred_probe_del(dev: Device): void {
    let i = this.deferredPending.indexOf(dev);
    if (i >= 0) this.deferredPending.splice(i, 1);
    i = this.deferredActive.indexOf(dev);
    if (i >= 0) this.deferredActive.splice(i, 1);
  }

  /**
   * driver_deferred_probe_trigger(): move every pending device to the active list and queue
   * the retry work, which runs (as a kworker) when the current driver-core call returns.
   */
  driver_deferred_probe_trigger(): void {
    this.deferredTriggerCount++;
    this.deferredActive.push(
      ...this.deferredPending.filter((d) => !this.deferredActive.includes(d)),
    );
    this.deferredPending.length = 0;
    if (this.deferredActive.length > 0) this.workQueued = true;
  }

  /** deferred_probe_work_func(): retry each active device from scratch. */
  private deferred_probe_work(): void {
    const k = this.k;
    this.kworker ??= k.task("kworker/u4:1", 0);
    k.runAs(this.kworker, () =>
      k.call("deferred_probe_work_func", () => {
        while (this.deferredActive.length > 0) {
          const dev = this.deferredActive.shift() as Device;
          if (dev.registered && !dev.dead && dev.driver === null) this.__device_attach(dev, false);
        }
      }),
    );
  }

  /** Run a driver-core entry point; queued deferred-probe work runs when the outermost returns. */
  private run<T>(fn: () => T): T {
    this.depth++;
    let out: T;
    try {
      out = fn();
    } finally {
      this.depth--;
    }
    while (this.depth === 0 && this.workQueued) {
      this.workQueued = false;
      this.depth++;
      try {
        this.deferred_probe_work();
      } finally {
        this.depth--;
      }
    }
    return out;
  }

  private record(dev: Device, drv: DeviceDriver, ret: number): void {
    this.probes.push({
      dev: dev.name,
      driver: drv.name,
      ret: ret > 0 ? -ret : ret,
      ns: this.k.clock.now,
    });
  }
}
