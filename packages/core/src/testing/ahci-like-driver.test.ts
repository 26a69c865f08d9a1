import { describe, expect, it } from "vitest";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { analyzeImports, importText, type Analysis } from "@devscope/tracer";
import { runAhciBindUnbind } from "./ahci-scenario.js";

const REAL = join(__dirname, "../../../../fixtures/real-traces/ahci-bind-unbind.ftrace.txt");

/**
 * Per device and epoch: ADD/REL/REM counts and the multiset of (end, name, size). Names of an
 * unloaded module print as their address (`0xffffffffc0642715`); addresses differ between
 * kernels, so each side numbers them in order of first appearance.
 */
function epochSignature(
  a: Analysis,
): Record<string, { add: number; rel: number; rem: number; names: string[] }> {
  const gone = new Map<string, string>();
  const out: Record<string, { add: number; rel: number; rem: number; names: string[] }> = {};
  for (const r of a.resources) {
    let name = r.name;
    if (/^0x[0-9a-f]+$/.test(name)) {
      if (!gone.has(name)) gone.set(name, `<module-name-${gone.size + 1}>`);
      name = gone.get(name) as string;
    }
    const key = `${r.device} epoch ${r.epoch}`;
    const s = (out[key] ??= { add: 0, rel: 0, rem: 0, names: [] });
    s.add++;
    if (r.end === "released") s.rel++;
    if (r.end === "removed") s.rem++;
    s.names.push(`${r.end} ${name} (${r.size})`);
  }
  for (const s of Object.values(out)) s.names.sort();
  return out;
}

describe("ahci-like driver vs the real ahci-bind-unbind capture", () => {
  const real = analyzeImports([importText(readFileSync(REAL, "utf8"), { path: "real" })]);
  const k = runAhciBindUnbind({ seed: 1 });
  const simText = k.traceText();
  const sim = analyzeImports([importText(simText, { path: "sim" })]);

  it("imports cleanly", () => {
    expect(importText(simText, { path: "sim" }).lines.rejected).toBe(0);
  });

  it("has the same devices, epochs and end kinds", () => {
    const shape = (a: Analysis): string[] =>
      a.devices
        .map(
          (d) =>
            `${d.name}: ${d.epochs.map((e) => e.end).join(",")} add=${d.counts.add} rel=${d.counts.rel} rem=${d.counts.rem} live=${d.liveAtEnd}`,
        )
        .sort();
    expect(shape(sim)).toEqual(shape(real));
  });

  it("has the same per-epoch ADD/REL/REM counts and names", () => {
    expect(epochSignature(sim)).toEqual(epochSignature(real));
  });

  it("releases each unbind in exact reverse order of the ADDs", () => {
    for (const d of sim.devices.filter((x) => x.name === "0000:00:1f.2")) {
      for (const e of d.epochs) expect(e.releaseOrderOk ?? true).toBe(true);
    }
  });

  it("finds nothing wrong in a correct driver", () => {
    expect(sim.findings.filter((f) => f.severity === "error")).toEqual([]);
  });
});
