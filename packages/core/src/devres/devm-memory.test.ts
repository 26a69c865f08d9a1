import { describe, expect, it } from "vitest";
import { Kernel } from "../kernel/kernel.js";
import { Device } from "../base/device.js";
import { GFP_KERNEL } from "../kernel/gfp.js";
import { devres_nodes, devres_release_all } from "./devres.js";
import {
  devm_alloc_percpu,
  devm_free_pages,
  devm_free_percpu,
  devm_get_free_pages,
  devm_kasprintf,
  devm_kcalloc,
  devm_kfree,
  devm_kmalloc,
  devm_kmalloc_array,
  devm_krealloc,
  devm_kstrdup,
  devm_kzalloc,
} from "./devm-memory.js";
import { devresEvents, devresOps, must } from "../testing/trace-helpers.js";

function make(version = "6.1"): { k: Kernel; dev: Device } {
  const k = new Kernel({ version, seed: 11 });
  return { k, dev: new Device(k, "mem-dev") };
}

const kmallocs = (k: Kernel) => k.trace.events.filter((e) => e.kind === "kmalloc");

describe("managed memory (drivers/base/devres.c)", () => {
  it("devm_kmalloc records devm_kzalloc_release with the requested size; the kmalloc is header + size", () => {
    const { k, dev } = make();
    const p = devm_kmalloc(dev, 312, GFP_KERNEL);
    expect(p).not.toBeNull();
    expect(devresOps(k)).toEqual(["ADD devm_kzalloc_release 312"]);
    expect(kmallocs(k)[0]).toMatchObject({ bytesReq: 352, bytesAlloc: 512, gfp: "GFP_KERNEL" });
    devm_kzalloc(dev, 40, GFP_KERNEL);
    expect(kmallocs(k)[1]).toMatchObject({
      bytesReq: 80,
      bytesAlloc: 96,
      gfp: "GFP_KERNEL|__GFP_ZERO",
    });
  });

  it("v6.2+ rounds the node up to its kmalloc bucket (check_dr_size)", () => {
    const { k, dev } = make("6.6");
    devm_kzalloc(dev, 40, GFP_KERNEL);
    expect(kmallocs(k)[0]).toMatchObject({ bytesReq: 96, bytesAlloc: 96 });
  });

  it("size 0 returns ZERO_SIZE_PTR without a node; array overflow returns NULL without a node", () => {
    const { dev } = make();
    const z = devm_kmalloc(dev, 0, GFP_KERNEL);
    expect(z?.isZeroSize).toBe(true);
    expect(devm_kmalloc_array(dev, 2 ** 40, 2 ** 20, GFP_KERNEL)).toBeNull();
    expect(devm_kcalloc(dev, 2 ** 40, 2 ** 20, GFP_KERNEL)).toBeNull();
    expect(devres_nodes(dev)).toEqual([]);
    devm_kfree(dev, z);
    devm_kfree(dev, null);
  });

  it("devm_kfree destroys the node (REM) and frees the memory; a foreign pointer WARNs", () => {
    const { k, dev } = make();
    const other = new Device(k, "other-dev");
    const p = devm_kzalloc(dev, 16, GFP_KERNEL);
    const q = devm_kzalloc(other, 16, GFP_KERNEL);
    devm_kfree(dev, p);
    expect(p?.live).toBe(false);
    expect(devresOps(k, "mem-dev")).toEqual([
      "ADD devm_kzalloc_release 16",
      "REM devm_kzalloc_release 16",
    ]);
    devm_kfree(dev, q);
    expect(k.warnings.map((w) => w.func.split("+")[0])).toEqual(["devm_kfree"]);
    expect(q?.live).toBe(true);
  });

  it("devm_krealloc within the bucket returns the same pointer and logs nothing", () => {
    const { k, dev } = make();
    const p = devm_kmalloc(dev, 20, GFP_KERNEL); // 60 -> kmalloc-64
    const q = devm_krealloc(dev, p, 24, GFP_KERNEL); // 64 still fits
    expect(q).toBe(p);
    expect(devresOps(k)).toEqual(["ADD devm_kzalloc_release 20"]);
    const r = devm_krealloc(dev, q, 8, GFP_KERNEL); // shrinking never moves
    expect(r).toBe(p);
  });

  it("devm_krealloc growing: REPLACE against the old node, same list position, old memory freed, new node unnamed", () => {
    const { k, dev } = make();
    const a = devm_kmalloc(dev, 8, GFP_KERNEL, "first");
    const p = devm_kmalloc(dev, 20, GFP_KERNEL, { tag: "grow-me" });
    devm_kmalloc(dev, 8, GFP_KERNEL, "last");
    const oldNode = devresEvents(k)[1]?.node;
    const q = devm_krealloc(dev, p, 200, GFP_KERNEL);
    expect(q).not.toBe(p);
    expect(q?.data).toEqual({ tag: "grow-me" });
    expect(p?.live).toBe(false);
    const ev = devresEvents(k);
    expect(ev[3]).toMatchObject({
      op: "REPLACE",
      node: oldNode,
      name: "devm_kzalloc_release",
      size: 20,
    });
    // 6.1 passed the header-inclusive size to alloc_dr: 40 + (40 + 200).
    expect(kmallocs(k).at(-1)).toMatchObject({ bytesReq: 280, bytesAlloc: 512 });
    // Position kept: the grown node is released between "last" and "first"; its name was never set.
    devres_release_all(dev);
    expect(devresOps(k).slice(-3)).toEqual([
      "REL devm_kzalloc_release 8",
      "REL (null) 0",
      "REL devm_kzalloc_release 8",
    ]);
    expect(devresEvents(k).at(-2)?.nameForm).toBe("null");
    expect(a?.live).toBe(false);
  });

  it("devm_krealloc: NULL behaves as devm_kmalloc, size 0 frees, unmanaged memory WARNs", () => {
    const { k, dev } = make();
    const p = devm_krealloc(dev, null, 10, GFP_KERNEL);
    expect(devresOps(k)).toEqual(["ADD devm_kzalloc_release 10"]);
    const z = devm_krealloc(dev, p, 0, GFP_KERNEL);
    expect(z?.isZeroSize).toBe(true);
    expect(devresOps(k).at(-1)).toBe("REM devm_kzalloc_release 10");
    const other = new Device(k, "other");
    const foreign = devm_kmalloc(other, 8, GFP_KERNEL);
    expect(devm_krealloc(dev, foreign, 4000, GFP_KERNEL)).toBeNull();
    expect(k.warnings.at(-1)?.message).toBe(
      "Memory chunk not managed or managed by a different device.",
    );
  });

  it("v6.14+ allocates the grown node with the plain new size", () => {
    const { k, dev } = make("6.14");
    const p = devm_kmalloc(dev, 20, GFP_KERNEL);
    devm_krealloc(dev, p, 200, GFP_KERNEL);
    expect(kmallocs(k).at(-1)).toMatchObject({ bytesReq: 256 });
  });

  it("devm_kstrdup / devm_kasprintf size the buffer as strlen + 1", () => {
    const { k, dev } = make();
    const s = devm_kstrdup(dev, "0000:00:1f.2", GFP_KERNEL);
    const t = devm_kasprintf(dev, GFP_KERNEL, "%s[%s]", "ahci", "0000:00:1f.2");
    expect(s?.data).toBe("0000:00:1f.2");
    expect(t?.data).toBe("ahci[0000:00:1f.2]");
    expect(devresOps(k)).toEqual(["ADD devm_kzalloc_release 13", "ADD devm_kzalloc_release 19"]);
    expect(devm_kstrdup(dev, null, GFP_KERNEL)).toBeNull();
  });

  it("devm_get_free_pages / devm_free_pages (devm_pages_release, 16 bytes)", () => {
    const { k, dev } = make();
    const addr = devm_get_free_pages(dev, GFP_KERNEL, 2);
    expect(addr).toBeGreaterThan(0);
    expect(k.pages.block(addr)?.live).toBe(true);
    devm_free_pages(dev, addr);
    expect(k.pages.block(addr)?.live).toBe(false);
    expect(devresOps(k)).toEqual(["ADD devm_pages_release 16", "REM devm_pages_release 16"]);
    devm_free_pages(dev, addr);
    expect(k.warnings).toHaveLength(1);
  });

  it("devm_alloc_percpu / devm_free_percpu (devm_percpu_release, 8 bytes)", () => {
    const { k, dev } = make();
    const p = devm_alloc_percpu(dev, 64, 8);
    expect(p?.live).toBe(true);
    const q = devm_alloc_percpu(dev, 32, 8);
    devm_free_percpu(dev, must(p));
    devres_release_all(dev);
    expect(q?.live).toBe(false);
    expect(devresOps(k)).toEqual([
      "ADD devm_percpu_release 8",
      "ADD devm_percpu_release 8",
      "REM devm_percpu_release 8",
      "REL devm_percpu_release 8",
    ]);
  });
});
