import { ifDown, ifUp, r8169Rig, rtl, traffic } from "./rigs.js";
import { MS, type Scenario } from "./scenario.js";
import { bindStep, loadStep, rmmodStep, unbindStep } from "./script-steps.js";

export const groupLeftOpen: Scenario = {
  id: "group-left-open",
  title: "A devres group opened in probe is never closed or removed",
  device: "nic",
  driver: "sim-r8169 (leaveGroupOpen)",
  source: {
    kind: "reference",
    ref: "drivers/base/devres.c :: devres_open_group, devres_close_group, devres_remove_group",
    subject:
      "an open group absorbs every later devm allocation of the device (cf. the ata_host_alloc group that libata removes)",
  },
  expectedRules: ["group-left-open"],
  description:
    "The MDIO setup opens a devres group to scope its resources and never closes or removes it. The group stays open past the probe, so it " +
    "silently owns every devm allocation that follows, and a later devres_release_group(dev, NULL) would take them all.",
  script(ctx) {
    const rig = r8169Rig(ctx, { leaveGroupOpen: true });
    loadStep(ctx, rig);
    ctx.step(`after bind ${rig.pdev.name}: driver=${rig.pdev.driver?.name ?? "none"}`);
    const tp = rtl(rig);
    ctx.step("ip link set eth0 up");
    ifUp(ctx, tp);
    traffic(ctx, rig, tp, 4, 2);
    ifDown(ctx, tp);
    ctx.idle(MS);
    unbindStep(ctx, rig);
    bindStep(ctx, rig);
    ctx.idle(MS);
    rmmodStep(ctx, rig);
  },
};
