import e1000eText from "../../../../../fixtures/real-traces/e1000e-bind-unbind.ftrace.txt?raw";
import { describe, expect, it } from "vitest";
import { must } from "../../shared/must.ts";
import { Engine } from "./engine.ts";
import { CANCELLED, type ImportProgress } from "./engine-types.ts";

// The worker's engine driven directly (no Worker): real capture in, analysis + timeline out.
const e1000e = new TextEncoder().encode(e1000eText);
const gzip = async (b: Uint8Array<ArrayBuffer>): Promise<Uint8Array<ArrayBuffer>> =>
  new Uint8Array(
    await new Response(
      new Blob([b]).stream().pipeThrough(new CompressionStream("gzip")),
    ).arrayBuffer(),
  );

describe("Engine", () => {
  it("imports a real capture: summary, analysis, timeline, raw lines", async () => {
    const engine = new Engine();
    const progress: ImportProgress[] = [];
    const t = await engine.importSources(
      [{ name: "e1000e.ftrace.txt", size: e1000e.length, blob: new Blob([e1000e]) }],
      "file",
      (p) => progress.push(p),
    );
    expect(t.title).toBe("e1000e.ftrace.txt");
    expect(t.inputs[0]).toMatchObject({
      name: "e1000e.ftrace.txt",
      format: "ftrace",
      gzip: false,
      bytes: e1000e.length,
    });
    expect(must(t.inputs[0]).lines.total).toBe(7160);
    expect(must(t.inputs[0]).lines.rejected).toBe(0);
    const dev = must(t.analysis.devices.find((d) => d.name === "0000:00:03.0"));
    expect(dev.counts).toEqual({ add: 8, rel: 4, rem: 4, replace: 0 });
    expect(t.timeline.count).toBe(t.analysis.resources.length);
    expect(progress.map((p) => p.phase)).toEqual(
      expect.arrayContaining(["reading", "analyzing", "building"]),
    );
    // The details view reads an ADD line back from the file.
    const r = must(t.analysis.resources.find((x) => x.addLine !== undefined));
    const lines = await engine.sourceLines(0, must(r.addLine), must(r.addLine));
    expect(lines).toHaveLength(1);
    expect(must(lines[0]).text).toContain(`devres_log: ${r.device} ADD ${r.node}`);
  });

  it("inflates gzip itself and reads lines back from the compressed file", async () => {
    const engine = new Engine();
    const gz = await gzip(e1000e);
    const t = await engine.importSources(
      [{ name: "e1000e.ftrace.txt.gz", size: gz.length, blob: new Blob([gz]) }],
      "file",
      () => undefined,
    );
    expect(t.inputs[0]).toMatchObject({ format: "ftrace", gzip: true, bytes: gz.length });
    expect(must(t.inputs[0]).lines.total).toBe(7160);
    const lines = await engine.sourceLines(0, 1, 2);
    expect(lines.map((l) => l.text)).toEqual(["# tracer: nop", "#"]);
  });

  it("reads host files through the page's range reader", async () => {
    const engine = new Engine();
    const reads: number[] = [];
    const t = await engine.importSources(
      [{ name: "host.txt", size: e1000e.length }],
      "file",
      () => undefined,
      async (src, off, len) => {
        expect(src).toBe(0);
        reads.push(off);
        return e1000e.slice(off, off + len);
      },
    );
    expect(must(t.inputs[0]).lines.total).toBe(7160);
    expect(reads[0]).toBe(0);
  });

  it("refuses binary input with the importer's message and keeps going", async () => {
    const engine = new Engine();
    const dat = new Uint8Array([0x17, 0x08, 0x44, ...new TextEncoder().encode("tracing6\0\0\0\0")]);
    const t = await engine.importSources(
      [{ name: "trace.dat", size: dat.length, blob: new Blob([dat]) }],
      "file",
      () => undefined,
    );
    expect(must(t.inputs[0]).error).toMatch(/trace-cmd report/);
    expect(t.analysis.resources).toEqual([]);
  });

  it("cancels a running import with a CancelledError and keeps the previous trace's lines", async () => {
    const engine = new Engine();
    await engine.importSources(
      [{ name: "a.txt", size: e1000e.length, blob: new Blob([e1000e]) }],
      "file",
      () => undefined,
    );
    let calls = 0;
    const slow = engine.importSources(
      [{ name: "slow.txt", size: e1000e.length }],
      "file",
      () => undefined,
      async (_s, off, len) => {
        if (++calls === 1) engine.cancel();
        await new Promise((r) => setTimeout(r, 1));
        return e1000e.slice(off, off + Math.min(len, 4096));
      },
    );
    await expect(slow).rejects.toMatchObject({ name: CANCELLED });
    expect((await engine.sourceLines(0, 1, 1)).map((l) => l.text)).toEqual(["# tracer: nop"]);
  });

  it("merges several inputs into one analysis", async () => {
    const engine = new Engine();
    const t = await engine.importSources(
      [
        { name: "a.txt", size: e1000e.length, blob: new Blob([e1000e]) },
        { name: "b.txt", size: e1000e.length, blob: new Blob([e1000e]) },
      ],
      "file",
      () => undefined,
    );
    expect(t.inputs).toHaveLength(2);
    expect(t.title).toBe("a.txt + 1 more");
    expect(t.analysis.inputs).toHaveLength(2);
  });

  it("builds a synthetic analysis for benchmarks", async () => {
    const t = await new Engine().loadSynthetic(2, 3, 5);
    expect(t.analysis.resources).toHaveLength(30);
    expect(t.origin).toBe("synthetic");
  });
});

describe("Engine: simulations", () => {
  it("lists the simulator's scenarios with provenance and expected findings", async () => {
    const list = await new Engine().listScenarios();
    const irq = must(list.find((s) => s.id === "nic-irq-before-alloc"));
    expect(irq.expect).toContain("irq-outlives-data");
    expect(irq.source.length).toBeGreaterThan(5);
    expect(list.some((s) => s.expect.length === 0)).toBe(true);
  });

  it("runs a scenario through the real importer and analysis: its bug is found, same seed same trace", async () => {
    const engine = new Engine();
    const a = await engine.runScenario("nic-irq-before-alloc", 3, () => undefined);
    expect(a.origin).toBe("simulation");
    expect(a.title).toBe("nic-irq-before-alloc (seed 3)");
    expect(a.inputs[0]).toMatchObject({
      format: "ftrace",
      name: "nic-irq-before-alloc.seed-3.ftrace.txt",
    });
    expect(must(a.inputs[0]).lines.rejected).toBe(0);
    expect(a.analysis.findings.map((f) => f.rule)).toContain("irq-outlives-data");
    // The raw lines of the simulated trace read back like a file's.
    const r = must(a.analysis.resources.find((x) => x.kind === "irq" && x.addLine !== undefined));
    expect(must((await engine.sourceLines(0, must(r.addLine), must(r.addLine)))[0]).text).toMatch(
      /devres_log: \S+ ADD \S+ devm_irq_release \(16 bytes\)/,
    );
    const again = await new Engine().runScenario("nic-irq-before-alloc", 3, () => undefined);
    expect(again.analysis).toEqual(a.analysis);
  });

  it("names the known scenarios when asked for an unknown one", async () => {
    await expect(new Engine().runScenario("no-such-scenario", 1, () => undefined)).rejects.toThrow(
      /unknown scenario "no-such-scenario"/,
    );
  });
});
