import { describe, expect, it } from "vitest";
import { Kernel } from "../kernel/kernel.js";
import { GFP_ATOMIC, GFP_KERNEL, __GFP_NOWARN } from "../kernel/gfp.js";
import { kfree, kmalloc, ksize, kzalloc } from "./kmalloc.js";
import { kmalloc_size_roundup } from "./slab.js";
import { dmesgTexts, must } from "../testing/trace-helpers.js";

describe("kmalloc heap (SLUB size classes)", () => {
  it("rounds requests to the kmalloc caches, and big ones to pages", () => {
    const sizes = [
      1, 8, 9, 16, 17, 33, 64, 65, 96, 97, 128, 129, 192, 193, 256, 257, 1328, 4097, 8192, 8193,
      15552,
    ];
    expect(sizes.map(kmalloc_size_roundup)).toEqual([
      8, 8, 16, 16, 32, 64, 64, 96, 96, 128, 128, 192, 192, 256, 256, 512, 2048, 8192, 8192, 16384,
      16384,
    ]);
  });

  it("traces kmalloc/kfree with the 6.1 fields, the caller as call_site and the hashed pointer", () => {
    const k = new Kernel({ seed: 1 });
    const p = k.call("foo_probe", () => kzalloc(k, 80, GFP_KERNEL));
    k.call("foo_remove", () => kfree(k, p));
    k.call("foo_remove", () => kfree(k, null));
    const [a, f, n] = k.trace.events;
    expect(a).toMatchObject({
      kind: "kmalloc",
      bytesReq: 80,
      bytesAlloc: 96,
      gfp: "GFP_KERNEL|__GFP_ZERO",
      numaNode: -1,
      accounted: false,
    });
    expect(a?.kind === "kmalloc" && a.callSite).toMatch(/^foo_probe\+0x[0-9a-f]+\/0x[0-9a-f]+$/);
    expect(a?.kind === "kmalloc" && a.ptr).toMatch(/^00000000[0-9a-f]{8}$/);
    expect(f).toMatchObject({ kind: "kfree", ptr: a?.kind === "kmalloc" ? a.ptr : "" });
    expect(n).toMatchObject({ kind: "kfree", ptr: "0000000000000000" });
    expect(k.trace.events.map((e) => e.kind === "kmalloc" && e.gfp)).toContain(
      "GFP_KERNEL|__GFP_ZERO",
    );
    const atomic = kmalloc(k, 24, GFP_ATOMIC | __GFP_NOWARN);
    expect(atomic).not.toBeNull();
    expect(k.trace.events.at(-1)).toMatchObject({ gfp: "GFP_ATOMIC|__GFP_NOWARN", bytesAlloc: 32 });
  });

  it("reuses a freed address first within its class (LIFO), as the captures show", () => {
    const k = new Kernel({ seed: 1, trace: false });
    const a = must(kmalloc(k, 50, GFP_KERNEL));
    const b = must(kmalloc(k, 60, GFP_KERNEL));
    const addr = a.addr;
    kfree(k, a);
    const c = must(kmalloc(k, 40, GFP_KERNEL));
    expect(c.addr).toBe(addr);
    expect(b.addr).not.toBe(addr);
  });

  it("a KASAN quarantine delays reuse", () => {
    const k = new Kernel({ seed: 1, trace: false, config: { kasanQuarantineBytes: 1 << 20 } });
    const a = must(kmalloc(k, 50, GFP_KERNEL));
    const addr = a.addr;
    kfree(k, a);
    expect(must(kmalloc(k, 50, GFP_KERNEL)).addr).not.toBe(addr);
  });

  it("a double free is reported the KASAN way and changes nothing", () => {
    const k = new Kernel({ seed: 1 });
    const p = must(k.call("foo_probe", () => kmalloc(k, 100, GFP_KERNEL)));
    k.call("foo_remove", () => kfree(k, p));
    const live = k.slab.liveObjects;
    k.call("foo_cleanup", () => kfree(k, p));
    expect(k.slab.liveObjects).toBe(live);
    const r = must(k.kasan.reports[0]);
    expect(r.kind).toBe("kasan-double-free");
    const text = dmesgTexts(k);
    expect(text[0]).toBe("==================================================================");
    expect(text[1]).toMatch(/^BUG: KASAN: double-free in foo_cleanup\+0x/);
    expect(text[2]).toMatch(/^Free of addr ffff888[0-9a-f]{9} by task init\/1$/);
    expect(text.some((l) => /^ foo_probe\+0x/.test(l))).toBe(true);
    expect(text.at(-1)).toBe("==================================================================");
    expect(k.dmesg[1]).toMatchObject({ kind: "report", report: "kasan-double-free" });
  });

  it("checked accesses: use-after-free and out-of-bounds; silent (counted) with KASAN off", () => {
    const k = new Kernel({ seed: 1, trace: false });
    const p = must(kmalloc(k, 100, GFP_KERNEL));
    expect(p.read(96, 4)).toBe(true);
    expect(p.read(98, 4)).toBe(false);
    expect(k.kasan.reports[0]?.kind).toBe("kasan-out-of-bounds");
    expect(ksize(p)).toBe(128);
    expect(p.read(98, 4)).toBe(true); // ksize() makes the whole bucket valid
    kfree(k, p);
    expect(p.write(0, 8)).toBe(false);
    expect(k.kasan.reports[1]?.kind).toBe("kasan-use-after-free");
    const off = new Kernel({ seed: 1, trace: false, config: { kasan: false } });
    const q = must(kmalloc(off, 8, GFP_KERNEL));
    kfree(off, q);
    kfree(off, q);
    q.read();
    expect(off.kasan.reports).toEqual([]);
    expect(off.kasan.silent).toBe(2);
  });

  it("fault injection makes the next kmalloc fail (traced with a NULL ptr)", () => {
    const k = new Kernel({ seed: 1 });
    k.faults.failNext("kmalloc");
    expect(kmalloc(k, 8, GFP_KERNEL)).toBeNull();
    expect(k.trace.events[0]).toMatchObject({ kind: "kmalloc", ptr: "0000000000000000" });
    expect(kmalloc(k, 8, GFP_KERNEL)).not.toBeNull();
    expect(k.faults.injected.kmalloc).toBe(1);
  });
});
