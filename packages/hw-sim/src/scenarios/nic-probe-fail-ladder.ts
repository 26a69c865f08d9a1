import { MS, type Scenario } from "./scenario.js";
import { e100Rig } from "./rigs.js";
import { loadStep } from "./script-steps.js";

export const nicProbeFailLadder: Scenario = {
  id: "nic-probe-fail-ladder",
  title: "Probe error path misses one rung of a manual error ladder",
  device: "nic",
  driver: "sim-e100 (ladderMissesRung)",
  source: {
    kind: "commit",
    ref: "4589075608420",
    subject:
      "e1000e: Fix an error handling path in 'e1000_probe()' (and igb fea03b1cebd6, igc c6bc9e5ce5d3, ixgbe dd2aefcd5e37, ...)",
  },
  expectedRules: ["probe-rollback-incomplete"],
  description:
    "The fully manual driver unwinds its probe with a label ladder. The EEPROM holds an invalid MAC, so probe fails naturally (as the real captures' " +
    "probe failures do, without failslab) — and that error path jumps one label too far, skipping the kfree() of the ring structs it allocated. " +
    "devres has nothing to release; the allocation from driver code stays.",
  script(ctx) {
    const rig = e100Rig(ctx, { ladderMissesRung: true }, { mac: [0, 0, 0, 0, 0, 0] });
    loadStep(ctx, rig, "EEPROM MAC all zeros");
    ctx.step(`after modprobe: ${rig.pdev.name} driver=${rig.pdev.driver?.name ?? "none"}`);
    ctx.idle(MS);
  },
};
