import { describe, expect, it } from "vitest";
import { runCli } from "./cli.js";
import { memoryIo } from "./test-io.js";

describe("devscope", () => {
  it("prints help and exits 2 without a command", async () => {
    const io = memoryIo();
    expect(await runCli([], io)).toBe(2);
    expect(io.err()).toContain("Usage: devscope");
    expect(io.err()).toContain("analyze");
  });

  it("exits 0 for --help and --version", async () => {
    const help = memoryIo();
    expect(await runCli(["--help"], help)).toBe(0);
    expect(help.out()).toContain("Commands:");
    const version = memoryIo();
    expect(await runCli(["--version"], version)).toBe(0);
    expect(version.out()).toMatch(/^\d+\.\d+\.\d+\n$/);
    const sub = memoryIo();
    expect(await runCli(["analyze", "--help"], sub)).toBe(0);
    expect(sub.out()).toContain("--fail-on");
  });

  it("rejects unknown commands with exit 2", async () => {
    const io = memoryIo();
    expect(await runCli(["frobnicate"], io)).toBe(2);
    expect(io.err()).toContain("unknown command 'frobnicate'");
  });
});
