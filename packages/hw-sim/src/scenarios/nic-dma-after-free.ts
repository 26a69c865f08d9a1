import { ifDown, r8169Rig, traffic } from "./rigs.js";
import { MS, US, type Scenario } from "./scenario.js";
import { r8169Online, unbindStep } from "./script-steps.js";

export const nicDmaAfterFree: Scenario = {
  id: "nic-dma-after-free",
  title: "Interface down with WoL: the NIC keeps DMA-ing into rings and buffers close() freed",
  device: "nic",
  driver: "sim-r8169 (keepDmaOnClose)",
  source: {
    kind: "commit",
    ref: "f658b90977d2",
    subject: "r8169: fix DMA being used after buffer free if WoL is enabled",
  },
  expectedRules: ["dma-fault"],
  description:
    "With Wake-on-LAN armed, rtl8169_close() before the fix left the receiver on and never cleared bus mastering, then freed the RX buffers and " +
    "both descriptor rings. Frames keep arriving: the NIC fetches RX descriptors from the freed ring, and the IOMMU refuses each access (DMAR faults) " +
    "until the device is unbound and pcim's release finally disables it.",
  script(ctx) {
    const rig = r8169Rig(ctx, { keepDmaOnClose: true });
    const tp = r8169Online(ctx, rig);
    traffic(ctx, rig, tp, 12, 4);
    ctx.step("ip link set eth0 down (WoL armed)");
    ifDown(ctx, tp);
    ctx.step("frames keep arriving");
    ctx.every(6, 50 * US, () => rig.nic.receive(60));
    ctx.idle(MS);
    unbindStep(ctx, rig);
    ctx.every(2, 50 * US, () => rig.nic.receive(60));
    ctx.idle(MS);
  },
};
