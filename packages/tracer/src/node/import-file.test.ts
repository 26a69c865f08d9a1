// importFile: worker-parallel parsing (plain and gzip) gives exactly the sequential result.
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { gunzipSync, gzipSync } from "node:zlib";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { importText } from "../import/importer.js";
import { accounted } from "../import/test-support.js";
import { importFile } from "./import-file.js";
import { workerScript } from "./worker-pool.js";

const pkg = fileURLToPath(new URL("../../", import.meta.url));
const fixture = (f: string): string =>
  fileURLToPath(new URL(`../../../../fixtures/real-traces/${f}`, import.meta.url));
let tmp = "";

beforeAll(() => {
  // The workers run the compiled parser: build it so they run this source. (Type errors
  // elsewhere in the package do not stop tsc from emitting; the comparisons below decide.)
  spawnSync(process.execPath, [join(pkg, "../../node_modules/typescript/bin/tsc"), "-b"], {
    cwd: pkg,
    stdio: "inherit",
  });
  tmp = mkdtempSync(join(tmpdir(), "devscope-import-"));
}, 120_000);
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe("importFile", () => {
  it("finds the compiled worker script", () => {
    expect(workerScript()).toMatch(/dist[/\\]node[/\\]parse-worker\.js$/);
  });

  for (const f of [
    "ahci-bind-unbind.ftrace.txt",
    "trace-cmd-ahci-e1000.trace-cmd-report.txt",
    "cirrus-drm-unbind.ftrace.txt",
  ]) {
    it(`${f}: 2 workers, small segments == one pass`, async () => {
      const seq = importText(readFileSync(fixture(f), "utf8"), { path: fixture(f) });
      seq.bytes = readFileSync(fixture(f)).length;
      const par = await importFile(fixture(f), { workers: 2, segmentBytes: 150_000 });
      expect(par).toEqual(seq);
    });
  }

  it("in-thread path (small file) == one pass, with progress", async () => {
    const f = fixture("bochs-drm-unbind.ftrace.txt");
    const seen: number[] = [];
    const r = await importFile(f, { onProgress: (n) => seen.push(n) });
    const seq = importText(readFileSync(f, "utf8"), { path: f });
    seq.bytes = r.bytes;
    expect(r).toEqual(seq);
    expect(seen[seen.length - 1]).toBe(r.bytes);
  });

  it("gzip with workers == gzip in thread == plain", async () => {
    const text = readFileSync(fixture("ahci-bind-unbind.ftrace.txt"));
    const gz = join(tmp, "ahci.txt.gz");
    writeFileSync(gz, gzipSync(text));
    const par = await importFile(gz, { workers: 2, segmentBytes: 200_000 });
    const one = await importFile(gz, { workers: 1 });
    expect(par.gzip).toBe(true);
    expect(par).toEqual(one);
    const seq = importText(text.toString("utf8"), { path: gz });
    expect(par.events).toEqual(seq.events);
    expect(par.lines).toEqual(seq.lines);
  });

  it("truncated gzip: error naming the file, decoded lines kept and accounted", async () => {
    const gzBytes = gzipSync(readFileSync(fixture("ahci-bind-unbind.ftrace.txt")));
    const gz = join(tmp, "cut.txt.gz");
    writeFileSync(gz, gzBytes.subarray(0, Math.floor(gzBytes.length / 2)));
    const r = await importFile(gz, { workers: 2, segmentBytes: 100_000 });
    expect(r.error).toMatch(
      new RegExp(
        `^${gz.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}: gzip data is truncated or corrupt`,
      ),
    );
    expect(r.lines.total).toBeGreaterThan(1000);
    expect(accounted(r.lines)).toBe(r.lines.total);
  });

  it("refuses trace.dat and binary files with a clear error", async () => {
    const dat = fixture("trace-cmd-ahci-e1000.trace.dat");
    expect((await importFile(dat)).error).toBe(
      `${dat}: binary trace-cmd data (trace.dat); run \`trace-cmd report -i ${dat} > ${dat}.txt\` and open that`,
    );
    const bin = join(tmp, "x.bin");
    writeFileSync(bin, Buffer.from([0, 1, 2, 3]));
    expect((await importFile(bin)).error).toMatch(/binary data \(NUL byte at offset 0\)/);
  });

  for (const keepKmem of ["linked", "evidence"] as const) {
    it(`ahci-bind-unbind: worker thread + this thread on 64 KiB chunks == one pass (keepKmem ${keepKmem})`, async () => {
      const f = fixture("ahci-bind-unbind.ftrace.txt");
      const seq = importText(readFileSync(f, "utf8"), { path: f, keepKmem });
      seq.bytes = readFileSync(f).length;
      expect(await importFile(f, { workers: 2, segmentBytes: 64 * 1024, keepKmem })).toEqual(seq);
    });
  }

  it("large-stress (185 MB unpacked): 2 threads == 1 thread == gzip, every line accounted", async () => {
    const gz = fixture("large-stress.ftrace.txt.gz");
    const plain = join(tmp, "large-stress.ftrace.txt");
    writeFileSync(plain, gunzipSync(readFileSync(gz)));
    for (const keepKmem of ["linked", "evidence"] as const) {
      const par = await importFile(plain, { workers: 2, keepKmem });
      expect(par.error).toBeUndefined();
      expect(par.lines.total).toBe(1187507);
      expect(accounted(par.lines)).toBe(par.lines.total);
      expect(par.events.filter((e) => e.kind === "devres")).toHaveLength(24079);
      const one = await importFile(plain, { workers: 1, keepKmem });
      expect(par).toEqual(one);
      const fromGz = await importFile(gz, { keepKmem });
      expect(fromGz.events).toEqual(one.events);
      expect(fromGz.lines).toEqual(one.lines);
    }
  }, 120_000);
});
