// Op-pointer recovery is general, not a lookup table: hide the ops of every real text capture
// behind made-up pointers and recover them, with and without kmalloc/kfree evidence.
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import type { DevresOp } from "../model/events.js";
import { importText } from "./importer.js";
import { opOfFreeSite, recoverOps, scoreAssignment, type OpEvidence } from "./op-recovery.js";
import { devresEvents } from "./test-support.js";

const dir = new URL("../../../../fixtures/real-traces/", import.meta.url);
const FAKE: Record<DevresOp, string> = {
  ADD: "ffffffffb8000001",
  REL: "ffffffffb8000002",
  REM: "ffffffffb8000003",
  REPLACE: "ffffffffb8000004",
};

function hidden(
  file: string,
  evidence: boolean,
): { items: OpEvidence[]; truth: Map<string, DevresOp> } {
  const r = importText(readFileSync(new URL(file, dir), "utf8"));
  const dv = devresEvents(r.events);
  const truth = new Map<string, DevresOp>();
  const items = dv.map((e) => {
    truth.set(FAKE[e.op], e.op);
    const it: OpEvidence = {
      dev: e.dev,
      node: e.node,
      opAddr: FAKE[e.op],
      hasAlloc: evidence && e.allocSite !== undefined,
      hasFree: evidence && e.freeSite !== undefined,
    };
    if (evidence && e.freeSite !== undefined) it.freeSite = e.freeSite;
    return it;
  });
  return { items, truth };
}

describe("recoverOps", () => {
  // [capture, has kmem events]
  const files = [
    ["ahci-bind-unbind.ftrace.txt", true],
    ["ata-piix-probe-fail-on-ahci.ftrace.txt", true],
    ["bochs-drm-unbind.ftrace.txt", true],
    ["cirrus-drm-unbind.ftrace.txt", true],
    ["e1000e-bind-unbind.ftrace.txt", true],
    ["boot-all-drivers.ftrace.txt", false],
    ["trace-pipe-ahci-sdhci.trace_pipe.txt", false],
  ] as const;
  for (const [f, kmem] of files) {
    it(`${f}: exact with kmalloc/kfree evidence${kmem ? "" : " (none traced)"}; never confidently wrong without`, () => {
      const withEv = hidden(f, true);
      const rec = recoverOps(withEv.items);
      if (kmem) {
        expect(rec.mapping).toEqual(withEv.truth);
        expect(rec.ambiguous).toBe(false);
      } else if (!rec.ambiguous) expect(rec.mapping).toEqual(withEv.truth);
      const bare = hidden(f, false);
      const r2 = recoverOps(bare.items);
      if (!r2.ambiguous) expect(r2.mapping).toEqual(bare.truth);
      expect(r2.unassignable).toEqual([]);
    });
  }

  it("replay alone settles a capture with release bursts and group removals", () => {
    for (const f of ["ahci-bind-unbind.ftrace.txt", "cirrus-drm-unbind.ftrace.txt"]) {
      const { items, truth } = hidden(f, false);
      const rec = recoverOps(items);
      expect(rec.mapping).toEqual(truth);
      expect(rec.ambiguous).toBe(false);
    }
  });

  it("an unbind-only burst is read as REL from its kfree call sites", () => {
    const items: OpEvidence[] = Array.from({ length: 20 }, (_, i) => ({
      dev: "0000:00:1f.2",
      node: `n${20 - i}`,
      opAddr: "p1",
      hasAlloc: false,
      hasFree: true,
      freeSite: "release_nodes+0x4b",
    }));
    items.push(
      { dev: "x", node: "a", opAddr: "p2", hasAlloc: true, hasFree: false },
      { dev: "x", node: "b", opAddr: "p2", hasAlloc: true, hasFree: false },
      {
        dev: "x",
        node: "b",
        opAddr: "p3",
        hasAlloc: false,
        hasFree: true,
        freeSite: "devres_release+0x39/0x60",
      },
    );
    const rec = recoverOps(items);
    expect(Object.fromEntries(rec.mapping)).toEqual({ p1: "REL", p2: "ADD", p3: "REM" });
    expect(rec.ambiguous).toBe(false);
  });

  it("opOfFreeSite", () => {
    expect(opOfFreeSite("release_nodes+0x4b")).toBe("REL");
    expect(opOfFreeSite("release_nodes.isra.0+0x4b/0x90")).toBe("REL");
    expect(opOfFreeSite("devres_release+0x39/0x60")).toBe("REM");
    expect(opOfFreeSite("devm_kfree+0x3c/0x60")).toBe("REM");
    expect(opOfFreeSite("devm_krealloc+0x1/0x2")).toBe("REPLACE");
    expect(opOfFreeSite("kobject_put+0x1/0x2")).toBeUndefined();
  });

  it("flags a symmetric case as ambiguous", () => {
    const items: OpEvidence[] = [
      { dev: "d", node: "a", opAddr: "p1", hasAlloc: false, hasFree: false },
      { dev: "d", node: "a", opAddr: "p2", hasAlloc: false, hasFree: false },
    ];
    expect(recoverOps(items).ambiguous).toBe(true);
  });

  it("scores the true mapping of ahci-bind-unbind well above any other", () => {
    const { items, truth } = hidden("ahci-bind-unbind.ftrace.txt", false);
    const swapped = new Map(truth);
    swapped.set(FAKE.REL, "REM");
    swapped.set(FAKE.REM, "REL");
    expect(scoreAssignment(items, truth)).toBeGreaterThan(scoreAssignment(items, swapped) + 20);
  });
});
