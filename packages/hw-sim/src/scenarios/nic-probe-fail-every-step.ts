import { countAcquisitions, failAcquisition } from "../faults/probe-faults.js";
import { ifUp, r8169Rig, rtl, traffic } from "./rigs.js";
import { MS, type Scenario } from "./scenario.js";

export const nicProbeFailEveryStep: Scenario = {
  id: "nic-probe-fail-every-step",
  title: "Fail the k-th acquisition of the managed probe, for every k: every rollback is clean",
  device: "nic",
  driver: "sim-r8169",
  source: {
    kind: "reference",
    ref: "failslab / fail_page_alloc (Documentation/fault-injection)",
    subject:
      "numbered allocation failures, which the captured Debian kernel cannot do (CONFIG_FAILSLAB unset)",
  },
  expectedRules: [],
  description:
    "A dry run numbers every acquisition the probe makes (slab, pages, DMA, ioremap, IRQ). Then the device is bound once per number k with the " +
    "k-th acquisition failing: each failed probe returns an error and really_probe() rolls back through devres_release_all(), releasing exactly " +
    "the nodes added so far, newest first. Finally a clean bind, traffic and unbind. A managed driver leaves nothing behind at any k.",
  steps: {
    meaning: "failure points tried (default: every acquisition of the probe)",
    default: 1000,
  },
  script(ctx) {
    const rig = r8169Rig(ctx);
    const name = rig.pdev.name;
    ctx.step("modprobe sim_r8169 (dry run numbering the probe's acquisitions)");
    const { count } = countAcquisitions(ctx.k, () => ctx.modprobe(rig.drv));
    ctx.step(`probe made ${count} acquisitions`);
    ctx.unbind(rig.pdev, "sim-r8169");
    const last = Math.min(count, ctx.steps);
    for (let n = 1; n <= last; n++) {
      ctx.step(`bind ${name} with acquisition ${n}/${count} failing`);
      const { result } = failAcquisition(ctx.k, n, () => ctx.bind(rig.pdev, "sim-r8169"));
      ctx.step(`bind returned ${result}: driver=${rig.pdev.driver?.name ?? "none"}`);
      if (rig.pdev.driver !== null) ctx.unbind(rig.pdev, "sim-r8169");
      ctx.idle(MS);
    }
    ctx.step(`bind ${name} (no failure)`);
    ctx.bind(rig.pdev, "sim-r8169");
    const tp = rtl(rig);
    ifUp(ctx, tp);
    traffic(ctx, rig, tp, 6, 2);
    ctx.step(`unbind ${name}`);
    ctx.unbind(rig.pdev, "sim-r8169");
  },
};
