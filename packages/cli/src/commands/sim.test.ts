import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { runCli } from "../cli.js";
import { memoryIo } from "../test-io.js";

describe("devscope sim", () => {
  it("lists the scenarios as text and JSON", async () => {
    const io = memoryIo();
    expect(await runCli(["sim", "--list"], io)).toBe(0);
    expect(io.out()).toMatch(/^nic-clean\s+nic\s+/m);
    expect(io.out()).toContain("expect: dma-fault");
    const j = memoryIo();
    expect(await runCli(["sim", "--list", "--format", "json"], j)).toBe(0);
    const list = JSON.parse(j.out()) as {
      id: string;
      title: string;
      device: string;
      source: { ref: string };
      expectedRules: string[];
    }[];
    expect(list.find((s) => s.id === "nic-dma-after-free")).toMatchObject({
      device: "nic",
      source: { ref: "f658b90977d2" },
      expectedRules: ["dma-fault"],
    });
  });

  it("writes a trace that devscope analyze reads like a real capture (clean scenario → exit 0)", async () => {
    const dir = mkdtempSync(join(tmpdir(), "devscope-sim-"));
    const out = join(dir, "clean.ftrace.txt");
    const io = memoryIo();
    expect(await runCli(["sim", "nic-clean", "--seed", "7", "--out", out], io)).toBe(0);
    expect(readFileSync(out, "utf8")).toMatch(/^# tracer: nop\n/);
    expect(io.err()).toContain("nic-clean (seed 7)");
    const a = memoryIo();
    expect(await runCli(["analyze", out], a)).toBe(0);
    expect(a.out()).toContain("Findings: 0 errors, 0 warnings, 0 info");
  });

  it("a bug scenario's trace makes analyze report the expected rule (JSONL too)", async () => {
    const dir = mkdtempSync(join(tmpdir(), "devscope-sim-"));
    for (const format of ["ftrace", "jsonl"]) {
      const out = join(dir, `dma.${format}`);
      const io = memoryIo();
      expect(
        await runCli(
          [
            "sim",
            "nic-dma-after-free",
            "--out",
            out,
            "--format",
            format,
            "--dmesg",
            join(dir, "dmesg.txt"),
          ],
          io,
        ),
      ).toBe(0);
      expect(io.err()).toContain("the DMA checker saw");
      const a = memoryIo();
      expect(await runCli(["analyze", out, "--format", "json"], a)).toBe(1);
      const analysis = JSON.parse(a.out()) as { findings: { rule: string }[] };
      expect(analysis.findings.map((f) => f.rule)).toEqual(["dma-fault"]);
    }
  });

  it("rejects bad usage with exit 2 and a clear message", async () => {
    const cases: [string[], RegExp][] = [
      [["sim", "nope", "--out", "-"], /unknown scenario "nope"/],
      [["sim", "nic-clean"], /--out FILE is required/],
      [
        ["sim", "nic-clean", "--out", "-", "--seed", "x"],
        /--seed: expected a non-negative integer/,
      ],
      [["sim", "nic-clean", "--out", "-", "--steps", "3"], /takes no --steps/],
      [["sim", "nic-clean", "--out", "-", "--format", "pcap"], /expected ftrace or jsonl/],
      [["sim"], /give a scenario id/],
    ];
    for (const [argv, msg] of cases) {
      const io = memoryIo();
      expect(await runCli(argv, io)).toBe(2);
      expect(io.err()).toMatch(msg);
    }
  });

  it("--steps reaches the scenario", async () => {
    const io = memoryIo();
    expect(await runCli(["sim", "soak", "--steps", "3", "--out", "-"], io)).toBe(0);
    expect(io.out()).toContain("scenario: cycle 3/3: unbind");
    expect(io.out()).not.toContain("cycle 4/");
  });
});
