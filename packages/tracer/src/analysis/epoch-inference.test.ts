import { describe, expect, it } from "vitest";
import { buildModel } from "./analyze-events.js";
import { probeStart, trace } from "./fixtures/trace-dsl.js";

const epochsOf = (text: string, dev = "d0") =>
  buildModel(trace(text)).devices.get(dev)?.epochs ?? [];

describe("epoch end inference", () => {
  it("takes the kernel's probe_failed line over structure, and keeps the retry apart", () => {
    const epochs = epochsOf(`${probeStart(1, "kworker/0:1-5", "d0", 1)}
1.1 kworker/0:1-5 devres d0 ADD a pcim_release 8
1.2 kworker/0:1-5 devres d0 REL a pcim_release 8
1.3 - probe_failed mydrv d0 -12
${probeStart(2, "kworker/0:2-6", "d0", 2)}
2.1 kworker/0:2-6 devres d0 ADD b pcim_release 8
2.2 kworker/0:2-6 log d0 mydrv ready`);
    expect(epochs.map((e) => [e.end, e.errno, e.driver])).toEqual([
      ["probe-failed", -12, "mydrv"],
      ["bound-at-end", undefined, "mydrv"],
    ]);
    expect(epochs[0]?.endEvidence).toContain("probe of d0 failed with error -12");
  });

  it("shows a probe that failed without any devres activity as its own epoch", () => {
    // e1000e-style: the device never logged a devres node; the kernel's line is all there is.
    const quiet = epochsOf(`1.0 - probe_failed e1000e d9 -5`, "d9");
    expect(
      quiet.map((e) => [e.end, e.errno, e.driver, e.start_ns, e.end_ns, e.endNotLogged]),
    ).toEqual([["probe-failed", -5, "e1000e", 1_000_000_000, 1_000_000_000, true]]);
    expect(quiet[0]?.startEvidence).toContain("no devres activity");
    // A device that was bound and unbound long before, then fails a later probe silently.
    const later = epochsOf(`${probeStart(1, "modprobe-7", "d0", 1)}
1.1 modprobe-7 devres d0 ADD a pcim_release 8
2.0 rmmod-9 devres d0 REL a pcim_release 8
9.0 - probe_failed other d0 -22`);
    expect(later.map((e) => [e.index, e.end, e.errno])).toEqual([
      [0, "unbind", undefined],
      [1, "probe-failed", -22],
    ]);
  });

  it("calls an rmmod (another task) an unbind", () => {
    const [e] = epochsOf(`${probeStart(1, "modprobe-7", "d0", 1)}
1.1 modprobe-7 devres d0 ADD a pcim_release 8
5.0 rmmod-9 devres d0 REL a pcim_release 8`);
    expect(e?.end).toBe("unbind");
    expect(e?.endEvidence).toContain("rmmod-9");
  });

  it("says when the failed-probe inference rests on no user-space evidence at all", () => {
    const [e] = epochsOf(`${probeStart(1, "sh-7", "d0", 1)}
1.1 sh-7 devres d0 ADD a pcim_release 8
1.2 sh-7 devres d0 REL a pcim_release 8`);
    expect(e?.end).toBe("probe-failed");
    expect(e?.endEvidence).toContain("weak evidence");
  });

  it("names the driver from the module the probing task loaded right before", () => {
    const [e] = epochsOf(`1.0 modprobe-7 module load ahci
${probeStart(1.1, "modprobe-7", "d0", 1)}`);
    expect(e?.driver).toBe("ahci");
  });
});
