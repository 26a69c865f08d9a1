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
