import { describe, expect, it } from "vitest";
import * as core from "../index.js";
import { Kernel } from "./kernel.js";
import { Device } from "../base/device.js";
import { GFP_KERNEL } from "./gfp.js";
import { IS_ERR } from "./err-ptr.js";
import { devres_add, devres_alloc, devres_release_all } from "../devres/devres.js";
import { devm_add_action } from "../devres/devres-action.js";
import { drmm_add_action } from "../drm/drm-managed.js";
import { DRIVER_GEM, devm_drm_dev_alloc, type DrmDevice } from "../drm/drm-device.js";
import { pci_device_add, pci_register_driver } from "../pci/pci.js";
import { runAhciBindUnbind } from "../testing/ahci-scenario.js";
import { devresOps, dmesgTexts } from "../testing/trace-helpers.js";
import { explicitKernelName, kernelName, named } from "./kernel-name.js";

/**
 * What a minifying bundler does to a function: its `.name` becomes a short identifier.
 * (`Function.prototype.name` is configurable, so this is exactly the state a bundle ships.)
 */
function minified<F extends object>(fn: F, short: string): F {
  Object.defineProperty(fn, "name", { value: short });
  return fn;
}

describe("named() / kernelName()", () => {
  it("reads the kernel name back, falls back to the JavaScript name, then to the fallback", () => {
    const f = named(
      minified(() => undefined, "a"),
      "devm_irq_release",
    );
    expect(kernelName(f)).toBe("devm_irq_release");
    expect(explicitKernelName(f)).toBe("devm_irq_release");
    expect(f.name).toBe("a");
    function plain_release(): void {}
    expect(kernelName(plain_release)).toBe("plain_release");
    expect(explicitKernelName(plain_release)).toBeUndefined();
    expect(
      kernelName(
        minified(() => undefined, ""),
        "probe",
      ),
    ).toBe("probe");
  });

  it("refuses names that are not C identifiers and renaming a named function", () => {
    expect(() => named(() => undefined, "devm irq")).toThrow(/not a C identifier/);
    const f = named(() => undefined, "x_release");
    expect(named(f, "x_release")).toBe(f);
    expect(() => named(f, "y_release")).toThrow(/already named "x_release"/);
  });
});

describe("a minified bundle still prints the kernel's names", () => {
  it("devres nodes, devm actions (6.4+ #action) and their call frames use the kernel name, not .name", () => {
    const k = new Kernel({ version: "6.4", seed: 3, config: { debugDevres: true } });
    const dev = new Device(k, "min-dev");
    const release = named(
      minified((_d: Device, _r: { v: number }): void => {
        // The release runs under its kernel name: a kmalloc here reports it as the call site.
        k.slab.kfree(k.slab.kmalloc(16, GFP_KERNEL, k.caller("fallback")), k.caller("fallback"));
      }, "a"),
      "foo_release",
    );
    const action = named(
      minified((_d: null): void => undefined, "b"),
      "foo_disable",
    );
    const dr = devres_alloc(dev, release, 8, GFP_KERNEL, { v: 1 });
    if (dr === null) throw new Error("no node");
    devres_add(dev, dr);
    expect(devm_add_action(dev, action, null)).toBe(0);
    devres_release_all(dev);
    expect(devresOps(k, "min-dev")).toEqual([
      "ADD foo_release 8",
      "ADD foo_disable 16",
      "REL foo_disable 16",
      "REL foo_release 8",
    ]);
    expect(
      dmesgTexts(k)
        .filter((t) => t.includes("DEVRES ADD"))
        .map((t) => t.replace(/ [0-9a-f]{16} /, " … ")),
    ).toEqual([
      // No driver bound: dev_driver_string() is "" and the line starts with a space.
      " min-dev: DEVRES ADD … foo_release (8 bytes)",
      " min-dev: DEVRES ADD … foo_disable (16 bytes)",
    ]);
    const frees = k.trace.events
      .filter((e) => e.kind === "kfree")
      .map((e) => (e.kind === "kfree" ? e.callSite : ""));
    expect(frees.some((s) => s.startsWith("foo_release+0x"))).toBe(true);
    expect(frees.some((s) => s.startsWith("a+0x"))).toBe(false);
    expect([...k.namesFromJs]).toEqual([]);
  });

  it("drmm actions keep their kernel name; an unnamed minified function prints what the bundler left (and is noted)", () => {
    const k = new Kernel({
      version: "6.1",
      seed: 4,
      config: { drmDebug: 0x200, consoleLoglevel: 8 },
      trace: { console: true },
    });
    pci_device_add(k, {
      name: "0000:00:06.0",
      vendor: 0x1234,
      device: 0x1111,
      bars: [{ kind: "mem", start: 0xfc000000, size: 0x1000000 }],
      irq: 10,
    });
    const bound: { drm: DrmDevice | null } = { drm: null };
    k.runAs(k.task("modprobe"), () =>
      pci_register_driver(k, {
        name: "mini",
        id_table: [{ vendor: 0x1234, device: 0x1111 }],
        probe: named(
          minified((p: core.PciDev): number => {
            const c = devm_drm_dev_alloc(
              p.dev,
              {
                name: "mini",
                desc: "",
                date: "",
                major: 1,
                minor: 0,
                patchlevel: 0,
                driver_features: DRIVER_GEM,
              },
              64,
              null,
            );
            if (IS_ERR(c)) return c.err;
            bound.drm = c.drm;
            expect(
              drmm_add_action(
                c.drm,
                named(
                  minified((_d: DrmDevice, _x: null): void => undefined, "c"),
                  "mini_mode_config_release",
                ),
                null,
              ),
            ).toBe(0);
            return drmm_add_action(
              c.drm,
              minified((_d: DrmDevice, _x: null): void => undefined, "d"),
              null,
            );
          }, "e"),
          "mini_pci_probe",
        ),
      }),
    );
    expect(bound.drm?.released).toBe(false);
    const adds = dmesgTexts(k).filter((t) => t.includes("[drm:add_dr [drm]] ADD"));
    expect(adds.some((t) => / mini_mode_config_release \(0 bytes\)$/.test(t))).toBe(true);
    expect(adds.some((t) => / d \(0 bytes\)$/.test(t))).toBe(true);
    expect([...k.namesFromJs]).toEqual(["d"]);
    k.core.unbind("pci", "mini", "0000:00:06.0");
    expect(bound.drm?.released).toBe(true);
    expect(
      dmesgTexts(k).some((t) => / REL [0-9a-f]{16} mini_mode_config_release \(0 bytes\)$/.test(t)),
    ).toBe(true);
  });
});

describe("core's own release, action, handler and bus functions are named", () => {
  it("the ahci capture replay takes no name from JavaScript", () => {
    const k = runAhciBindUnbind({ seed: 1 });
    expect(devresOps(k).length).toBeGreaterThan(90);
    expect([...k.namesFromJs]).toEqual([]);
  });

  it("every named export carries its own identifier (no typo between the name and the function)", () => {
    let count = 0;
    for (const [key, value] of Object.entries(core)) {
      if (typeof value !== "function") continue;
      const n = explicitKernelName(value);
      if (n === undefined) continue;
      expect(n, key).toBe(value.name);
      count++;
    }
    // devm_irq_release, dmam_release, pcim_release, devm_ioremap_release, … are exported.
    expect(count).toBeGreaterThan(15);
  });
});
