import { describe, expect, it } from "vitest";
import { Kernel, KernelBug } from "../kernel/kernel.js";
import { Device } from "../base/device.js";
import { ENOENT } from "../kernel/errno.js";
import { GFP_KERNEL } from "../kernel/gfp.js";
import {
  devres_add,
  devres_alloc,
  devres_destroy,
  devres_find,
  devres_for_each_res,
  devres_free,
  devres_get,
  devres_nodes,
  devres_release,
  devres_release_all,
  devres_remove,
} from "./devres.js";
import { devresOps } from "../testing/trace-helpers.js";

interface Res {
  id: number;
}

function setup(): { k: Kernel; dev: Device; released: number[] } {
  const k = new Kernel({ seed: 3 });
  return { k, dev: new Device(k, "test-dev"), released: [] };
}

describe("devres core (drivers/base/devres.c)", () => {
  it("devres_release_all releases newest first (LIFO) and counts the plain nodes", () => {
    const { dev, released } = setup();
    function test_release(_d: Device, res: Res): void {
      released.push(res.id);
    }
    for (let i = 1; i <= 5; i++)
      devres_add(dev, devres_alloc(dev, test_release, 8, GFP_KERNEL, { id: i }) as Res);
    expect(devres_release_all(dev)).toBe(5);
    expect(released).toEqual([5, 4, 3, 2, 1]);
    expect(devres_nodes(dev)).toEqual([]);
    expect(devres_release_all(dev)).toBe(0);
  });

  it("logs ADD under the lock and REL after it, with the payload size and the release name", () => {
    const { k, dev } = setup();
    function foo_release(): void {}
    devres_add(dev, devres_alloc(dev, foo_release, 24, GFP_KERNEL, {}) as object);
    devres_release_all(dev);
    expect(devresOps(k)).toEqual(["ADD foo_release 24", "REL foo_release 24"]);
    const [add, rel] = k.trace.events.filter((e) => e.kind === "devres");
    expect(add?.flags).toBe("d..1.");
    expect(rel?.flags).toBe(".....");
    // The node's kmalloc: header (40 bytes on 6.1) + payload, same pointer as the log.
    const km = k.trace.events.find((e) => e.kind === "kmalloc");
    expect(km).toMatchObject({
      bytesReq: 64,
      bytesAlloc: 64,
      gfp: "GFP_KERNEL|__GFP_ZERO",
      ptr: add?.kind === "devres" ? add.node : "",
    });
  });

  it("devres_find returns the newest match, honouring the match function", () => {
    const { dev } = setup();
    function r_release(): void {}
    const a = devres_alloc(dev, r_release, 8, GFP_KERNEL, { id: 1 }) as Res;
    const b = devres_alloc(dev, r_release, 8, GFP_KERNEL, { id: 2 }) as Res;
    const c = devres_alloc(dev, r_release, 8, GFP_KERNEL, { id: 1 }) as Res;
    devres_add(dev, a);
    devres_add(dev, b);
    devres_add(dev, c);
    expect(devres_find(dev, r_release, null, null)).toBe(c);
    expect(devres_find(dev, r_release, (_d, r: Res, m) => r.id === m, 2)).toBe(b);
    expect(devres_find(dev, r_release, (_d, r: Res, m) => r.id === m, 1)).toBe(c);
    function other_release(): void {}
    expect(devres_find(dev, other_release, null, null)).toBeNull();
  });

  it("devres_get returns the existing node and frees the losing candidate silently", () => {
    const { k, dev } = setup();
    function single_release(): void {}
    const first = devres_alloc(dev, single_release, 8, GFP_KERNEL, { id: 1 }) as Res;
    expect(devres_get(dev, first, null, null)).toBe(first);
    const live = k.slab.liveObjects;
    const second = devres_alloc(dev, single_release, 8, GFP_KERNEL, { id: 2 }) as Res;
    expect(devres_get(dev, second, null, null)).toBe(first);
    expect(k.slab.liveObjects).toBe(live);
    expect(devresOps(k)).toEqual(["ADD single_release 8"]);
  });

  it("devres_remove takes the newest match, logs REM, neither releases nor frees", () => {
    const { k, dev, released } = setup();
    function r_release(_d: Device, res: Res): void {
      released.push(res.id);
    }
    devres_add(dev, devres_alloc(dev, r_release, 8, GFP_KERNEL, { id: 1 }) as Res);
    devres_add(dev, devres_alloc(dev, r_release, 8, GFP_KERNEL, { id: 2 }) as Res);
    const live = k.slab.liveObjects;
    const got = devres_remove(dev, r_release, null, null);
    expect(got?.id).toBe(2);
    expect(released).toEqual([]);
    expect(k.slab.liveObjects).toBe(live);
    expect(devresOps(k).slice(-1)).toEqual(["REM r_release 8"]);
    // The caller owns it now and may add it back.
    devres_add(dev, got as Res);
    expect(devres_release_all(dev)).toBe(2);
    expect(released).toEqual([2, 1]);
  });

  it("devres_destroy frees without release; devres_release calls release; both log REM and return -ENOENT when absent", () => {
    const { k, dev, released } = setup();
    function r_release(_d: Device, res: Res): void {
      released.push(res.id);
    }
    devres_add(dev, devres_alloc(dev, r_release, 8, GFP_KERNEL, { id: 1 }) as Res);
    devres_add(dev, devres_alloc(dev, r_release, 8, GFP_KERNEL, { id: 2 }) as Res);
    expect(devres_destroy(dev, r_release, null, null)).toBe(0);
    expect(released).toEqual([]);
    expect(devres_release(dev, r_release, null, null)).toBe(0);
    expect(released).toEqual([1]);
    expect(devres_release(dev, r_release, null, null)).toBe(-ENOENT);
    expect(devres_destroy(dev, r_release, null, null)).toBe(-ENOENT);
    expect(devresOps(k)).toEqual([
      "ADD r_release 8",
      "ADD r_release 8",
      "REM r_release 8",
      "REM r_release 8",
    ]);
    const frees = k.trace.events
      .filter((e) => e.kind === "kfree")
      .map((e) => (e.kind === "kfree" ? e.callSite : ""));
    expect(frees).toContain("devres_release+0x39/0x60");
  });

  it("devres_for_each_res visits matching payloads newest first", () => {
    const { dev } = setup();
    function r_release(): void {}
    function o_release(): void {}
    for (const id of [1, 2, 3])
      devres_add(dev, devres_alloc(dev, r_release, 8, GFP_KERNEL, { id }) as Res);
    devres_add(dev, devres_alloc(dev, o_release, 8, GFP_KERNEL, { id: 9 }) as Res);
    const seen: number[] = [];
    devres_for_each_res(
      dev,
      r_release,
      null,
      null,
      (_d, r: Res, acc: number[]) => acc.push(r.id),
      seen,
    );
    expect(seen).toEqual([3, 2, 1]);
    devres_for_each_res(dev, r_release, null, null, null, seen);
    expect(seen).toEqual([3, 2, 1]);
  });

  it("BUGs on adding a linked node and on freeing a linked node", () => {
    const { dev } = setup();
    function r_release(): void {}
    const r = devres_alloc(dev, r_release, 8, GFP_KERNEL, {}) as object;
    devres_add(dev, r);
    expect(() => devres_add(dev, r)).toThrow(KernelBug);
    expect(() => devres_free(dev, r)).toThrow(KernelBug);
    devres_free(dev, null);
  });

  it("release callbacks may add nodes; those are not released in the same pass", () => {
    const { k, dev } = setup();
    function late_release(): void {}
    function adder_release(d: Device): void {
      devres_add(d, devres_alloc(d, late_release, 8, GFP_KERNEL, {}) as object);
    }
    devres_add(dev, devres_alloc(dev, adder_release, 8, GFP_KERNEL, {}) as object);
    expect(devres_release_all(dev)).toBe(1);
    expect(devres_nodes(dev).map((n) => n.name)).toEqual(["late_release"]);
    expect(devres_release_all(dev)).toBe(1);
    expect(devresOps(k)).toEqual([
      "ADD adder_release 8",
      "REL adder_release 8",
      "ADD late_release 8",
      "REL late_release 8",
    ]);
  });

  it("an allocation failure returns NULL and adds nothing", () => {
    const { k, dev } = setup();
    function r_release(): void {}
    k.faults.failNext("kmalloc");
    expect(devres_alloc(dev, r_release, 8, GFP_KERNEL, {})).toBeNull();
    expect(devres_nodes(dev)).toEqual([]);
  });

  it("two kernels side by side do not share state", () => {
    const a = setup();
    const b = setup();
    function r_release(): void {}
    devres_add(a.dev, devres_alloc(a.dev, r_release, 8, GFP_KERNEL, {}) as object);
    expect(devres_nodes(b.dev)).toEqual([]);
    expect(b.k.trace.events.filter((e) => e.kind === "devres")).toEqual([]);
  });
});
