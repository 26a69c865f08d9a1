import ahciText from "../../../../../fixtures/real-traces/ahci-bind-unbind.ftrace.txt?raw";
import cirrusDmesg from "../../../../../fixtures/real-traces/cirrus-drm-unbind.dmesg.txt?raw";
import cirrusText from "../../../../../fixtures/real-traces/cirrus-drm-unbind.ftrace.txt?raw";
import pipeText from "../../../../../fixtures/real-traces/trace-pipe-ahci-sdhci.trace_pipe.txt?raw";
import { describe, expect, it } from "vitest";
import { must } from "../../shared/must.ts";
import { Engine } from "../worker/engine.ts";
import type { SourceSpec } from "../worker/engine-types.ts";

// The worker's compare driven directly (no Worker): real captures in, diff out.
const spec = (name: string, text: string): SourceSpec => {
  const blob = new Blob([text]);
  return { name, size: blob.size, blob };
};

describe("Engine.compare", () => {
  it("diffs two real captures by resource identity and keeps the open trace's sources", async () => {
    const engine = new Engine();
    await engine.importSources([spec("pipe.txt", pipeText)], "file", () => {});
    const first = await engine.sourceLines(0, 1, 1);
    const r = await engine.compare(
      { kind: "sources", sources: [spec("ahci.txt", ahciText)] },
      { kind: "sources", sources: [spec("pipe.txt", pipeText)] },
      { map: [], autoPair: false },
      () => {},
    );
    expect(r.a.title).toBe("ahci.txt");
    expect(r.b.title).toBe("pipe.txt");
    expect(r.diff.schema).toBe("devscope.diff/1");
    const dev = must(r.diff.devices.find((d) => d.a === "0000:00:1f.2"));
    expect(dev.epochs.map((e) => [e.a, e.b, e.score])).toEqual([
      [0, 0, 1],
      [1, 1, 1],
      [2, null, 0],
    ]);
    expect(r.diff.onlyB).toEqual(["0000:00:08.0", "mmc0:4567"]);
    // The open trace's lines are still the ones the details view reads.
    expect(await engine.sourceLines(0, 1, 1)).toEqual(first);
  });

  it("compares an analysis the page already has, files of one boot, and epoch mappings", async () => {
    const engine = new Engine();
    const t = await engine.importSources(
      [spec("cirrus.ftrace.txt", cirrusText), spec("cirrus.dmesg.txt", cirrusDmesg)],
      "file",
      () => {},
    );
    const r = await engine.compare(
      { kind: "analysis", title: t.title, origin: "file", analysis: t.analysis },
      {
        kind: "sources",
        sources: [spec("cirrus.ftrace.txt", cirrusText), spec("cirrus.dmesg.txt", cirrusDmesg)],
      },
      { map: [{ a: "0000:00:06.0#0", b: "0000:00:06.0#1" }], autoPair: false },
      () => {},
    );
    const e = must(r.diff.devices[0]?.epochs[0]);
    expect(e).toMatchObject({ a: 0, b: 1, score: 1, matched: 13 });
    expect(e.rows.filter((x) => x.list === "drmm")).toHaveLength(7);
  });

  it("rejects a mapping to a device that does not exist", async () => {
    const engine = new Engine();
    await expect(
      engine.compare(
        { kind: "sources", sources: [spec("ahci.txt", ahciText)] },
        { kind: "sources", sources: [spec("pipe.txt", pipeText)] },
        { map: [{ a: "0000:00:1f.2", b: "gpu0" }], autoPair: false },
        () => {},
      ),
    ).rejects.toThrow(/no device "gpu0" in B/);
  });
});
