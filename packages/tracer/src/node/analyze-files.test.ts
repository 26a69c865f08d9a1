import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { gzipSync } from "node:zlib";
import { describe, expect, it } from "vitest";
import { analyzeFiles, InputFileError } from "./analyze-files.js";

const DIR = fileURLToPath(new URL("../../../../fixtures/real-traces/", import.meta.url));

describe("analyzeFiles", () => {
  it("analyses a gzip file like its text", async () => {
    const tmp = mkdtempSync(join(tmpdir(), "devscope-"));
    const gz = join(tmp, "e1000e.ftrace.txt.gz");
    writeFileSync(gz, gzipSync(readFileSync(`${DIR}e1000e-bind-unbind.ftrace.txt`)));
    const { analysis, imports } = await analyzeFiles([gz]);
    expect(imports[0]?.gzip).toBe(true);
    expect(analysis.inputs[0]).toMatchObject({ path: gz, gzip: true, lines: 7160 });
    expect(analysis.devices.find((d) => d.name === "0000:00:03.0")?.counts).toEqual({
      add: 8,
      rel: 4,
      rem: 4,
      replace: 0,
    });
    expect(analysis.findings).toEqual([]);
  });

  it("reports progress per file with the file's size", async () => {
    const seen: [number, number, number][] = [];
    const path = `${DIR}ahci-bind-unbind.ftrace.txt`;
    await analyzeFiles([path], { onProgress: (f, read, size) => seen.push([f, read, size]) });
    expect(seen.length).toBeGreaterThan(0);
    expect(seen[seen.length - 1]).toEqual([0, 2461725, 2461725]);
  });

  it("merges a trace with its dmesg", async () => {
    const { analysis } = await analyzeFiles([
      `${DIR}cirrus-drm-unbind.ftrace.txt`,
      `${DIR}cirrus-drm-unbind.dmesg.txt`,
    ]);
    expect(analysis.inputs.map((i) => i.format)).toEqual(["ftrace", "dmesg"]);
    expect(analysis.devices.find((d) => d.name === "0000:00:06.0")?.drm).toEqual({
      add: 14,
      rel: 14,
      del: 0,
      liveAtEnd: 0,
    });
  });

  it('keeps only the kmem events the analysis reads (keepKmem "evidence"), with the analysis of all of them', async () => {
    const path = `${DIR}ata-piix-probe-fail-on-ahci.ftrace.txt`;
    const auto = await analyzeFiles([path]);
    const all = await analyzeFiles([path], { keepKmem: "all" });
    const kmem = (r: (typeof auto.imports)[number]): number =>
      r.events.filter((e) => e.kind === "kmalloc" || e.kind === "kfree").length;
    expect(kmem(all.imports[0] as (typeof auto.imports)[number])).toBe(4478);
    expect(kmem(auto.imports[0] as (typeof auto.imports)[number])).toBeLessThan(200);
    const strip = (a: typeof auto.analysis): unknown => ({
      ...a,
      inputs: a.inputs.map(({ events: _events, ...rest }) => rest),
    });
    expect(strip(auto.analysis)).toEqual(strip(all.analysis));
  });

  it("refuses missing files and directories by name", async () => {
    await expect(analyzeFiles([join(DIR, "no-such.txt")])).rejects.toThrow(InputFileError);
    await expect(analyzeFiles([join(DIR, "no-such.txt")])).rejects.toThrow(
      /no-such\.txt: no such file/,
    );
    await expect(analyzeFiles([DIR])).rejects.toThrow(/is a directory/);
  });
});
