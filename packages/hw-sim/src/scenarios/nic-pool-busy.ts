import { e100Of, e100Up } from "../drivers/sim-e100.js";
import { e100Rig, traffic } from "./rigs.js";
import { MS, type Scenario } from "./scenario.js";
import { loadStep, unbindStep } from "./script-steps.js";

export const nicPoolBusy: Scenario = {
  id: "nic-pool-busy",
  title: "DMA pool destroyed with its command block still allocated (e100-style pool)",
  device: "nic",
  driver: "sim-e100 (leakCbBlock)",
  source: {
    kind: "reference",
    ref: "mm/dmapool.c :: dma_pool_destroy",
    subject:
      '"dma_pool_destroy %s, %p busy" — e100\'s cbs pool (drivers/net/ethernet/intel/e100.c) with e100_clean_cbs skipping dma_pool_free',
  },
  expectedRules: ["pool-busy"],
  description:
    "The e100-shaped driver keeps its command (TX) ring in one block of a DMA pool named after the interface. Its close path forgets " +
    "dma_pool_free(), so when the device is unbound with the interface up, remove()'s dma_pool_destroy() finds the block in use, says so and " +
    "leaks the pool page on purpose — the device might still DMA into it.",
  script(ctx) {
    const rig = e100Rig(ctx, { leakCbBlock: true });
    loadStep(ctx, rig);
    const nic = e100Of(rig.pdev);
    if (nic === null) throw new Error("scenario: sim-e100 did not bind");
    ctx.step("ip link set eth0 up");
    ctx.as(ctx.task("ip"), () => e100Up(nic));
    traffic(ctx, rig, null, 10, 0);
    unbindStep(ctx, rig, "interface up");
    ctx.idle(MS);
  },
};
