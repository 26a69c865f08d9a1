import { ifDown, r8169Rig, traffic } from "./rigs.js";
import { MS, type Scenario } from "./scenario.js";
import { r8169Online, unbindStep } from "./script-steps.js";

export const nicManualFree: Scenario = {
  id: "nic-manual-free",
  title: "Manual kfree() of devm memory",
  device: "nic",
  driver: "sim-r8169 (kfreeDevm)",
  source: {
    kind: "commit",
    ref: "3fd976afe974",
    subject:
      "pinctrl: nuvoton: fix a double free in ma35_pinctrl_dt_node_to_map_func() (devm_kcalloc'ed map kfree'd by the generic free_map)",
  },
  expectedRules: ["double-release"],
  description:
    "The driver devm_kcalloc()s its RX statistics in probe and hands them to a path that kfree()s them in close(). The pointer is the payload " +
    "of a devres node, not the start of a slab object: KASAN reports an invalid free. devres still owns (and later frees) the node.",
  script(ctx) {
    const rig = r8169Rig(ctx, { kfreeDevm: true });
    const tp = r8169Online(ctx, rig);
    traffic(ctx, rig, tp, 6, 2);
    ctx.step("ip link set eth0 down");
    ifDown(ctx, tp);
    ctx.idle(MS);
    unbindStep(ctx, rig);
  },
};
