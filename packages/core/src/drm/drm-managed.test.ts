import { describe, expect, it } from "vitest";
import type { DrmresEvent, DrmresReleaseEvent, TraceEvent } from "@devscope/tracer";
import { Kernel, type KernelOptions } from "../kernel/kernel.js";
import { IS_ERR } from "../kernel/err-ptr.js";
import { GFP_KERNEL } from "../kernel/gfp.js";
import { devm_ioremap } from "../io/devm-io.js";
import { pci_device_add, pci_register_driver, type PciDev } from "../pci/pci.js";
import { pcim_enable_device } from "../pci/pcim.js";
import {
  drmm_add_action,
  drmm_add_action_or_reset,
  drmm_kfree,
  drmm_kzalloc,
  drmm_release_action,
} from "./drm-managed.js";
import {
  DRIVER_GEM,
  DRIVER_MODESET,
  devm_drm_dev_alloc,
  drm_dev_enter,
  drm_dev_exit,
  drm_dev_register,
  drm_dev_unplug,
  drm_open,
  drm_release,
  type DrmContainer,
  type DrmDevice,
  type DrmDriver,
} from "./drm-device.js";
import { dmesgTexts } from "../testing/trace-helpers.js";

const cirrusDriver: DrmDriver = {
  name: "cirrus",
  desc: "Cirrus Logic GD5446",
  date: "2019",
  major: 2,
  minor: 0,
  patchlevel: 0,
  driver_features: DRIVER_MODESET | DRIVER_GEM,
};

function drm_mode_config_init_release(): void {}

/** A cirrus-like PCI DRM driver: pcim, devm_drm_dev_alloc, two devm_ioremaps, the mode config action. */
function setup(opts: KernelOptions = {}): {
  k: Kernel;
  pdev: PciDev;
  drm: () => DrmContainer<{ vram: number }>;
} {
  const k = new Kernel({
    seed: 23,
    version: "6.1",
    config: { drmDebug: 0x200, consoleLoglevel: 8 },
    trace: { console: true, kmem: false },
    ...opts,
  });
  const pdev = pci_device_add(k, {
    name: "0000:00:06.0",
    vendor: 0x1013,
    device: 0x00b8,
    bars: [
      { kind: "mem", start: 0xfc000000, size: 0x2000000, prefetch: true },
      { kind: "mem", start: 0xfebd0000, size: 0x1000 },
    ],
    irq: 10,
  });
  let dc: DrmContainer<{ vram: number }> | null = null;
  k.runAs(k.task("modprobe", 1), () =>
    pci_register_driver(k, {
      name: "cirrus",
      id_table: [{ vendor: 0x1013, device: 0x00b8 }],
      probe: function cirrus_pci_probe(p) {
        const rc = pcim_enable_device(p);
        if (rc !== 0) return rc;
        const r = devm_drm_dev_alloc(p.dev, cirrusDriver, 3160, { vram: 0 });
        if (IS_ERR(r)) return r.err;
        dc = r;
        devm_ioremap(p.dev, 0xfc000000, 0x400000);
        devm_ioremap(p.dev, 0xfebd0000, 0x1000);
        drmm_add_action_or_reset(r.drm, drm_mode_config_init_release, null);
        return drm_dev_register(r.drm, 0);
      },
    }),
  );
  return { k, pdev, drm: () => dc as unknown as DrmContainer<{ vram: number }> };
}

const consoleLine = (e: TraceEvent): string | null => {
  if (e.kind === "devres" && e.via === undefined) return `devres ${e.op} ${e.name}`;
  if (e.kind === "drmres" && e.via === "console") return `drmres ${e.op} ${e.name} (${e.size})`;
  if (e.kind === "drmres_release" && e.via === "console")
    return `drmres ${e.phase}${e.dev === undefined ? " (no device)" : ""}`;
  return null;
};

describe("DRM managed resources (drm_managed.c, drm_drv.c)", () => {
  it("the cirrus capture's sequence: drmm list from drm_dev_init, devm action on the parent, nested release at unbind", () => {
    const { k } = setup();
    const bind = k.trace.events.map(consoleLine).filter((x): x is string => x !== null);
    expect(bind.slice(4)).toEqual([
      "devres ADD pcim_release",
      "drmres ADD drm_dev_init_release (0)",
      "drmres ADD kmalloc (80)",
      "drmres ADD drm_minor_alloc_release (8)",
      "drmres ADD kmalloc (248)",
      "drmres ADD drm_gem_init_release (0)",
      "drmres ADD kmalloc (13)",
      "devres ADD devm_action_release",
      "devres ADD devm_ioremap_release",
      "devres ADD devm_ioremap_release",
      "drmres ADD drm_mode_config_init_release (0)",
    ]);
    expect(dmesgTexts(k)).toContain(
      "[drm] Initialized cirrus 2.0.0 2019 for 0000:00:06.0 on minor 0",
    );
    const n = k.trace.events.length;
    k.runAs(k.init, () => k.core.unbind("pci", "cirrus", "0000:00:06.0"));
    const unbind = k.trace.events
      .slice(n)
      .map(consoleLine)
      .filter((x): x is string => x !== null);
    expect(unbind).toEqual([
      "devres REL devm_ioremap_release",
      "devres REL devm_ioremap_release",
      "devres REL devm_action_release",
      "drmres begin",
      "drmres REL drm_mode_config_init_release (0)",
      "drmres REL kmalloc (13)",
      "drmres REL drm_gem_init_release (0)",
      "drmres REL kmalloc (248)",
      "drmres REL drm_minor_alloc_release (8)",
      "drmres REL kmalloc (80)",
      "drmres REL drm_dev_init_release (0)",
      "drmres end (no device)",
      "devres REL pcim_release",
    ]);
    const end = k.trace.events.find(
      (e): e is DrmresReleaseEvent => e.kind === "drmres_release" && e.phase === "end",
    );
    expect(end?.func).toBe("devm_drm_dev_init_release");
    const rel = k.trace.events.find((e): e is DrmresEvent => e.kind === "drmres" && e.op === "REL");
    expect(rel).toMatchObject({ dev: "0000:00:06.0", driver: "cirrus" });
    expect(dmesgTexts(k)).toContain("[drm:devm_drm_dev_init_release [drm]] drmres release end");
  });

  it("6.4+ names the parent's action devm_drm_dev_init_release", () => {
    const { k } = setup({ version: "6.4" });
    expect(
      k.trace.events.some(
        (e) => e.kind === "devres" && e.name === "devm_drm_dev_init_release" && e.size === 16,
      ),
    ).toBe(true);
  });

  it("an open file keeps the drm_device: parent unbind drops only the devres reference; the last close releases drmm", () => {
    const { k, pdev, drm } = setup();
    const { drm: d, container } = drm();
    const file = drm_open(d);
    k.runAs(k.init, () => k.core.unbind("pci", "cirrus", "0000:00:06.0"));
    expect(d.released).toBe(false);
    expect(d.managed).toHaveLength(7);
    expect(pdev.driver).toBeNull();
    k.runAs(k.task("Xorg"), () => drm_release(file));
    expect(d.released).toBe(true);
    const late = k.trace.events.filter(
      (e): e is DrmresEvent => e.kind === "drmres" && e.op === "REL",
    );
    expect(late[0]).toMatchObject({ dev: "0000:00:06.0", driver: "pci" }); // the parent has no driver any more
    expect(
      k.trace.events.filter((e): e is DrmresReleaseEvent => e.kind === "drmres_release").at(-1)
        ?.func,
    ).toBe("drm_dev_put");
    // The driver's struct went with the last reference.
    expect(container.live).toBe(false);
    container.read(0, 8, "cirrus_fb_dirty+0x2a/0x1a0");
    expect(k.kasan.reports[0]?.kind).toBe("kasan-use-after-free");
  });

  it("drmm_kfree logs DEL; drmm_release_action picks the oldest match and runs it now", () => {
    const { k, drm } = setup({ version: "6.9" });
    const { drm: d } = drm();
    const ran: unknown[] = [];
    function my_action(_drm: DrmDevice, data: unknown): void {
      ran.push(data);
    }
    const x = { n: 1 };
    const y = { n: 2 };
    drmm_add_action(d, my_action, x);
    drmm_add_action(d, my_action, y);
    drmm_release_action(d, my_action, null); // NULL data: any — the oldest is x
    expect(ran).toEqual([x]);
    const mem = drmm_kzalloc(d, 64, GFP_KERNEL);
    drmm_kfree(d, mem);
    const dels = k.trace.events.filter(
      (e): e is DrmresEvent => e.kind === "drmres" && e.op === "DEL",
    );
    // `func` is omitted when it is the usual printer for the op (DEL -> drmm_kfree; model/events.ts).
    expect(dels.map((e) => `${e.name} ${e.size} ${e.func ?? "(drmm_kfree)"}`)).toEqual([
      "my_action 8 drmm_release_action",
      "kmalloc 64 (drmm_kfree)",
    ]);
    drmm_release_action(d, my_action, x);
    expect(k.warnings).toHaveLength(1);
  });

  it("KUnit drm_managed: the action runs at drmm_release_action, and automatically when the device goes", () => {
    const { k, drm } = setup({ version: "6.9" });
    const { drm: d } = drm();
    const priv = { action_done: false };
    function drm_action(_drm: DrmDevice, p: { action_done: boolean }): void {
      p.action_done = true;
    }
    expect(drmm_add_action_or_reset(d, drm_action, priv)).toBe(0);
    drmm_release_action(d, drm_action, priv);
    expect(priv.action_done).toBe(true);
    const priv2 = { action_done: false };
    expect(drmm_add_action_or_reset(d, drm_action, priv2)).toBe(0);
    k.core.unbind("pci", "cirrus", "0000:00:06.0");
    expect(priv2.action_done).toBe(true);
  });

  it("drmm_add_action_or_reset runs the action when the entry cannot be allocated", () => {
    const { k, drm } = setup();
    const { drm: d } = drm();
    let ran = false;
    k.faults.failNext("kmalloc");
    expect(drmm_add_action_or_reset(d, () => (ran = true), { x: 1 })).toBe(-12);
    expect(ran).toBe(true);
  });

  it("drm_dev_enter fails after unplug; unplug with an open section would deadlock (WARN)", () => {
    const { k, drm } = setup();
    const { drm: d } = drm();
    const idx = drm_dev_enter(d);
    expect(idx).not.toBeNull();
    drm_dev_unplug(d);
    expect(k.warnings).toHaveLength(1);
    drm_dev_exit(d, idx as number);
    expect(drm_dev_enter(d)).toBeNull();
  });
});
