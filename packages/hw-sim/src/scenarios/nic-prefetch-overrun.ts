import { r8169Rig, traffic } from "./rigs.js";
import { MS, type Scenario } from "./scenario.js";
import { r8169Online, unbindStep } from "./script-steps.js";

export const nicPrefetchOverrun: Scenario = {
  id: "nic-prefetch-overrun",
  title:
    "Descriptor prefetch runs past the end of a ring allocated as one pool block (xHCI VL805-style overfetch)",
  device: "nic",
  driver: "sim-r8169 (ringFromPool) + NIC prefetch 4",
  source: {
    kind: "thread",
    ref: "20250107153509.727b981e@foxbook",
    subject:
      "usb: xhci: Enable the TRB overfetch quirk on VIA VL805 (XHCI_TRB_OVERFETCH: 2x segment size; raspberrypi/linux#4685, bugzilla 215906)",
  },
  expectedRules: ["dma-fault"],
  description:
    "The NIC fetches four descriptors ahead of its head in one burst and, like the VL805 xHCI, does not stop at the end of the ring. The driver " +
    "takes its 256-entry RX ring (exactly 4 KiB) from a DMA pool with one ring per block. Near the end of the ring the burst reads past the " +
    "block and its mapping: the IOMMU refuses it. The quirk's fix (blocks twice the ring size) keeps the overfetch inside the allocation.",
  script(ctx) {
    const rig = r8169Rig(ctx, { ringFromPool: true, rxRing: 256 }, { prefetch: 4 });
    const tp = r8169Online(ctx, rig);
    ctx.step("receive 260 frames");
    traffic(ctx, rig, tp, 260, 0);
    unbindStep(ctx, rig);
    ctx.idle(MS);
  },
};
