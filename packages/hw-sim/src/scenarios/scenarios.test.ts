import { describe, expect, it } from "vitest";
import { analyzeImports, importText, type Analysis } from "@devscope/tracer";
import { SCENARIOS, listScenarios, runScenario } from "./registry.js";

function analyze(text: string): { a: Analysis; rejected: number } {
  const imp = importText(text, { path: "sim.ftrace.txt", keepKmem: "all" });
  return { a: analyzeImports([imp]), rejected: imp.lines.rejected };
}

function ruleIds(a: Analysis): string[] {
  return [...new Set(a.findings.map((f) => f.rule))].sort();
}

describe("scenario registry", () => {
  it("lists every scenario the issue asks for, with metadata", () => {
    const ids = listScenarios().map((s) => s.id);
    for (const id of [
      "nic-clean",
      "gpu-clean",
      "nic-irq-before-alloc",
      "nic-dma-after-free",
      "nic-open-leak",
      "nic-pool-busy",
      "nic-manual-free",
      "nic-probe-fail-ladder",
      "nic-probe-fail-every-step",
      "nic-prefetch-overrun",
      "gpu-double-put",
      "gpu-unplug-no-enter",
      "gpu-open-fd-unbind",
      "group-left-open",
      "nic-surprise-removal",
      "soak",
      "gpu-cirrus-capture",
    ])
      expect(ids).toContain(id);
    expect(new Set(ids).size).toBe(ids.length);
    for (const s of listScenarios()) {
      expect(s.title.length).toBeGreaterThan(10);
      expect(s.source.ref.length).toBeGreaterThan(4);
      expect([...s.expectedRules]).toEqual([...s.expectedRules].sort());
    }
  });

  it("rejects unknown ids and bad step counts with a clear error", () => {
    expect(() => runScenario("nope")).toThrow(/unknown scenario "nope" \(known: nic-clean/);
    expect(() => runScenario("soak", { steps: 0 })).toThrow(/--steps must be a positive integer/);
  });
});

describe.each(SCENARIOS.map((s) => [s.id, s] as const))("scenario %s", (id, s) => {
  const r = runScenario(id, { seed: 1 });
  const text = r.ftrace();
  const { a, rejected } = analyze(text);

  it("imports as a clean kernel trace", () => {
    expect(rejected).toBe(0);
    expect(text.startsWith("# tracer: nop\n")).toBe(true);
  });

  it("takes no name from JavaScript: every release, action, handler, probe and remove carries its kernel name (minifier-proof)", () => {
    expect([...r.machine.kernel.namesFromJs]).toEqual([]);
  });

  it(`devscope analyze reports exactly ${s.expectedRules.length === 0 ? "nothing" : s.expectedRules.join(", ")}`, () => {
    expect(ruleIds(a)).toEqual([...s.expectedRules]);
    for (const f of a.findings) expect(f.device).toMatch(/^0000:00:0[36]\.0$/);
  });

  it("finds the same with other seeds, which move timing and addresses", () => {
    for (const seed of [2, 3]) {
      const other = runScenario(id, { seed });
      const ft = other.ftrace();
      expect(ft).not.toBe(text);
      expect(ruleIds(analyze(ft).a)).toEqual([...s.expectedRules]);
    }
  });
});

describe("determinism", () => {
  it("same seed, same bytes (ftrace, dmesg, jsonl)", () => {
    for (const id of ["nic-clean", "gpu-clean", "nic-dma-after-free"]) {
      const x = runScenario(id, { seed: 42 });
      const y = runScenario(id, { seed: 42 });
      expect(y.ftrace()).toBe(x.ftrace());
      expect(y.dmesg()).toBe(x.dmesg());
      expect(y.jsonl()).toBe(x.jsonl());
    }
  });
});

describe("what the findings say", () => {
  it("use-after-free names the IRQ handler, the resource and the allocation and free sites", () => {
    const { a } = analyze(runScenario("nic-irq-before-alloc").ftrace());
    const f = a.findings.find((x) => x.rule === "use-after-free");
    expect(f?.message).toMatch(
      /hard-IRQ handler \(rtl8169_interrupt\+0x[0-9a-f]+\/0x[0-9a-f]+ \[sim_r8169\]\) wrote 8 bytes of freed memory — devm_kzalloc_release \(256 bytes/,
    );
    expect(f?.details?.allocSite).toMatch(/^rtl_init_one\+/);
    expect(f?.details?.freeSite).toMatch(/^release_nodes\+/);
    expect(f?.resources).toHaveLength(1);
  });

  it("gpu-double-put names the put on freed memory and the remove() that freed it", () => {
    const { a } = analyze(runScenario("gpu-double-put").ftrace());
    const f = a.findings.find((x) => x.rule === "use-after-free");
    expect(f?.message).toMatch(/\(drm_dev_put\+0x1f\/0x60 \[drm\]\) wrote 4 bytes of freed memory/);
    expect(f?.details?.freeSite).toMatch(
      /drm_dev_release.*sim_drm_pci_remove\+0x[0-9a-f]+\/0x[0-9a-f]+ \[sim_drm\]/,
    );
  });

  it("gpu-unplug-no-enter names the ioctl that touched the unmapped registers", () => {
    const { a } = analyze(runScenario("gpu-unplug-no-enter").ftrace());
    const f = a.findings.find((x) => x.rule === "mmio-after-unbind");
    expect(f?.message).toMatch(
      /by task modetest-\d+ in sim_drm_ioctl_submit\+0x[0-9a-f]+\/0x[0-9a-f]+ \[sim_drm\] took a page fault/,
    );
  });

  it("dma-fault names the freed buffer, the access and both sites from the checker's report in the trace — one finding, no use-after-free", () => {
    const r = runScenario("nic-dma-after-free");
    const text = r.ftrace();
    expect(text).toMatch(
      /console: BUG: KASAN: use-after-free in DMA read by 0000:00:03\.0 \(rx descriptor fetch\)\n/,
    );
    const { a } = analyze(text);
    expect(a.findings.map((f) => f.rule)).toEqual(["dma-fault"]);
    const f = a.findings[0];
    expect(f?.message).toMatch(
      /the IOMMU refused 6 reads by the device .* while the driver was bound .*, after "scenario: frames keep arriving": the DMA checker's report \(line \d+\) names what it hit: a read of 16 bytes at bus address 0x[0-9a-f]+c0 \(rx descriptor fetch\), 192 bytes into a freed 256-byte coherent DMA buffer — allocated by rtl_open\+0x[0-9a-f]+\/0x[0-9a-f]+ \[sim_r8169\] ← __dev_open\+0x[0-9a-f]+\/0x[0-9a-f]+ \(task \d+\), freed by rtl8169_close\+0x[0-9a-f]+\/0x[0-9a-f]+ \[sim_r8169\] ← __dev_close_many\+0x[0-9a-f]+\/0x[0-9a-f]+ \(task \d+\)/,
    );
    expect(f?.details).toMatchObject({
      faults: 6,
      checkerReports: 1,
      bugType: "use-after-free",
      purpose: "rx descriptor fetch",
    });
    // The same sites the checker recorded.
    expect(String(f?.details?.allocSite)).toContain(r.faults[0]?.target?.allocSite ?? "?");
    expect(String(f?.details?.freeSite)).toContain(r.faults[0]?.target?.freeSite ?? "?");
  });

  it("dma-fault names the pool, the block, the overrun and who allocated the block (nic-prefetch-overrun)", () => {
    const { a } = analyze(runScenario("nic-prefetch-overrun").ftrace());
    expect(a.findings.map((f) => f.rule)).toEqual(["dma-fault"]);
    const f = a.findings[0];
    expect(f?.message).toMatch(
      /a read of 80 bytes at bus address 0x[0-9a-f]+fc0 \(rx descriptor fetch \(\+4 prefetched\)\), 4032 bytes into a 4096-byte block of DMA pool "sim_r8169 rx ring", running 16 bytes past its end — allocated by rtl_open\+0x[0-9a-f]+\/0x[0-9a-f]+ \[sim_r8169\] ← __dev_open\+0x[0-9a-f]+\/0x[0-9a-f]+ \(task \d+\)\. The pool is managed: dmam_pool_release \(8 bytes, line \d+\)/,
    );
    expect(f?.details).toMatchObject({ pool: "sim_r8169 rx ring", bugType: "out-of-bounds" });
    const pool = a.resources.find((x) => x.id === f?.resources[0]);
    expect(pool?.name).toBe("dmam_pool_release");
  });

  it("the DMA checker records what the device hit, with allocation and free sites", () => {
    const r = runScenario("nic-dma-after-free");
    const fault = r.faults[0];
    expect(fault?.reason).toBe("after-free");
    expect(fault?.purpose).toBe("rx descriptor fetch");
    expect(fault?.target?.allocSite).toMatch(/^rtl_open\+0x[0-9a-f]+\/0x[0-9a-f]+ \[sim_r8169\]$/);
    expect(fault?.target?.freeSite).toMatch(/^rtl8169_close\+/);
    expect(r.dmesg()).toMatch(
      /DMAR: \[DMA Read NO_PASID\] Request device \[00:03\.0\] fault addr 0x[0-9a-f]+000 \[fault reason 0x06\] PTE Read access is not set/,
    );
  });

  it("the overfetch is recorded as running past the end of the pool block", () => {
    const r = runScenario("nic-prefetch-overrun");
    expect(r.faults.length).toBeGreaterThan(0);
    for (const f of r.faults) {
      expect(f.reason).toBe("out-of-bounds");
      expect(f.target?.kind).toBe("pool-block");
      expect(f.target?.pool).toBe("sim_r8169 rx ring");
      // The block's own allocation (core tracks dma_pool_alloc's caller per block), not its page's.
      expect(f.target?.allocSite).toMatch(/^rtl_open\+0x[0-9a-f]+\/0x[0-9a-f]+ \[sim_r8169\]$/);
    }
    expect(r.machine.checkerReport.printed).toBe(1);
  });

  it("gpu-open-fd-unbind releases the drm managed list at the last close, after the unbind", () => {
    const r = runScenario("gpu-open-fd-unbind");
    const ev = r.events;
    const unbind = ev.findIndex(
      (e) => e.kind === "marker" && e.text.startsWith("scenario: unbind"),
    );
    const close = ev.findIndex((e) => e.kind === "marker" && e.text.startsWith("scenario: close"));
    const begin = ev.findIndex((e) => e.kind === "drmres_release" && e.phase === "begin");
    expect(unbind).toBeGreaterThan(0);
    expect(begin).toBeGreaterThan(close);
    expect(ev.some((e) => e.kind === "marker" && e.text === "scenario: submit returned -19")).toBe(
      true,
    );
  });
});
