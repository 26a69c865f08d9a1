import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { runCli } from "../cli.js";
import { memoryIo } from "../test-io.js";

const ROOT = fileURLToPath(new URL("../../../../", import.meta.url));
const FIX = "fixtures/real-traces";
const AHCI = `${FIX}/ahci-bind-unbind.ftrace.txt`;

/** ahci with one REL line removed from the first unbind: a leak-unreleased error. */
function leakyTrace(): string {
  const dir = mkdtempSync(join(tmpdir(), "devscope-cli-"));
  const text = readFileSync(join(ROOT, AHCI), "utf8")
    .split("\n")
    .filter((l) => !l.includes("REL 0000000096164986 dmam_release"))
    .join("\n");
  const path = join(dir, "leaky.ftrace.txt");
  writeFileSync(path, text);
  return path;
}

describe("devscope analyze", () => {
  it("prints the text report of a real capture and exits 0", async () => {
    const io = memoryIo({ cwd: ROOT });
    expect(await runCli(["analyze", AHCI], io)).toBe(0);
    const out = io.out();
    expect(out).toContain(AHCI);
    expect(out).toMatch(/0000:00:1f\.2\s+ahci\s+3\s+93\s+84\s+9\s+0\s+0/);
    expect(out).toContain("Findings: 0 errors, 0 warnings, 0 info");
    expect(out).toContain("Lines: 15746 total, 15734 parsed, 12 ignored");
    expect(out).not.toContain("\u001b[");
    expect(io.err()).toBe("");
  });

  it("colours the report on a terminal unless NO_COLOR is set", async () => {
    const tty = memoryIo({ cwd: ROOT, tty: true });
    await runCli(["analyze", AHCI], tty);
    expect(tty.out()).toContain("\u001b[1m");
    const noColor = memoryIo({ cwd: ROOT, tty: true, env: { NO_COLOR: "1" } });
    await runCli(["analyze", AHCI], noColor);
    expect(noColor.out()).not.toContain("\u001b[");
  });

  it("writes JSON with --output, leaving stdout empty", async () => {
    const dir = mkdtempSync(join(tmpdir(), "devscope-cli-"));
    const io = memoryIo({ cwd: ROOT });
    const out = join(dir, "sub", "a.json");
    expect(await runCli(["analyze", AHCI, "--format", "json", "--output", out], io)).toBe(0);
    expect(io.out()).toBe("");
    expect(io.err()).toContain("json report written to");
    const a = JSON.parse(readFileSync(out, "utf8")) as {
      schema: string;
      inputs: { path: string; format: string; bytes: number; lines: number }[];
      devices: unknown[];
    };
    expect(a.schema).toBe("devscope.analysis/1");
    expect(a.inputs).toEqual([
      expect.objectContaining({ path: AHCI, format: "ftrace", bytes: 2461725, lines: 15746 }),
    ]);
    expect(a.devices).toHaveLength(2);
  });

  it("prints SARIF 2.1.0", async () => {
    const io = memoryIo({ cwd: ROOT });
    expect(await runCli(["analyze", leakyTrace(), "--format", "sarif"], io)).toBe(1);
    const s = JSON.parse(io.out()) as {
      version: string;
      runs: { results: { ruleId: string; locations: unknown[] }[] }[];
    };
    expect(s.version).toBe("2.1.0");
    expect(s.runs[0]?.results.map((r) => r.ruleId)).toEqual(["leak-unreleased"]);
  });

  it("follows --fail-on", async () => {
    const leaky = leakyTrace();
    expect(await runCli(["analyze", leaky], memoryIo())).toBe(1);
    expect(await runCli(["analyze", leaky, "--fail-on", "never"], memoryIo())).toBe(0);
    // A cut-off start is an info fact: fails only with --fail-on info.
    const pipe = `${FIX}/trace-pipe-ahci-sdhci.trace_pipe.txt`;
    expect(await runCli(["analyze", pipe, "--fail-on", "warning"], memoryIo({ cwd: ROOT }))).toBe(
      0,
    );
    expect(await runCli(["analyze", pipe, "--fail-on", "info"], memoryIo({ cwd: ROOT }))).toBe(1);
  });

  it("merges a trace and its dmesg", async () => {
    const io = memoryIo({ cwd: ROOT });
    expect(
      await runCli(
        ["analyze", `${FIX}/bochs-drm-unbind.ftrace.txt`, `${FIX}/bochs-drm-unbind.dmesg.txt`],
        io,
      ),
    ).toBe(0);
    expect(io.out()).toContain("bochs-drm-unbind.dmesg.txt  dmesg");
    expect(io.out()).toContain("drm managed: ADD 18  REL 18  DEL 0  live 0");
    expect(io.out()).toMatch(/note: .*clock aligned/);
  });

  it("exits 2 with a clear message on usage and input errors", async () => {
    const missing = memoryIo({ cwd: ROOT });
    expect(await runCli(["analyze", "nope.txt"], missing)).toBe(2);
    expect(missing.err()).toBe("devscope: nope.txt: no such file\n");
    const flag = memoryIo({ cwd: ROOT });
    expect(await runCli(["analyze", AHCI, "--bogus"], flag)).toBe(2);
    expect(flag.err()).toContain("unknown option '--bogus'");
    const format = memoryIo({ cwd: ROOT });
    expect(await runCli(["analyze", AHCI, "--format", "xml"], format)).toBe(2);
    expect(format.err()).toContain("Allowed choices are text, json, sarif");
    const none = memoryIo();
    expect(await runCli(["analyze"], none)).toBe(2);
    expect(none.err()).toContain("missing required argument 'files'");
    const dir = memoryIo({ cwd: ROOT });
    expect(await runCli(["analyze", FIX], dir)).toBe(2);
    expect(dir.err()).toContain("not a regular file");
  });

  it("prints only the reason when no input could be read", async () => {
    const io = memoryIo({ cwd: ROOT });
    expect(await runCli(["analyze", `${FIX}/trace-cmd-ahci-e1000.trace.dat`], io)).toBe(2);
    expect(io.out()).toBe("");
    expect(io.err()).toMatch(/^devscope: .*trace\.dat: binary trace-cmd data/);
  });

  it("exits 2 when an input cannot be read as text, still reporting the rest", async () => {
    const io = memoryIo({ cwd: ROOT });
    expect(await runCli(["analyze", `${FIX}/trace-cmd-ahci-e1000.trace.dat`, AHCI], io)).toBe(2);
    expect(io.err()).toMatch(/devscope: input error: .*trace\.dat/);
    expect(io.out()).toContain("0000:00:1f.2");
  });
});
