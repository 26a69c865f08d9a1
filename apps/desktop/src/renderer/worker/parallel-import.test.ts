import ahciText from "../../../../../fixtures/real-traces/ahci-bind-unbind.ftrace.txt?raw";
import tcText from "../../../../../fixtures/real-traces/trace-cmd-ahci-e1000.trace-cmd-report.txt?raw";
import { importText } from "@devscope/tracer";
import { describe, expect, it } from "vitest";
import { must } from "../../shared/must.ts";
import { Engine } from "./engine.ts";
import { importParallel } from "./parallel-import.ts";
import { inProcessRunner } from "./segment-parse.ts";

const enc = new TextEncoder();

async function parallel(text: string, name: string) {
  const bytes = enc.encode(text);
  const ac = new AbortController();
  let seen = 0;
  const out = await importParallel(
    { name, size: bytes.length, blob: new Blob([bytes]) },
    inProcessRunner,
    {
      src: 0,
      keepKmem: "linked",
      signal: ac.signal,
      onBytes: (n) => (seen = n),
      minBytes: 1,
    },
  );
  return { out: must(out), seen, bytes };
}

describe("parallel import (two segments, tracer merge)", () => {
  it("gives the sequential importer's result on a real capture", async () => {
    const { out, seen, bytes } = await parallel(ahciText, "ahci.ftrace.txt");
    const seq = importText(ahciText, { path: "ahci.ftrace.txt", src: 0, keepKmem: "linked" });
    expect(out.result.lines).toEqual(seq.lines);
    expect(out.result.events).toEqual(seq.events);
    expect(out.result.format).toBe(seq.format);
    expect(seen).toBe(bytes.length);
    expect(out.index.totalLines).toBe(15746);
    expect(out.index.parts).toHaveLength(2);
  });

  it("recovers trace-cmd op pointers over both halves", async () => {
    const { out } = await parallel(tcText, "tc.txt");
    const seq = importText(tcText, { path: "tc.txt", src: 0, keepKmem: "linked" });
    expect(out.result.meta.opRecovery).toEqual(seq.meta.opRecovery);
    expect(out.result.events).toEqual(seq.events);
  });

  it("declines inputs it cannot split (small, binary, gzip)", async () => {
    const sig = new AbortController().signal;
    const opts = { src: 0, keepKmem: "linked" as const, signal: sig, onBytes: () => undefined };
    const small = enc.encode("# tracer: nop\n");
    expect(
      await importParallel(
        { name: "s", size: small.length, blob: new Blob([small]) },
        inProcessRunner,
        opts,
      ),
    ).toBeNull();
    const bin = new Uint8Array([0x17, 0x08, 0x44, 0x74, 0x72, 0x61, 0x63, 0x69, 0x6e, 0x67, 0, 0]);
    expect(
      await importParallel(
        { name: "b", size: bin.length, blob: new Blob([bin]) },
        inProcessRunner,
        { ...opts, minBytes: 1 },
      ),
    ).toBeNull();
    const gz = new Uint8Array([0x1f, 0x8b, 8, 0, 0, 0, 0, 0]);
    expect(
      await importParallel({ name: "g", size: gz.length, blob: new Blob([gz]) }, inProcessRunner, {
        ...opts,
        minBytes: 1,
      }),
    ).toBeNull();
  });

  it("the engine reads source lines of both halves back through the joined index", async () => {
    const engine = new Engine(inProcessRunner, 1);
    const bytes = enc.encode(ahciText);
    const t = await engine.importSources(
      [{ name: "ahci.ftrace.txt", size: bytes.length, blob: new Blob([bytes]) }],
      "file",
      () => undefined,
    );
    const dev = must(t.analysis.devices.find((d) => d.name === "0000:00:1f.2"));
    expect(dev.counts).toEqual({ add: 93, rel: 84, rem: 9, replace: 0 });
    const all = ahciText.split("\n");
    for (const line of [1, 7000, 7873, 7874, 15746]) {
      expect(await engine.sourceLines(0, line, line)).toEqual([{ line, text: all[line - 1] }]);
    }
  });
});
