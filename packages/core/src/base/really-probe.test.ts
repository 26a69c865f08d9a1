import { describe, expect, it } from "vitest";
import { Kernel, type KernelOptions } from "../kernel/kernel.js";
import { EBUSY, ENODEV, ENOMEM, EPROBE_DEFER, EAGAIN } from "../kernel/errno.js";
import { GFP_KERNEL } from "../kernel/gfp.js";
import { devm_kzalloc } from "../devres/devm-memory.js";
import { devm_add_action, devm_add_action_or_reset } from "../devres/devres-action.js";
import { devres_nodes } from "../devres/devres.js";
import {
  PLATFORM_DEVID_NONE,
  platform_device_add,
  platform_device_alloc,
  platform_device_unregister,
  platform_driver_register,
  platform_driver_unregister,
  type PlatformDevice,
  type PlatformDriver,
} from "./platform.js";
import { get_device, put_device } from "./core-api.js";
import { devresOps, dmesgTexts } from "../testing/trace-helpers.js";

function kernel(opts: KernelOptions = {}): Kernel {
  return new Kernel({ seed: 17, trace: { kmem: false }, ...opts });
}

/** A platform device `name.0` (real device names always carry a digit or `.:-`). */
function device(k: Kernel, name: string, id = 0): PlatformDevice {
  const pdev = platform_device_alloc(k, name, id);
  expect(platform_device_add(pdev)).toBe(0);
  return pdev;
}

describe("really_probe (drivers/base/dd.c)", () => {
  it("binds pins first (the devm_kzalloc 40 + devm_pinctrl_release ADD/REM pair), then probes", () => {
    const k = kernel();
    device(k, "widget");
    platform_driver_register(k, {
      name: "widget",
      probe: (p) => (devm_kzalloc(p.dev, 64, GFP_KERNEL) === null ? -ENOMEM : 0),
    });
    expect(devresOps(k)).toEqual([
      "ADD devm_kzalloc_release 40",
      "ADD devm_pinctrl_release 8",
      "REM devm_pinctrl_release 8",
      "REM devm_kzalloc_release 40",
      "ADD devm_kzalloc_release 64",
    ]);
    const noPins = kernel({ config: { pinctrl: false } });
    device(noPins, "widget");
    platform_driver_register(noPins, { name: "widget", probe: () => 0 });
    expect(devresOps(noPins)).toEqual([]);
  });

  it("a failed probe releases its devres newest first, without calling remove(); 6.1 prints the pr_warn form", () => {
    const k = kernel();
    const calls: string[] = [];
    const pdev = device(k, "flaky");
    function undo_a(): void {
      calls.push("undo_a");
    }
    function undo_b(): void {
      calls.push("undo_b");
    }
    const drv: PlatformDriver = {
      name: "flaky",
      probe: function flaky_probe(p) {
        devm_add_action(p.dev, undo_a, null);
        devm_kzalloc(p.dev, 100, GFP_KERNEL);
        devm_add_action(p.dev, undo_b, null);
        return -ENOMEM;
      },
      remove: () => calls.push("remove"),
    };
    platform_driver_register(k, drv);
    expect(calls).toEqual(["undo_b", "undo_a"]);
    expect(devresOps(k).slice(4)).toEqual([
      "ADD devm_action_release 16",
      "ADD devm_kzalloc_release 100",
      "ADD devm_action_release 16",
      "REL devm_action_release 16",
      "REL devm_kzalloc_release 100",
      "REL devm_action_release 16",
    ]);
    expect(pdev.driver).toBeNull();
    expect(dmesgTexts(k)).toEqual(["flaky: probe of flaky.0 failed with error -12"]);
    expect(k.dmesg[0]).toMatchObject({
      kind: "probe_failed",
      driver: "flaky",
      dev: "flaky.0",
      errno: -12,
    });
    expect(k.core.probes.at(-1)).toMatchObject({ dev: "flaky.0", driver: "flaky", ret: -ENOMEM });
  });

  it("v6.10+ prints the failure with dev_err; -ENODEV and -ENXIO stay silent", () => {
    const k = kernel({ version: "6.10" });
    device(k, "a");
    device(k, "b");
    platform_driver_register(k, { name: "a", probe: () => -22 });
    platform_driver_register(k, { name: "b", probe: () => -ENODEV });
    expect(dmesgTexts(k)).toEqual(["a a.0: probe with driver a failed with error -22"]);
    expect(k.dmesg[0]).toMatchObject({ kind: "probe_failed", form: "dev", errno: -22 });
  });

  it("resources already on the list: dev_crit 'Resources present before probing', -EBUSY, probe never called", () => {
    const k = kernel();
    const pdev = device(k, "victim");
    devm_kzalloc(pdev.dev, 32, GFP_KERNEL); // devm on a device no driver is bound to
    let probed = false;
    platform_driver_register(k, { name: "victim", probe: () => ((probed = true), 0) });
    expect(probed).toBe(false);
    expect(pdev.driver).toBeNull();
    expect(dmesgTexts(k)).toEqual(["platform victim.0: Resources present before probing"]);
    expect(k.dmesg[0]).toMatchObject({
      kind: "resources_before_probe",
      dev: "victim.0",
      driver: "platform",
    });
    expect(k.core.probes.at(-1)?.ret).toBe(-EBUSY);
  });

  it("-EPROBE_DEFER releases everything, parks the device and retries from scratch when another driver binds", () => {
    const k = kernel();
    const consumer = device(k, "consumer");
    device(k, "supplier");
    let supplierReady = false;
    let attempts = 0;
    platform_driver_register(k, {
      name: "consumer",
      probe: function consumer_probe(p) {
        attempts++;
        devm_kzalloc(p.dev, 24, GFP_KERNEL);
        return supplierReady ? 0 : -EPROBE_DEFER;
      },
    });
    expect(consumer.driver).toBeNull();
    expect(k.core.deferredPending).toContain(consumer);
    expect(devresOps(k, "consumer.0").slice(-2)).toEqual([
      "ADD devm_kzalloc_release 24",
      "REL devm_kzalloc_release 24",
    ]);
    expect(dmesgTexts(k)).toEqual([]); // deferral is debug-level only
    const kworker = k.task("modprobe");
    k.runAs(kworker, () =>
      platform_driver_register(k, {
        name: "supplier",
        probe: () => {
          supplierReady = true;
          return 0;
        },
      }),
    );
    expect(attempts).toBe(2);
    expect(consumer.driver?.name).toBe("consumer");
    expect(k.core.deferredPending).toEqual([]);
    // The retry ran from the deferred-probe work (a kworker), not from the registering task.
    const lastAdd = k.trace.events
      .filter((e) => e.kind === "devres" && e.dev === "consumer.0")
      .at(-1);
    expect(lastAdd?.task).toMatch(/^kworker\//);
  });

  it("unbind: remove() runs first, then the devres are released newest first", () => {
    const k = kernel();
    const order: string[] = [];
    const pdev = device(k, "nic");
    function nic_free_rings(): void {
      order.push("devm action");
    }
    platform_driver_register(k, {
      name: "nic",
      probe: (p) => devm_add_action_or_reset(p.dev, nic_free_rings, null),
      remove: function nic_remove() {
        order.push("remove()");
      },
    });
    expect(k.core.unbind("platform", "nic", "nic.0")).toBe(0);
    expect(order).toEqual(["remove()", "devm action"]);
    expect(pdev.driver).toBeNull();
    expect(k.core.unbind("platform", "nic", "nic.0")).toBe(-ENODEV);
    expect(k.core.bind("platform", "nic", "nic.0")).toBe(0);
    expect(k.core.bind("platform", "nic", "nic.0")).toBe(-EBUSY);
  });

  it("CONFIG_DEBUG_TEST_DRIVER_REMOVE probes, removes, releases and probes again", () => {
    const k = kernel({ config: { debugTestDriverRemove: true, pinctrl: false } });
    device(k, "t");
    const calls: string[] = [];
    platform_driver_register(k, {
      name: "t",
      probe: (p) => (
        calls.push("probe"),
        devm_kzalloc(p.dev, 8, GFP_KERNEL) === null ? -ENOMEM : 0
      ),
      remove: () => calls.push("remove"),
    });
    expect(calls).toEqual(["probe", "remove", "probe"]);
    expect(devresOps(k)).toEqual([
      "ADD devm_kzalloc_release 8",
      "REL devm_kzalloc_release 8",
      "ADD devm_kzalloc_release 8",
    ]);
  });

  it("driver_override forces a driver; a failing forced bind returns the error to the sysfs write", () => {
    const k = kernel();
    const pdev = device(k, "0000:00:1f.2", PLATFORM_DEVID_NONE);
    platform_driver_register(k, {
      name: "ata_piix",
      probe: (p) => (devm_kzalloc(p.dev, 24, GFP_KERNEL), -ENODEV),
    });
    expect(k.core.bind("platform", "ata_piix", "0000:00:1f.2")).toBe(-ENODEV); // no match without override
    k.core.set_driver_override(pdev, "ata_piix");
    expect(k.core.bind("platform", "ata_piix", "0000:00:1f.2")).toBe(-ENODEV); // probe said -ENODEV
    expect(devresOps(k).slice(-2)).toEqual([
      "ADD devm_kzalloc_release 24",
      "REL devm_kzalloc_release 24",
    ]);
    expect(dmesgTexts(k)).toEqual([]);
    k.core.set_driver_override(pdev, "");
    expect(pdev.driver_override).toBeNull();
  });

  it("a -EPROBE_DEFER from a sysfs bind is -EAGAIN to the writer", () => {
    const k = kernel();
    device(k, "late");
    platform_driver_register(k, { name: "late", probe: () => -EPROBE_DEFER });
    expect(k.core.bind("platform", "late", "late.0")).toBe(-EAGAIN);
  });

  it("driver_unregister unbinds every bound device", () => {
    const k = kernel();
    const a = device(k, "multi");
    const drv: PlatformDriver = { name: "multi", probe: () => 0 };
    platform_driver_register(k, drv);
    expect(a.driver).not.toBeNull();
    platform_driver_unregister(k, drv);
    expect(a.driver).toBeNull();
  });
});

describe("device_del / final put (drivers/base/core.c, platform-device-test.c)", () => {
  function devm_device_action(flag: { done: boolean }): void {
    flag.done = true;
  }

  it("a non-probed device's devm actions run when it is unregistered", () => {
    for (const version of ["6.1", "6.6"]) {
      const k = kernel({ version });
      const pdev = device(k, "test");
      const flag = { done: false };
      expect(devm_add_action_or_reset(pdev.dev, devm_device_action, flag)).toBe(0);
      platform_device_unregister(pdev);
      expect(flag.done).toBe(true);
    }
  });

  it("...even if an action holds a reference: only since v6.6 (device_del drains devres), a leak before", () => {
    for (const [version, runs] of [
      ["6.1", false],
      ["6.6", true],
    ] as const) {
      const k = kernel({ version });
      const pdev = device(k, "test");
      const flag = { done: false, dev: pdev };
      get_device(pdev.dev);
      function devm_put_device_action(f: typeof flag): void {
        put_device(f.dev);
        f.done = true;
      }
      expect(devm_add_action_or_reset(pdev.dev, devm_put_device_action, flag)).toBe(0);
      platform_device_unregister(pdev);
      expect(flag.done).toBe(runs);
      expect(pdev.released).toBe(runs);
    }
  });

  it("a probed device: unregister unbinds (remove, devres) before the device goes", () => {
    const k = kernel();
    const calls: string[] = [];
    platform_driver_register(k, {
      name: "test",
      probe: () => 0,
      remove: () => calls.push("remove"),
    });
    const pdev = device(k, "test");
    const flag = { done: false };
    devm_add_action_or_reset(pdev.dev, devm_device_action, flag);
    platform_device_unregister(pdev);
    expect(calls).toEqual(["remove"]);
    expect(flag.done).toBe(true);
    expect(devres_nodes(pdev)).toEqual([]);
  });
});
