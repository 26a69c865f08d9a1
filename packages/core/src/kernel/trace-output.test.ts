import { describe, expect, it } from "vitest";
import { importText, type TraceEvent } from "@devscope/tracer";
import { Kernel } from "./kernel.js";
import { moduleFunction } from "./modules.js";
import { Device } from "../base/device.js";
import { GFP_KERNEL } from "./gfp.js";
import { devres_add, devres_alloc, devres_release_all } from "../devres/devres.js";
import { devm_kzalloc, devm_kfree } from "../devres/devm-memory.js";
import { devm_request_irq } from "../irq/devm-irq.js";
import { IRQF_SHARED, IRQ_HANDLED } from "../irq/irq-core.js";
import { kfree, kmalloc } from "../mm/kmalloc.js";
import { runAhciBindUnbind } from "../testing/ahci-scenario.js";
import { devresEvents, dmesgTexts } from "../testing/trace-helpers.js";

/** Importer-derived fields (kmalloc/kfree links) and file positions are not part of what the kernel wrote. */
function normalize(events: readonly TraceEvent[]): unknown[] {
  return events.map((e) => {
    const {
      line: _line,
      src: _src,
      ...rest
    } = e as TraceEvent & { allocSite?: string; allocBytes?: number; freeSite?: string };
    delete (rest as { allocSite?: string }).allocSite;
    delete (rest as { allocBytes?: number }).allocBytes;
    delete (rest as { freeSite?: string }).freeSite;
    return rest;
  });
}

describe("simulated trace output", () => {
  it("is deterministic: same seed, same bytes; another seed, other pointer hashes", () => {
    const a = runAhciBindUnbind({ seed: 42 });
    const b = runAhciBindUnbind({ seed: 42 });
    const c = runAhciBindUnbind({ seed: 43 });
    expect(a.traceText()).toBe(b.traceText());
    expect(a.dmesgText()).toBe(b.dmesgText());
    expect(a.traceText()).not.toBe(c.traceText());
    const shape = (t: string): string =>
      t.replace(/[0-9a-f]{16}/g, "P").replace(/\d+\.\d{6}/g, "T");
    expect(shape(a.traceText()).split("\n").length).toBe(shape(c.traceText()).split("\n").length);
  });

  it("looks like `cat trace`: the real header, then lines the importer reads back with nothing rejected", () => {
    const k = runAhciBindUnbind({ seed: 1 });
    const text = k.traceText();
    const lines = text.split("\n");
    expect(lines.slice(0, 2)).toEqual(["# tracer: nop", "#"]);
    expect(lines[2]).toMatch(/^# entries-in-buffer\/entries-written: (\d+)\/\1 {3}#P:2$/);
    expect(lines[10]).toBe("#           TASK-PID     CPU#  |||||  TIMESTAMP  FUNCTION");
    const r = importText(text, { path: "sim", keepKmem: "all" });
    expect(r.lines.rejected).toBe(0);
    expect(r.meta.entriesInBuffer).toBe(r.events.length);
  });

  it("reads back through the importer to the same events (ftrace and dmesg), every kind included", () => {
    const k = new Kernel({
      seed: 7,
      config: { drmDebug: 0x200, debugDevres: true, debugShirq: true, consoleLoglevel: 8 },
      trace: { irq: true, console: true },
    });
    const dev = new Device(k, "0000:00:03.0");
    k.loadModule("e1000e");
    const e1000_release = moduleFunction("e1000e", function e1000_release(): void {});
    const mem = k.call("e1000_probe", () => {
      devres_add(dev, devres_alloc(dev, e1000_release, 24, GFP_KERNEL, {}) as object);
      devm_request_irq(
        dev,
        11,
        function e1000_intr() {
          m?.read(0, 4);
          return IRQ_HANDLED;
        },
        IRQF_SHARED,
        null,
        dev,
      );
      const m = devm_kzalloc(dev, 100, GFP_KERNEL);
      devm_kfree(dev, devm_kzalloc(dev, 8, GFP_KERNEL));
      return m;
    });
    k.irq.raise(11);
    k.marker("rk: unbind");
    devres_release_all(dev); // DEBUG_SHIRQ extra call after the memory went: a KASAN report
    const x = kmalloc(k, 32, GFP_KERNEL);
    kfree(k, x);
    kfree(k, x);
    k.unloadModule("e1000e");
    expect(mem?.live).toBe(false);
    expect(k.kasan.reports.map((r) => r.kind)).toEqual([
      "kasan-use-after-free",
      "kasan-double-free",
    ]);

    const events = k.readTrace();
    const kinds = new Set(
      events.map((e) => `${e.kind}${"via" in e && e.via !== undefined ? "/" + e.via : ""}`),
    );
    for (const kind of [
      "devres",
      "devres/console",
      "kmalloc",
      "kfree",
      "irq",
      "marker",
      "module",
      "log/console",
      "report/console",
    ])
      expect(kinds).toContain(kind);
    expect(events.some((e) => e.kind === "devres" && e.nameForm === "module-gone")).toBe(true);

    const back = importText(k.traceText(), { path: "sim", keepKmem: "all" });
    expect(back.lines.rejected).toBe(0);
    expect(normalize(back.events)).toEqual(normalize(events));
    // The importer's kmalloc links agree with what the simulator knows.
    for (const e of back.events) {
      if (e.kind !== "devres" || e.op !== "ADD" || e.allocSite === undefined) continue;
      const km = events
        .filter((x) => x.kind === "kmalloc" && x.ptr === e.node && x.ts <= e.ts)
        .at(-1);
      expect(km?.kind === "kmalloc" && km.callSite).toBe(e.allocSite);
    }

    const dmesgBack = importText(k.dmesgText(), { path: "dmesg" });
    expect(dmesgBack.lines.rejected).toBe(0);
    expect(normalize(dmesgBack.events)).toEqual(normalize(k.dmesg));
  });

  it("pointer tokens: stable per address, reused when the address is reused", () => {
    const k = new Kernel({ seed: 3 });
    const dev = new Device(k, "0000:00:05.0");
    const a = devm_kzalloc(dev, 40, GFP_KERNEL);
    devm_kfree(dev, a);
    devm_kzalloc(dev, 40, GFP_KERNEL);
    const [add1, rem, add2] = devresEvents(k);
    expect(add1?.node).toBe(rem?.node);
    expect(add2?.node).toBe(add1?.node);
    expect(add1?.node).toMatch(/^00000000[0-9a-f]{8}$/);
  });

  it("module names: `(0xADDR:name)` while loaded, `(0xADDR)` after unload (6.1), plain since v6.13", () => {
    const rel = moduleFunction("libata", function ata_host_stop(): void {});
    for (const [version, loaded, gone] of [
      ["6.1", "module", "module-gone"],
      ["6.13", undefined, undefined],
    ] as const) {
      const k = new Kernel({ version, seed: 5 });
      k.loadModule("libata");
      const dev = new Device(k, "0000:00:1f.2");
      devres_add(dev, devres_alloc(dev, rel, 0, GFP_KERNEL, {}) as object);
      const ev = devresEvents(k)[0];
      expect(ev?.nameForm).toBe(loaded);
      expect(ev?.name).toBe("ata_host_stop");
      k.unloadModule("libata");
      const read = k.readTrace().find((e) => e.kind === "devres");
      expect(read?.kind === "devres" && read.nameForm).toBe(gone ?? undefined);
      if (gone !== undefined) {
        expect(read?.kind === "devres" && read.name).toMatch(/^0xffffffffc0[0-9a-f]{6}$/);
        expect(k.traceText()).toMatch(
          /ADD 00000000[0-9a-f]{8} \(0xffffffffc0[0-9a-f]{6}\)\[UNSAFE-MEMORY\] \(0 bytes\)/,
        );
      }
    }
  });

  it("CONFIG_DEBUG_DEVRES + devres.log=1 prints `DEVRES` dev_err lines with the dev_printk prefix", () => {
    const k = new Kernel({ seed: 5, config: { debugDevres: true } });
    const dev = new Device(k, "0000:00:1f.2");
    function devm_irq_release(): void {}
    devres_add(dev, devres_alloc(dev, devm_irq_release, 16, GFP_KERNEL, {}) as object);
    devres_release_all(dev);
    const token = devresEvents(k)[0]?.node;
    expect(dmesgTexts(k)).toEqual([
      ` 0000:00:1f.2: DEVRES ADD ${token} devm_irq_release (16 bytes)`,
      ` 0000:00:1f.2: DEVRES REL ${token} devm_irq_release (16 bytes)`,
    ]);
  });

  it("tracing off records nothing and changes no behaviour", () => {
    const on = runAhciBindUnbind({ seed: 9 });
    const off = runAhciBindUnbind({ seed: 9, trace: false });
    expect(off.trace.events).toEqual([]);
    expect(off.core.probes).toEqual(on.core.probes);
    expect(off.slab.liveObjects).toBe(on.slab.liveObjects);
  });
});
