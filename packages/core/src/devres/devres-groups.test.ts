import { describe, expect, it } from "vitest";
import { Kernel, KernelBug, type KernelOptions } from "../kernel/kernel.js";
import { Device } from "../base/device.js";
import { GFP_KERNEL } from "../kernel/gfp.js";
import { devres_add, devres_alloc, devres_nodes, devres_release_all } from "./devres.js";
import {
  devres_close_group,
  devres_open_group,
  devres_release_group,
  devres_remove_group,
} from "./devres-group.js";
import { devresOps } from "../testing/trace-helpers.js";

function setup(opts: KernelOptions = {}): {
  k: Kernel;
  dev: Device;
  add: (name: string) => void;
  log: () => string[];
} {
  const k = new Kernel({ seed: 5, ...opts });
  const dev = new Device(k, "grp-dev");
  // A release function per resource name, so the trace shows which one went.
  const fns = new Map<string, (d: Device, r: object) => void>();
  const add = (name: string): void => {
    let fn = fns.get(name);
    if (fn === undefined) {
      fn = { [name]: (_d: Device, _r: object) => undefined }[name] as (
        d: Device,
        r: object,
      ) => void;
      fns.set(name, fn);
    }
    devres_add(dev, devres_alloc(dev, fn, 8, GFP_KERNEL, {}) as object);
  };
  const log = (): string[] => devresOps(k).map((s) => s.replace(/ \d+$/, ""));
  return { k, dev, add, log };
}

const names = (dev: Device): string[] => devres_nodes(dev).map((n) => n.name ?? "(null)");
const rels = (log: string[]): string[] => log.filter((l) => !l.startsWith("ADD"));

describe("devres groups: remove_nodes coloring (drivers/base/devres.c)", () => {
  it("De Marchi's worked example: r1 r2 g1< r3 g1> r4 releases g1< first, then r4 r3 r2 r1; grp> is never logged", () => {
    const { dev, add, log } = setup();
    add("r1");
    add("r2");
    const g = devres_open_group(dev, null, GFP_KERNEL);
    add("r3");
    devres_close_group(dev, g);
    add("r4");
    expect(devres_release_all(dev)).toBe(4);
    expect(rels(log())).toEqual(["REL grp<", "REL r4", "REL r3", "REL r2", "REL r1"]);
    expect(log()).toContain("ADD grp>");
  });

  it("release_group of a group that contains a group releases both; outer marker first", () => {
    const { dev, add, log } = setup();
    const g1 = devres_open_group(dev, "g1", GFP_KERNEL);
    add("a");
    const g2 = devres_open_group(dev, "g2", GFP_KERNEL);
    add("b");
    devres_close_group(dev, g2);
    add("c");
    devres_close_group(dev, g1);
    add("d");
    expect(devres_release_group(dev, g1)).toBe(3);
    expect(rels(log())).toEqual(["REL grp<", "REL grp<", "REL c", "REL b", "REL a"]);
    expect(names(dev)).toEqual(["d"]);
  });

  it("interleaved groups: releasing A frees what lies between A's markers and leaves B's markers", () => {
    const { dev, add, log } = setup();
    devres_open_group(dev, "A", GFP_KERNEL);
    add("x");
    devres_open_group(dev, "B", GFP_KERNEL);
    add("y");
    devres_close_group(dev, "A");
    add("z");
    devres_close_group(dev, "B");
    add("w");
    expect(devres_release_group(dev, "A")).toBe(2);
    expect(rels(log())).toEqual(["REL grp<", "REL y", "REL x"]);
    expect(names(dev)).toEqual(["grp<", "z", "grp>", "w"]);
    expect(devres_release_group(dev, "B")).toBe(1);
    expect(names(dev)).toEqual(["w"]);
  });

  it("interleaved groups: releasing B first frees A's tail and leaves A's markers", () => {
    const { dev, add, log } = setup();
    devres_open_group(dev, "A", GFP_KERNEL);
    add("x");
    devres_open_group(dev, "B", GFP_KERNEL);
    add("y");
    devres_close_group(dev, "A");
    add("z");
    devres_close_group(dev, "B");
    expect(devres_release_group(dev, "B")).toBe(2);
    expect(rels(log())).toEqual(["REL grp<", "REL z", "REL y"]);
    expect(names(dev)).toEqual(["grp<", "x", "grp>"]);
  });

  it("an unclosed group absorbs everything added after it; release_group(NULL) frees to the end", () => {
    const { dev, add, log } = setup();
    add("before");
    devres_open_group(dev, null, GFP_KERNEL);
    add("a");
    add("b");
    expect(devres_release_group(dev, null)).toBe(2);
    expect(rels(log())).toEqual(["REL grp<", "REL b", "REL a"]);
    expect(names(dev)).toEqual(["before"]);
  });

  it("devres_release_all frees an open group (color 2 from its open marker alone)", () => {
    const { dev, add, log } = setup();
    devres_open_group(dev, null, GFP_KERNEL);
    add("a");
    expect(devres_release_all(dev)).toBe(1);
    expect(rels(log())).toEqual(["REL grp<", "REL a"]);
  });

  it("NULL id selects the latest *open* group; an explicit id also finds closed groups", () => {
    const { dev, add } = setup();
    const a = devres_open_group(dev, null, GFP_KERNEL);
    add("in-a");
    devres_close_group(dev, a);
    devres_open_group(dev, "b", GFP_KERNEL);
    add("in-b");
    devres_close_group(dev, null); // closes b, the latest open group
    expect(names(dev)).toEqual(["grp<", "in-a", "grp>", "grp<", "in-b", "grp>"]);
    expect(devres_release_group(dev, a)).toBe(1);
    expect(names(dev)).toEqual(["grp<", "in-b", "grp>"]);
  });

  it("devres_remove_group drops the markers (REM grp<) and keeps the resources", () => {
    const { k, dev, add, log } = setup();
    const g = devres_open_group(dev, null, GFP_KERNEL);
    add("kept");
    devres_close_group(dev, g);
    devres_remove_group(dev, g);
    expect(log()).toEqual(["ADD grp<", "ADD kept", "ADD grp>", "REM grp<"]);
    expect(names(dev)).toEqual(["kept"]);
    expect(devres_release_all(dev)).toBe(1);
    expect(k.slab.liveObjects).toBe(0);
  });

  it("remove vs release: the libata pattern (open, acquire, remove on success / release on failure)", () => {
    const ok = setup();
    ok.add("pcim_release");
    devres_open_group(ok.dev, null, GFP_KERNEL);
    ok.add("ata_devres_release");
    devres_remove_group(ok.dev, null);
    expect(names(ok.dev)).toEqual(["pcim_release", "ata_devres_release"]);

    const fail = setup();
    fail.add("pcim_release");
    devres_open_group(fail.dev, null, GFP_KERNEL);
    fail.add("ata_devres_release");
    expect(devres_release_group(fail.dev, null)).toBe(1);
    expect(rels(fail.log())).toEqual(["REL grp<", "REL ata_devres_release"]);
    expect(names(fail.dev)).toEqual(["pcim_release"]);
  });

  it("the ata_piix failure: nested groups, inner removed, outer rolled back, the rest released by the core", () => {
    const { dev, add, log } = setup();
    add("pcim_release");
    add("devm_kzalloc_release");
    devres_open_group(dev, null, GFP_KERNEL); // ata_pci_sff_prepare_host
    devres_open_group(dev, null, GFP_KERNEL); // ata_host_alloc
    add("ata_devres_release");
    devres_remove_group(dev, null);
    devres_release_group(dev, null); // ata_pci_sff_init_host failed
    devres_release_all(dev); // really_probe: probe failed
    expect(log()).toEqual([
      "ADD pcim_release",
      "ADD devm_kzalloc_release",
      "ADD grp<",
      "ADD grp<",
      "ADD ata_devres_release",
      "REM grp<",
      "REL grp<",
      "REL ata_devres_release",
      "REL devm_kzalloc_release",
      "REL pcim_release",
    ]);
  });

  it("WARNs when no group matches; closing a closed group by id is a BUG", () => {
    const { k, dev } = setup();
    devres_close_group(dev, "nope");
    devres_remove_group(dev, "nope");
    expect(k.warnings.map((w) => w.func.split("+")[0])).toEqual([
      "devres_close_group",
      "devres_remove_group",
    ]);
    devres_open_group(dev, "g", GFP_KERNEL);
    devres_close_group(dev, "g");
    expect(() => devres_close_group(dev, "g")).toThrow(KernelBug);
  });

  it("release_group on an empty list: WARN on 6.1, silent since the 2025 fix (component teardown from a release callback)", () => {
    for (const [version, warns] of [
      ["6.1", 1],
      ["6.15", 0],
    ] as const) {
      const { k, dev } = setup({ version });
      const id = devres_open_group(dev, null, GFP_KERNEL);
      function component_unbind(d: Device): void {
        devres_release_group(d, id);
      }
      devres_add(dev, devres_alloc(dev, component_unbind, 8, GFP_KERNEL, {}) as object);
      devres_close_group(dev, id);
      // release_all empties the list before calling releases: the group is gone already.
      devres_release_all(dev);
      expect(k.warnings.length).toBe(warns);
    }
  });

  it("group markers are one 96-byte kmalloc (no __GFP_ZERO, not rounded) shared by both markers", () => {
    const { k, dev } = setup();
    devres_open_group(dev, null, GFP_KERNEL);
    const km = k.trace.events.filter((e) => e.kind === "kmalloc");
    expect(km).toHaveLength(1);
    expect(km[0]).toMatchObject({
      bytesReq: 96,
      bytesAlloc: 96,
      gfp: "GFP_KERNEL",
      callSite: "devres_open_group+0x41/0x100",
    });
  });
});
