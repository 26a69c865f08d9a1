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
      "nic-clean", "gpu-clean", "nic-irq-before-alloc", "nic-dma-after-free", "nic-open-leak", "nic-pool-busy", "nic-manual-free",
      "nic-probe-fail-ladder", "nic-probe-fail-every-step", "nic-prefetch-overrun", "gpu-double-put", "gpu-unplug-no-enter",
      "gpu-open-fd-unbind", "group-left-open", "nic-surprise-removal", "soak",
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
    expect(f?.message).toMatch(/hard-IRQ handler \(rtl8169_interrupt\+0x[0-9a-f]+\/0x[0-9a-f]+ \[sim_r8169\]\) wrote 8 bytes of freed memory — devm_kzalloc_release \(256 bytes/);
    expect(f?.details?.allocSite).toMatch(/^rtl_init_one\+/);
    expect(f?.details?.freeSite).toMatch(/^release_nodes\+/);
    expect(f?.resources).toHaveLength(1);
  });

  it("gpu-double-put names the put on freed memory and the remove() that freed it", () => {
    const { a } = analyze(runScenario("gpu-double-put").ftrace());
    const f = a.findings.find((x) => x.rule === "use-after-free");
    expect(f?.message).toMatch(/\(drm_dev_put\+0x1f\/0x60 \[drm\]\) wrote 4 bytes of freed memory/);
    expect(f?.details?.freeSite).toMatch(/drm_dev_release.*sim_drm_pci_remove\+0x[0-9a-f]+\/0x[0-9a-f]+ \[sim_drm\]/);
  });

  it("gpu-unplug-no-enter names the ioctl that touched the unmapped registers", () => {
    const { a } = analyze(runScenario("gpu-unplug-no-enter").ftrace());
    const f = a.findings.find((x) => x.rule === "mmio-after-unbind");
    expect(f?.message).toMatch(/by task modetest-\d+ in sim_drm_ioctl_submit\+0x[0-9a-f]+\/0x[0-9a-f]+ \[sim_drm\] took a page fault/);
  });

  it("the DMA checker records what the device hit, with allocation and free sites", () => {
    const r = runScenario("nic-dma-after-free");
    const fault = r.faults[0];
    expect(fault?.reason).toBe("after-free");
    expect(fault?.purpose).toBe("rx descriptor fetch");
    expect(fault?.target?.allocSite).toMatch(/^rtl_open\+0x[0-9a-f]+\/0x[0-9a-f]+ \[sim_r8169\]$/);
    expect(fault?.target?.freeSite).toMatch(/^rtl8169_close\+/);
    expect(r.dmesg()).toMatch(/DMAR: \[DMA Read NO_PASID\] Request device \[00:03\.0\] fault addr 0x[0-9a-f]+000 \[fault reason 0x06\] PTE Read access is not set/);
  });

  it("the overfetch is recorded as running past the end of the pool block", () => {
    const r = runScenario("nic-prefetch-overrun");
    expect(r.faults.length).toBeGreaterThan(0);
    for (const f of r.faults) {
      expect(f.reason).toBe("out-of-bounds");
      expect(f.target?.kind).toBe("pool-block");
      expect(f.target?.pool).toBe("sim_r8169 rx ring");
    }
  });

  it("gpu-open-fd-unbind releases the drm managed list at the last close, after the unbind", () => {
    const r = runScenario("gpu-open-fd-unbind");
    const ev = r.events;
    const unbind = ev.findIndex((e) => e.kind === "marker" && e.text.startsWith("scenario: unbind"));
    const close = ev.findIndex((e) => e.kind === "marker" && e.text.startsWith("scenario: close"));
    const begin = ev.findIndex((e) => e.kind === "drmres_release" && e.phase === "begin");
    expect(unbind).toBeGreaterThan(0);
    expect(begin).toBeGreaterThan(close);
    expect(ev.some((e) => e.kind === "marker" && e.text === "scenario: submit returned -19")).toBe(true);
  });
});
