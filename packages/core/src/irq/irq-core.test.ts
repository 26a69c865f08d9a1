import { describe, expect, it } from "vitest";
import { Kernel, type KernelOptions } from "../kernel/kernel.js";
import { Device } from "../base/device.js";
import { EBUSY, EINVAL } from "../kernel/errno.js";
import { GFP_KERNEL } from "../kernel/gfp.js";
import { devm_kzalloc } from "../devres/devm-memory.js";
import { devres_release_all } from "../devres/devres.js";
import type { KMem } from "../mm/kmem.js";
import {
  IRQF_ONESHOT,
  IRQF_SHARED,
  IRQF_TRIGGER_HIGH,
  IRQF_TRIGGER_RISING,
  IRQ_HANDLED,
  IRQ_NONE,
  IRQ_WAKE_THREAD,
} from "./irq-core.js";
import {
  devm_free_irq,
  devm_request_irq,
  devm_request_threaded_irq,
  free_irq,
  request_irq,
} from "./devm-irq.js";
import { devresOps, dmesgTexts, must } from "../testing/trace-helpers.js";

function make(opts: KernelOptions = {}): { k: Kernel; dev: Device } {
  const k = new Kernel({ seed: 19, trace: { kmem: false, irq: true }, ...opts });
  return { k, dev: new Device(k, "0000:00:03.0") };
}

describe("IRQ lines (kernel/irq/manage.c)", () => {
  it("shared lines call every handler; a non-shared request on a busy line fails -EBUSY with genirq's message", () => {
    const { k, dev } = make();
    const hits: string[] = [];
    function a_intr(): number {
      hits.push("a");
      return IRQ_NONE;
    }
    function b_intr(): number {
      hits.push("b");
      return IRQ_HANDLED;
    }
    expect(request_irq(dev, 11, a_intr, IRQF_SHARED, "a", { id: "a" })).toBe(0);
    expect(request_irq(dev, 11, b_intr, IRQF_SHARED, "b", { id: "b" })).toBe(0);
    expect(k.irq.raise(11)).toBe(IRQ_HANDLED);
    expect(hits).toEqual(["a", "b"]);
    expect(request_irq(dev, 11, b_intr, 0, "c", { id: "c" })).toBe(-EBUSY);
    expect(dmesgTexts(k)).toEqual(["genirq: Flags mismatch irq 11. 00000000 (c) vs. 00000080 (a)"]);
    expect(request_irq(dev, 11, b_intr, IRQF_SHARED | IRQF_TRIGGER_HIGH, "d", { id: "d" })).toBe(
      -EBUSY,
    );
    expect(request_irq(dev, 12, b_intr, IRQF_SHARED, "e", null)).toBe(-EINVAL);
    const trace = k.trace.events.filter((e) => e.kind === "irq");
    expect(trace.map((e) => (e.kind === "irq" ? `${e.phase} ${e.name ?? e.ret}` : ""))).toEqual([
      "entry a",
      "exit unhandled",
      "entry b",
      "exit handled",
    ]);
  });

  it("trigger types must agree on a shared line", () => {
    const { dev } = make();
    const h = (): number => IRQ_HANDLED;
    expect(request_irq(dev, 9, h, IRQF_SHARED | IRQF_TRIGGER_RISING, "x", 1)).toBe(0);
    expect(request_irq(dev, 9, h, IRQF_SHARED | IRQF_TRIGGER_RISING, "y", 2)).toBe(0);
    expect(request_irq(dev, 9, h, IRQF_SHARED | IRQF_TRIGGER_HIGH, "z", 3)).toBe(-EBUSY);
  });

  it("freeing an IRQ twice: `Trying to free already-free IRQ` WARN", () => {
    const { k, dev } = make();
    const h = (): number => IRQ_HANDLED;
    const id = {};
    request_irq(dev, 10, h, 0, "once", id);
    expect(free_irq(dev, 10, id)).toBe("once");
    expect(free_irq(dev, 10, id)).toBeNull();
    const reports = k.dmesg.filter((e) => e.kind === "report");
    expect(reports.map((e) => (e.kind === "report" ? e.report : ""))).toEqual([
      "irq-double-free",
      "warning",
    ]);
    expect(dmesgTexts(k)[0]).toBe("Trying to free already-free IRQ 10");
  });

  it("threaded handlers: IRQ_WAKE_THREAD runs thread_fn as the irq/N-name thread; NULL handler needs ONESHOT", () => {
    const { k, dev } = make();
    const ran: string[] = [];
    function quick(): number {
      return IRQ_WAKE_THREAD;
    }
    function slow(): number {
      ran.push(k.current.comm);
      return IRQ_HANDLED;
    }
    expect(devm_request_threaded_irq(dev, 20, quick, slow, 0, "thr", dev)).toBe(0);
    expect(k.irq.raise(20)).toBe(IRQ_HANDLED);
    expect(ran).toEqual(["irq/20-thr"]);
    expect(devm_request_threaded_irq(dev, 21, null, slow, 0, "bad", dev)).toBe(-EINVAL);
    expect(devm_request_threaded_irq(dev, 21, null, slow, IRQF_ONESHOT, "ok", dev)).toBe(0);
    expect(devresOps(k)).toEqual(["ADD devm_irq_release 16", "ADD devm_irq_release 16"]);
  });

  it("devm_free_irq releases now (REM); a manual free_irq of a devm IRQ makes detach free it twice", () => {
    const { k, dev } = make();
    const h = (): number => IRQ_HANDLED;
    devm_request_irq(dev, 5, h, 0, null, dev);
    devm_free_irq(dev, 5, dev);
    expect(k.irq.actions(5)).toEqual([]);
    devm_request_irq(dev, 6, h, 0, null, dev);
    free_irq(dev, 6, dev); // the bug: non-devm free of a devm IRQ
    devres_release_all(dev);
    expect(dmesgTexts(k)).toContain("Trying to free already-free IRQ 6");
    expect(devresOps(k)).toEqual([
      "ADD devm_irq_release 16",
      "REM devm_irq_release 16",
      "ADD devm_irq_release 16",
      "REL devm_irq_release 16",
    ]);
  });

  it("a disabled line keeps interrupts pending until enable_irq", () => {
    const { k, dev } = make();
    let n = 0;
    request_irq(dev, 7, () => (n++, IRQ_HANDLED), 0, "p", dev);
    k.irq.disable_irq(7);
    k.irq.raise(7);
    expect(n).toBe(0);
    k.irq.enable_irq(7);
    expect(n).toBe(1);
  });
});

describe("IRQ freed before or after the memory its handler reads (devm order, CONFIG_DEBUG_SHIRQ)", () => {
  interface Priv {
    mem: KMem<{ count: number }> | null;
  }
  function nic_irq_handler(_irq: number, dev_id: unknown): number {
    const p = dev_id as Priv;
    if (p.mem === null) return IRQ_NONE;
    p.mem.read(0, 8);
    return IRQ_HANDLED;
  }

  it("IRQ requested before the state: detach frees the state first, the shared handler's extra call is a use-after-free", () => {
    const { k, dev } = make({ config: { debugShirq: true } });
    const priv: Priv = { mem: null };
    k.call("nic_probe", () => {
      devm_request_irq(dev, 11, nic_irq_handler, IRQF_SHARED, "nic", priv);
      priv.mem = devm_kzalloc(dev, 256, GFP_KERNEL, { count: 0 });
    });
    k.runAs(k.init, () => devres_release_all(dev));
    expect(k.kasan.reports).toHaveLength(1);
    const r = must(k.kasan.reports[0]);
    expect(r.kind).toBe("kasan-use-after-free");
    expect(r.title).toMatch(
      /^BUG: KASAN: use-after-free in nic_irq_handler\+0x[0-9a-f]+\/0x[0-9a-f]+$/,
    );
    const text = dmesgTexts(k);
    expect(text).toContain(r.title);
    expect(
      text.some((l) => /^Read of size 8 at addr ffff888[0-9a-f]{9} by task init\/1$/.test(l)),
    ).toBe(true);
    expect(text.some((l) => l.startsWith("Allocated by task "))).toBe(true);
    expect(text.some((l) => l.startsWith("Freed by task 1:"))).toBe(true);
    expect(text).toContain(" which belongs to the cache kmalloc-512 of size 512");
    expect(k.dmesg.find((e) => e.kind === "report")).toMatchObject({
      report: "kasan-use-after-free",
    });
  });

  it("state allocated before the IRQ: the IRQ goes first and the extra call still sees live memory", () => {
    const { k, dev } = make({ config: { debugShirq: true } });
    const priv: Priv = { mem: null };
    k.call("nic_probe", () => {
      priv.mem = devm_kzalloc(dev, 256, GFP_KERNEL, { count: 0 });
      devm_request_irq(dev, 11, nic_irq_handler, IRQF_SHARED, "nic", priv);
    });
    devres_release_all(dev);
    expect(k.kasan.reports).toEqual([]);
  });

  it("without CONFIG_DEBUG_SHIRQ nothing calls the handler during free, so the bug stays hidden", () => {
    const { k, dev } = make();
    const priv: Priv = { mem: null };
    devm_request_irq(dev, 11, nic_irq_handler, IRQF_SHARED, "nic", priv);
    priv.mem = devm_kzalloc(dev, 256, GFP_KERNEL, { count: 0 });
    devres_release_all(dev);
    expect(k.kasan.reports).toEqual([]);
  });
});
