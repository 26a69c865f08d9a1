import { fileURLToPath } from "node:url";
import { type DiffItem, type DiffResult } from "@devscope/tracer";
import { describe, expect, it } from "vitest";
import { runCli } from "../cli.js";
import { memoryIo } from "../test-io.js";

// Simulated against real: the simulated GPU driver (packages/hw-sim, modelled on cirrus)
// against the real cirrus capture, by resource identity (docs/diff.md, "Simulated against real").
const ROOT = fileURLToPath(new URL("../../../../", import.meta.url));
const FIX = "fixtures/real-traces";
const REAL = `${FIX}/cirrus-drm-unbind.ftrace.txt+${FIX}/cirrus-drm-unbind.dmesg.txt`;
const GPU = "0000:00:06.0";

/** `devscope diff <args> --format json`, parsed. */
async function diffJson(...args: string[]): Promise<DiffResult> {
  const io = memoryIo({ cwd: ROOT });
  expect(await runCli(["diff", ...args, "--format", "json"], io)).toBe(0);
  return JSON.parse(io.out()) as DiffResult;
}

const label = (i: DiffItem): string => `${i.list}:${i.name}:${i.a?.size ?? i.b?.size ?? ""}`;

describe("simulated against real", () => {
  it("sim:gpu-cirrus-capture (the capture's script, no engine) matches the real capture node for node, devres and drmm", async () => {
    for (const side of ["sim:gpu-cirrus-capture", "sim:gpu-cirrus-capture@7"]) {
      const d = await diffJson(REAL, side);
      expect(d.b.paths).toEqual([side]);
      expect(d.onlyA).toEqual([]);
      expect(d.onlyB).toEqual([]);
      const dev = d.devices.find((x) => x.a === GPU);
      expect(dev?.epochs.map((e) => [e.a, e.b, e.score, e.matched])).toEqual([
        [0, 0, 1, 13],
        [1, 1, 1, 13],
      ]);
      for (const e of dev?.epochs ?? []) {
        expect(e.score).toBeGreaterThanOrEqual(0.95);
        expect([e.onlyA, e.onlyB, e.reordered, e.resized, e.cutOff]).toEqual([[], [], [], [], []]);
        expect(e.rows.map((r) => `${r.list}:${r.name}:${r.a?.size}`)).toEqual([
          "devres:devm_kzalloc_release:40",
          "devres:devm_pinctrl_release:8",
          "devres:pcim_release:8",
          "devres:devm_action_release:16",
          "devres:devm_ioremap_release:8",
          "devres:devm_ioremap_release:8",
          "drmm:drm_dev_init_release:0",
          "drmm:kmalloc:80",
          "drmm:drm_minor_alloc_release:8",
          "drmm:kmalloc:248",
          "drmm:drm_gem_init_release:0",
          "drmm:kmalloc:13",
          "drmm:drm_mode_config_init_release:0",
        ]);
        expect(e.releaseRows.every((r) => r.mark === "=")).toBe(true);
        expect(e.releaseRows).toHaveLength(11);
      }
    }
  });

  it("the text report of sim:gpu-cirrus-capture says both binds are the same", async () => {
    const io = memoryIo({ cwd: ROOT });
    expect(await runCli(["diff", REAL, "sim:gpu-cirrus-capture"], io)).toBe(0);
    const text = io.out();
    expect(text).toMatch(/A#0 \(unbind\) ↔ B#0 \(unbind\)\s+score 1\.00\s+13 matched/);
    expect(text).toMatch(/A#1 \(unbind\) ↔ B#1 \(unbind\)\s+score 1\.00\s+13 matched/);
  });

  it("gpu-clean adds its command engine's resources to each bind, and nothing else differs", async () => {
    const d = await diffJson(REAL, "sim:gpu-clean");
    expect(d.b.paths).toEqual(["sim:gpu-clean"]);
    const dev = d.devices.find((x) => x.a === GPU);
    expect(dev?.epochs.map((e) => [e.a, e.b, e.matched])).toEqual([
      [0, 0, 13],
      [1, 1, 13],
    ]);
    for (const e of dev?.epochs ?? []) {
      // The engine (docs/diff.md): ring and fence buffers, MSI vectors, the fence IRQ.
      expect(e.onlyB.map(label)).toEqual([
        "devres:dmam_release:32",
        "devres:dmam_release:32",
        "devres:devm_attr_group_remove:8",
        "devres:msi_device_data_release:72",
        "devres:devm_action_release:16",
        "devres:devm_irq_release:16",
      ]);
      expect([e.onlyA, e.reordered, e.resized, e.cutOff]).toEqual([[], [], [], []]);
      expect(e.score).toBeCloseTo(13 / 19, 4);
      // All of the capture is reproduced; 13 of the simulation's 19 are in the capture.
      expect(e.coverA).toBe(1);
      expect(e.coverB).toBeCloseTo(13 / 19, 4);
    }
  });

  it("is deterministic per seed and names unknown scenarios", async () => {
    const run = async (args: string[]): Promise<[number, string, string]> => {
      const io = memoryIo({ cwd: ROOT });
      return [await runCli(["diff", ...args], io), io.out(), io.err()];
    };
    const [c1, o1] = await run([REAL, "sim:gpu-clean@3", "--format", "json"]);
    const [c2, o2] = await run([REAL, "sim:gpu-clean@3", "--format", "json"]);
    expect([c1, c2]).toEqual([0, 0]);
    expect(o1).toBe(o2);
    const [c3, , e3] = await run([REAL, "sim:nope"]);
    expect(c3).toBe(2);
    expect(e3).toMatch(
      /^devscope: trace B: sim:nope: unknown scenario "nope" \(known: .*gpu-clean/,
    );
  });
});
