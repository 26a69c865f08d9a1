// keepKmem "evidence" keeps a few kmem events and still gives exactly the analysis of keepKmem
// "all": on every real capture, and on captures with a planted driver-module leak (the case
// probe-rollback-incomplete reads kmem for), whole or cut into segments anywhere.
import { readFileSync } from "node:fs";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { analyzeImports } from "../analysis/analyze-imports.js";
import type { Analysis } from "../model/analysis.js";
import { ftraceLine, insertByTime, linesOf } from "../rules/fixtures/real-trace.js";
import { detectFromHead } from "./detect-format.js";
import { importText } from "./importer.js";
import { LineFeeder } from "./line-feeder.js";
import { finalizeImport } from "./segment-merge.js";
import { SegmentParser, type SegmentPartial } from "./segment-parser.js";
import type { ImportResult, KeepKmem } from "./types.js";

const dir = new URL("../../../../fixtures/real-traces/", import.meta.url);
const read = (f: string): string => readFileSync(new URL(f, dir), "utf8");

/** The analysis without the per-input event counts (they differ by design). */
function comparable(a: Analysis): Analysis {
  const c = structuredClone(a);
  for (const i of c.inputs) delete i.events;
  return c;
}

function analyze(texts: readonly string[], keepKmem: KeepKmem): Analysis {
  return analyzeImports(
    texts.map((t, i) => importText(t, { path: `in${i}.txt`, src: i, keepKmem })),
  );
}

const kmemCount = (r: ImportResult): number =>
  r.events.filter((e) => e.kind === "kmalloc" || e.kind === "kfree").length;

/** Parses `text` cut at the given line indices into segments and merges them. */
function importCut(text: string, cutLines: readonly number[], keepKmem: KeepKmem): ImportResult {
  const b = new TextEncoder().encode(text);
  const starts = [0];
  for (let i = 0; i < b.length; i++) if (b[i] === 10 && i + 1 < b.length) starts.push(i + 1);
  const bounds = [0, ...cutLines.map((l) => starts[l] as number), b.length];
  const format = detectFromHead(b, true);
  if (format === undefined) throw new Error("undetectable");
  const partials: SegmentPartial[] = [];
  for (let i = 0; i + 1 < bounds.length; i++) {
    const p = new SegmentParser({ format, keepKmem });
    const f = new LineFeeder(p);
    f.push(b.subarray(bounds[i], bounds[i + 1]));
    f.finish();
    partials.push(p.finish());
  }
  return finalizeImport(partials, { bytes: b.length, keepKmem });
}

const PIIX = read("ata-piix-probe-fail-on-ahci.ftrace.txt");
const kmallocLine = (task: string, pid: number, secs: number, site: string, ptr: string): string =>
  ftraceLine(
    task,
    pid,
    1,
    ".....",
    secs,
    "kmalloc",
    `call_site=${site} ptr=${ptr} bytes_req=512 bytes_alloc=512 gfp_flags=GFP_KERNEL node=-1 accounted=false`,
  );
const kfreeLine = (task: string, pid: number, secs: number, site: string, ptr: string): string =>
  ftraceLine(task, pid, 1, ".....", secs, "kfree", `call_site=${site} ptr=${ptr}`);

/** The failed ata_piix probe with planted kmem lines. */
function piixWith(...planted: string[]): string {
  const lines = linesOf(PIIX);
  for (const l of planted) insertByTime(lines, l);
  return `${lines.join("\n")}\n`;
}

describe('keepKmem "evidence"', () => {
  const captures: string[][] = [
    ["ahci-bind-unbind.ftrace.txt"],
    ["ata-piix-probe-fail-on-ahci.ftrace.txt"],
    ["bochs-drm-unbind.ftrace.txt"],
    ["cirrus-drm-unbind.ftrace.txt"],
    ["e1000e-bind-unbind.ftrace.txt"],
    ["boot-all-drivers.ftrace.txt"],
    ["trace-pipe-ahci-sdhci.trace_pipe.txt"],
    ["trace-cmd-ahci-e1000.trace-cmd-report.txt"],
    ["ahci-bind-unbind.ftrace.txt", "ahci-bind-unbind.dmesg.txt"],
    ["ata-piix-probe-fail-on-ahci.ftrace.txt", "ata-piix-probe-fail-on-ahci.dmesg.txt"],
    ["cirrus-drm-unbind.ftrace.txt", "cirrus-drm-unbind.dmesg.txt"],
  ];
  for (const files of captures) {
    it(`${files.join(" + ")}: same analysis as keepKmem "all"`, () => {
      const texts = files.map(read);
      expect(comparable(analyze(texts, "evidence"))).toEqual(comparable(analyze(texts, "all")));
    });
  }

  it("keeps a small fraction of the kmem events (ahci-bind-unbind: 15,507 of them)", () => {
    const all = importText(read("ahci-bind-unbind.ftrace.txt"), { keepKmem: "all" });
    const ev = importText(read("ahci-bind-unbind.ftrace.txt"), { keepKmem: "evidence" });
    expect(kmemCount(all)).toBe(15507);
    expect(kmemCount(ev)).toBeLessThan(1000);
    // Parsing and the line account do not depend on the mode.
    expect(ev.lines).toEqual(all.lines);
    expect(ev.events.filter((e) => e.kind === "devres")).toEqual(
      all.events.filter((e) => e.kind === "devres"),
    );
  });

  it("keeps a driver-module kmalloc the failed probe never freed: the rule fires as with all lines", () => {
    const text = piixWith(
      kmallocLine("init", 1, 4.8359, "piix_init_one+0x2b0/0x5b2 [ata_piix]", "00000000beef0001"),
    );
    const ev = importText(text, { keepKmem: "evidence" });
    const leak = ev.events.filter((e) => e.kind === "kmalloc" && e.ptr === "00000000beef0001");
    expect(leak).toHaveLength(1);
    expect(leak[0]).not.toHaveProperty("freedLater");
    const a = analyze([text], "evidence");
    expect(a.findings.map((f) => [f.rule, f.details?.["bytes"]])).toEqual([
      ["probe-rollback-incomplete", 512],
    ]);
    expect(comparable(a)).toEqual(comparable(analyze([text], "all")));
  });

  it("a module kmalloc freed by core-kernel code is not a leak (keepKmem module would report one)", () => {
    const text = piixWith(
      kmallocLine("init", 1, 4.8359, "piix_init_one+0x2b0/0x5b2 [ata_piix]", "00000000beef0001"),
      kfreeLine("init", 1, 4.836, "kvfree_call_rcu+0x10/0x40", "00000000beef0001"),
    );
    expect(analyze([text], "all").findings).toEqual([]);
    expect(analyze([text], "evidence").findings).toEqual([]);
    expect(
      importText(text, { keepKmem: "evidence" }).events.some(
        (e) => e.kind === "kmalloc" && e.ptr === "00000000beef0001",
      ),
    ).toBe(false);
  });

  it("a kept module kmalloc that a dropped line frees carries freedLater", () => {
    // The probing task (pid 1) shows another comm on the kmalloc: kept as comm-change evidence.
    // The kfree right after it, same comm, is dropped.
    const text = piixWith(
      kmallocLine(
        "modprobe",
        1,
        4.8359,
        "piix_init_one+0x2b0/0x5b2 [ata_piix]",
        "00000000beef0002",
      ),
      kfreeLine("modprobe", 1, 4.83591, "kfree_rcu_work+0x20/0x80", "00000000beef0002"),
    );
    const ev = importText(text, { keepKmem: "evidence" });
    const k = ev.events.filter(
      (e) => (e.kind === "kmalloc" || e.kind === "kfree") && e.ptr === "00000000beef0002",
    );
    expect(k).toEqual([expect.objectContaining({ kind: "kmalloc", pid: 1, freedLater: true })]);
    const a = analyze([text], "evidence");
    expect(a.findings.filter((f) => f.rule === "probe-rollback-incomplete")).toEqual([]);
    expect(comparable(a)).toEqual(comparable(analyze([text], "all")));
  });

  it("gives the same events however the input is cut into segments", () => {
    const text = piixWith(
      kmallocLine("init", 1, 4.8359, "piix_init_one+0x2b0/0x5b2 [ata_piix]", "00000000beef0001"),
      kmallocLine(
        "kworker/1:3",
        4242,
        4.8359,
        "piix_init_one+0x2b0/0x5b2 [ata_piix]",
        "00000000beef0002",
      ),
      kfreeLine("init", 1, 4.836, "kfree_rcu_work+0x20/0x80", "00000000beef0002"),
      kmallocLine("kworker/1:3", 4242, 5.1, "0xffffffffc0651234", "00000000beef0003"),
      kfreeLine("kworker/1:3", 4242, 5.2, "0xffffffffc0651299", "00000000beef0003"),
    );
    const whole = importText(text, { keepKmem: "evidence" });
    const n = linesOf(text).length;
    fc.assert(
      fc.property(
        fc.uniqueArray(fc.integer({ min: 1, max: n - 1 }), { minLength: 1, maxLength: 30 }),
        (picked) => {
          const cut = importCut(
            text,
            [...picked].sort((x, y) => x - y),
            "evidence",
          );
          expect(cut).toEqual(whole);
        },
      ),
      { numRuns: 40 },
    );
  });
});
