import { describe, expect, it } from "vitest";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { importText } from "../import/index.js";
import type { TraceEvent } from "../model/events.js";
import { ftraceContext, ftraceLine, writeFtrace } from "./ftrace-writer.js";

const REAL = join(__dirname, "../../../../fixtures/real-traces");
const FTRACE = [
  "ahci-bind-unbind",
  "ata-piix-probe-fail-on-ahci",
  "bochs-drm-unbind",
  "boot-all-drivers",
  "cirrus-drm-unbind",
  "e1000e-bind-unbind",
];

/** First differing line of two texts, for a readable failure. */
function firstDiff(a: string, b: string): string {
  const x = a.split("\n");
  const y = b.split("\n");
  for (let i = 0; i < Math.max(x.length, y.length); i++)
    if (x[i] !== y[i])
      return `line ${i + 1}:\n  real: ${JSON.stringify(x[i])}\n  ours: ${JSON.stringify(y[i])}`;
  return "";
}

describe("writeFtrace reproduces real captures byte for byte (import, write back, compare)", () => {
  for (const name of FTRACE) {
    it(`${name}.ftrace.txt`, () => {
      const text = readFileSync(join(REAL, `${name}.ftrace.txt`), "utf8");
      const r = importText(text, { path: name, keepKmem: "all" });
      expect(r.lines.rejected).toBe(0);
      const out = writeFtrace(r.events, {
        entriesInBuffer: r.meta.entriesInBuffer ?? 0,
        entriesWritten: r.meta.entriesWritten ?? 0,
        cpus: r.meta.cpus ?? 1,
      });
      expect(out.skipped).toEqual({});
      expect(firstDiff(text, out.text)).toBe("");
      expect(out.text).toBe(text);
    });
  }

  it("trace_pipe (no header)", () => {
    const text = readFileSync(join(REAL, "trace-pipe-ahci-sdhci.trace_pipe.txt"), "utf8");
    const r = importText(text, { path: "pipe", keepKmem: "all" });
    const out = writeFtrace(r.events, { header: false });
    expect(firstDiff(text, out.text)).toBe("");
  });
});

describe("ftrace line layout (kernel/trace/trace_output.c :: trace_print_context)", () => {
  const base = { ts: 3_798_355_123, line: 0, cpu: 0, task: "modprobe", pid: 120, flags: "d..1." };

  it("pads comm to 16, pid to 7, cpu to 3 digits, seconds to 5 and cuts to microseconds", () => {
    expect(ftraceContext(base as TraceEvent)).toBe(
      "        modprobe-120     [000] d..1.     3.798355: ",
    );
    expect(
      ftraceContext({
        ...base,
        task: "kworker/u4:5",
        pid: 136,
        cpu: 1,
        ts: 12_000_001_999,
      } as TraceEvent),
    ).toBe("    kworker/u4:5-136     [001] d..1.    12.000001: ");
  });

  it("prints REPLACE in full and the 3-letter ops at %3s", () => {
    const ev: TraceEvent = {
      ...base,
      kind: "devres",
      dev: "0000:00:1f.2",
      op: "REPLACE",
      node: "000000005c728a70",
      name: "(null)",
      nameForm: "null",
      size: 0,
    };
    expect(ftraceLine(ev)).toBe(
      "        modprobe-120     [000] d..1.     3.798355: devres_log: 0000:00:1f.2 REPLACE 000000005c728a70 (null) (0 bytes)",
    );
  });

  it("prints module names through the unsafe-string path, with and without the module", () => {
    const ev: TraceEvent = {
      ...base,
      kind: "devres",
      dev: "0000:00:1f.2",
      op: "ADD",
      node: "000000007acb401e",
      name: "ata_devres_release",
      nameForm: "module",
      nameAddr: "0xffffffffc0642715",
      size: 0,
    };
    expect(ftraceLine(ev)).toContain(
      "ADD 000000007acb401e (0xffffffffc0642715:ata_devres_release)[UNSAFE-MEMORY] (0 bytes)",
    );
    expect(ftraceLine({ ...ev, nameForm: "module-gone", name: "0xffffffffc0642715" })).toContain(
      "ADD 000000007acb401e (0xffffffffc0642715)[UNSAFE-MEMORY] (0 bytes)",
    );
  });

  it("counts events that have no trace form instead of dropping them silently", () => {
    const out = writeFtrace([{ kind: "log", text: "hello", ts: 1, line: 0, via: "dmesg" }]);
    expect(out.skipped).toEqual({ log: 1 });
    expect(out.lines).toBe(0);
  });
});
