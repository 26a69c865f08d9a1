import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { importText, type TraceEvent } from "@devscope/tracer";
import { runScenario } from "../scenarios/registry.js";

const REAL = fileURLToPath(
  new URL("../../../../fixtures/real-traces/cirrus-drm-unbind.ftrace.txt", import.meta.url),
);
const DEV = "0000:00:06.0";

/**
 * The device's devres and drm managed-resource lines, in trace order, as `list OP name (size)`
 * (plus the drmres release begin/end brackets): what "node for node" compares.
 */
function sequence(events: readonly TraceEvent[]): string[] {
  const out: string[] = [];
  for (const e of events) {
    if (e.kind === "devres" && e.dev === DEV && e.via === undefined)
      out.push(`devres ${e.op} ${e.name} (${e.size})`);
    else if (e.kind === "drmres" && e.via === "console")
      out.push(`drmm ${e.op} ${e.name} (${e.size})`);
    else if (e.kind === "drmres_release" && e.via === "console")
      out.push(`drmm release ${e.phase}`);
  }
  return out;
}

/** The capture's guest script (`modprobe cirrus; unbind; bind; rmmod cirrus`) against sim-drm: the registered scenario. */
function simulate(seed: number): TraceEvent[] {
  return importText(runScenario("gpu-cirrus-capture", { seed }).ftrace(), { keepKmem: "none" })
    .events;
}

describe("sim-drm against the real cirrus capture (6.1)", () => {
  const real = sequence(importText(readFileSync(REAL, "utf8"), { keepKmem: "none" }).events);
  const sim = sequence(simulate(1));

  it("the capture has what the comparison needs", () => {
    expect(real.filter((l) => l.startsWith("devres ADD"))).toHaveLength(12);
    expect(real.filter((l) => l.startsWith("drmm REL"))).toHaveLength(14);
  });

  it("probe, unbind, rebind and rmmod match node for node: devres and drmm names, sizes and order", () => {
    expect(sim).toEqual(real);
    // Seeds move addresses and timing, never the sequence.
    expect(sequence(simulate(7))).toEqual(real);
  });

  it("the drmm release is nested inside the devres release of the devm_drm_dev_init_release action", () => {
    const action = sim.indexOf("devres REL devm_action_release (16)");
    expect(sim[action + 1]).toBe("drmm release begin");
    const end = sim.indexOf("drmm release end", action);
    expect(sim[end + 1]).toBe("devres REL pcim_release (8)");
  });
});
