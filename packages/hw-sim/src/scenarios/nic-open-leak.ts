import { ifDown, ifUp, r8169Rig, rtl, traffic } from "./rigs.js";
import { MS, type Scenario } from "./scenario.js";
import { loadStep, unbindStep } from "./script-steps.js";

export const nicOpenLeak: Scenario = {
  id: "nic-open-leak",
  title: "devm allocation in open(): the devres list grows with every up/down until unbind",
  device: "nic",
  driver: "sim-r8169 (devmInOpen)",
  source: {
    kind: "commit",
    ref: "5fd188215d4e",
    subject: "ASoC: qcom: lpass-platform: fix memory leak (devm_kzalloc in the PCM open())",
  },
  expectedRules: ["growth-while-bound"],
  description:
    "ndo_open() devm_kzalloc()s a 4 KiB buffer on the PCI device each time the interface comes up, and close() never frees it: memory tied to " +
    "the device's lifetime, not the open. Four up/down cycles leave four nodes that only the unbind releases.",
  steps: { meaning: "up/down cycles", default: 4 },
  script(ctx) {
    const rig = r8169Rig(ctx, { devmInOpen: true });
    loadStep(ctx, rig);
    const tp = rtl(rig);
    for (let i = 0; i < ctx.steps; i++) {
      ctx.step(`cycle ${i + 1}/${ctx.steps}: ip link set eth0 up`);
      ifUp(ctx, tp);
      traffic(ctx, rig, tp, 4, 2);
      ctx.step(`cycle ${i + 1}/${ctx.steps}: ip link set eth0 down`);
      ifDown(ctx, tp);
      ctx.idle(60 * MS);
    }
    unbindStep(ctx, rig);
  },
};
