import { ifUp, r8169Rig, rtl, traffic } from "./rigs.js";
import { MS, type Scenario } from "./scenario.js";
import { loadStep } from "./script-steps.js";

export const soak: Scenario = {
  id: "soak",
  title:
    "N bind/unbind cycles with traffic — the devres, DMA and memory state returns to baseline every cycle",
  device: "nic",
  driver: "sim-r8169",
  source: {
    kind: "reference",
    ref: "fixtures/real-traces large-stress",
    subject: "200 unbind/bind cycles of 7 real devices: a constant live set, no accumulation",
  },
  expectedRules: [],
  description:
    "The managed NIC driver is bound, brought up, moves frames and is unbound with the interface up, N times. Each cycle releases exactly what " +
    "it acquired: no devres node, DMA mapping, IRQ action or region survives an unbind.",
  steps: { meaning: "bind/unbind cycles", default: 20 },
  script(ctx) {
    const rig = r8169Rig(ctx);
    loadStep(ctx, rig);
    for (let i = 0; i < ctx.steps; i++) {
      if (i > 0) {
        ctx.step(`cycle ${i + 1}/${ctx.steps}: bind ${rig.pdev.name}`);
        ctx.bind(rig.pdev, "sim-r8169");
      }
      const tp = rtl(rig);
      ifUp(ctx, tp);
      traffic(ctx, rig, tp, 4, 2);
      ctx.step(`cycle ${i + 1}/${ctx.steps}: unbind ${rig.pdev.name}`);
      ctx.unbind(rig.pdev, "sim-r8169");
      ctx.idle(MS);
    }
  },
};
