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
const PIPE = `${FIX}/trace-pipe-ahci-sdhci.trace_pipe.txt`;
const CIRRUS = `${FIX}/cirrus-drm-unbind.ftrace.txt+${FIX}/cirrus-drm-unbind.dmesg.txt`;

interface JsonDiff {
  schema: string;
  a: { paths: string[] };
  b: { paths: string[] };
  score: number;
  onlyB: string[];
  devices: {
    a: string;
    b: string;
    pairing: string;
    score: number;
    epochs: {
      a: number | null;
      b: number | null;
      score: number;
      matched: number;
      onlyA: unknown[];
      onlyB: unknown[];
      reordered: unknown[];
      resized: unknown[];
      cutOff: { name: string }[];
    }[];
  }[];
}

async function json(args: string[]): Promise<{ code: number; d: JsonDiff; err: string }> {
  const io = memoryIo({ cwd: ROOT });
  const code = await runCli(["diff", ...args, "--format", "json"], io);
  return { code, d: JSON.parse(io.out()) as JsonDiff, err: io.err() };
}

describe("devscope diff", () => {
  it("prints the side-by-side text diff of two real captures and exits 0", async () => {
    const io = memoryIo({ cwd: ROOT });
    expect(await runCli(["diff", AHCI, PIPE], io)).toBe(0);
    const out = io.out();
    expect(out).toContain(`A: ${AHCI}`);
    expect(out).toContain(`B: ${PIPE}`);
    expect(out).toContain("0000:00:1f.2  (same name)  score 0.66");
    expect(out).toContain(
      "A#0 (unbind) ↔ B#0 (unbind, starts before trace)  score 1.00  28 matched, 3 cut off",
    );
    expect(out).toContain("Devices only in B: 0000:00:08.0, mmc0:4567");
    expect(out).not.toContain("\u001b[");
    expect(io.err()).toBe("");
  });

  it("prints the documented JSON schema", async () => {
    const { code, d } = await json([AHCI, PIPE]);
    expect(code).toBe(0);
    expect(d.schema).toBe("devscope.diff/1");
    expect(d.a.paths).toEqual([AHCI]);
    expect(d.onlyB).toEqual(["0000:00:08.0", "mmc0:4567"]);
    const dev = d.devices[0];
    expect(dev).toMatchObject({ a: "0000:00:1f.2", b: "0000:00:1f.2", pairing: "name" });
    expect(Object.keys(dev?.epochs[0] ?? {})).toEqual(
      expect.arrayContaining([
        "a",
        "b",
        "score",
        "matched",
        "onlyA",
        "onlyB",
        "reordered",
        "resized",
      ]),
    );
    expect(dev?.epochs.map((e) => [e.a, e.b, e.score, e.matched])).toEqual([
      [0, 0, 1, 28],
      [1, 1, 1, 31],
      [2, null, 0, 0],
    ]);
    expect(dev?.epochs[0]?.cutOff.map((c) => c.name)).toEqual([
      "devm_kzalloc_release",
      "devm_pinctrl_release",
      "grp<",
    ]);
  });

  it("compares two binds of one trace with --map DEV#N=DEV#M", async () => {
    const { code, d } = await json([AHCI, AHCI, "--map", "0000:00:1f.2#0=0000:00:1f.2#2"]);
    expect(code).toBe(0);
    expect(d.devices[0]).toMatchObject({ pairing: "map", score: 1 });
    expect(d.devices[0]?.epochs.map((e) => [e.a, e.b, e.score, e.matched])).toEqual([
      [0, 2, 1, 31],
    ]);
  });

  it("joins the files of one boot with + and compares drmm lines too", async () => {
    const { code, d } = await json([CIRRUS, CIRRUS, "--map", "0000:00:06.0#0=0000:00:06.0#1"]);
    expect(code).toBe(0);
    expect(d.a.paths).toHaveLength(2);
    expect(d.devices[0]?.epochs[0]).toMatchObject({ score: 1, matched: 13 });
  });

  it("reads an analysis saved by devscope analyze --format json", async () => {
    const dir = mkdtempSync(join(tmpdir(), "devscope-diff-"));
    const saved = join(dir, "ahci.json");
    expect(
      await runCli(
        ["analyze", AHCI, "--format", "json", "--output", saved],
        memoryIo({ cwd: ROOT }),
      ),
    ).toBe(0);
    const { code, d } = await json([saved, AHCI]);
    expect(code).toBe(0);
    expect(d.score).toBe(1);
    const bad = join(dir, "bad.json");
    writeFileSync(
      bad,
      readFileSync(saved, "utf8").replace('"resources": [', '"resources": [{"device": 1},'),
    );
    const io = memoryIo({ cwd: ROOT });
    expect(await runCli(["diff", bad, AHCI], io)).toBe(2);
    expect(io.err()).toMatch(
      /trace A: .*bad\.json: resources\[0\] lacks device\/name\/size\/epoch\/list/,
    );
  });

  it("exits 1 with --fail-under when an epoch scores below it", async () => {
    expect(await runCli(["diff", AHCI, PIPE, "--fail-under", "0.9"], memoryIo({ cwd: ROOT }))).toBe(
      1,
    );
    expect(await runCli(["diff", AHCI, AHCI, "--fail-under", "1"], memoryIo({ cwd: ROOT }))).toBe(
      0,
    );
  });

  it("exits 2 with a clear message on usage and input errors", async () => {
    const run = async (args: string[]): Promise<[number, string]> => {
      const io = memoryIo({ cwd: ROOT });
      return [await runCli(["diff", ...args], io), io.err()];
    };
    expect(await run([AHCI, "nope.txt"])).toEqual([
      2,
      "devscope: trace B: nope.txt: no such file\n",
    ]);
    expect(await run([`${AHCI}+nope.txt`, AHCI])).toEqual([
      2,
      "devscope: trace A: nope.txt: no such file\n",
    ]);
    expect(await run([FIX, AHCI])).toEqual([2, `devscope: trace A: ${FIX}: not a regular file\n`]);
    const [c1, e1] = await run([AHCI, PIPE, "--map", "0000:00:1f.2=gpu0"]);
    expect(c1).toBe(2);
    expect(e1).toContain(
      '--map 0000:00:1f.2=gpu0: no device "gpu0" in B (B has: 0000:00:1f.2, 0:0:0:0, 0000:00:08.0, mmc0:4567)',
    );
    const [c2, e2] = await run([AHCI, PIPE, "--map", "nope=0000:00:08.0"]);
    expect(c2).toBe(2);
    expect(e2).toContain('no device "nope" in A');
    expect(await run([AHCI, PIPE, "--map", "novalue"])).toEqual([
      2,
      'devscope: --map "novalue": expected A=B (device of A = device of B, each optionally #epoch)\n',
    ]);
    const [c3, e3] = await run([AHCI, AHCI, "--map", "0000:00:1f.2#3=0000:00:1f.2"]);
    expect(c3).toBe(2);
    expect(e3).toContain('"0000:00:1f.2" of A has 3 epoch(s) (#0..#2)');
    const [c4, e4] = await run([AHCI]);
    expect(c4).toBe(2);
    expect(e4).toContain("missing required argument 'b'");
    const [c5, e5] = await run([AHCI, AHCI, "--fail-under", "2"]);
    expect(c5).toBe(2);
    expect(e5).toContain("expected a score between 0 and 1");
    const [c6, e6] = await run([AHCI, AHCI, "--format", "xml"]);
    expect(c6).toBe(2);
    expect(e6).toContain("Allowed choices are text, json");
    const [c7, e7] = await run([`${FIX}/trace-cmd-ahci-e1000.trace.dat`, AHCI]);
    expect(c7).toBe(2);
    expect(e7).toMatch(/^devscope: trace A: .*trace\.dat: binary trace-cmd data/);
  });
});
