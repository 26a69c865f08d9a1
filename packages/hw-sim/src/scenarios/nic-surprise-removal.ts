import { hotplugRemove, surpriseRemove } from "../faults/surprise-removal.js";
import { r8169Rig, traffic } from "./rigs.js";
import { MS, US, type Scenario } from "./scenario.js";
import { r8169Online } from "./script-steps.js";

export const nicSurpriseRemoval: Scenario = {
  id: "nic-surprise-removal",
  title: "The NIC vanishes mid-traffic; pciehp removes it later — the driver copes",
  device: "nic",
  driver: "sim-r8169",
  source: {
    kind: "reference",
    ref: "drivers/net/ethernet/realtek/r8169_main.c :: rtl8169_interrupt",
    subject:
      "a status of all-ones means the device is gone (IRQ_NONE); drivers/pci/hotplug/pciehp_pci.c :: pciehp_unconfigure_device",
  },
  expectedRules: [],
  description:
    "While frames flow, the NIC is yanked: its registers read all-ones, writes and DMA go nowhere, interrupts stop. The hotplug driver then " +
    "removes the device: remove() closes the interface against absent hardware (the counters dump times out, the ISR treats all-ones as " +
    "'not mine'), devres releases everything and the device is deleted. Nothing leaks, nothing is touched after free.",
  script(ctx) {
    const rig = r8169Rig(ctx);
    const tp = r8169Online(ctx, rig);
    ctx.every(16, 40 * US, () => rig.nic.receive(128));
    ctx.idle(300 * US);
    ctx.step("surprise removal of the NIC");
    surpriseRemove(rig.nic);
    traffic(ctx, rig, tp, 4, 2);
    ctx.idle(5 * MS);
    ctx.step(`pciehp: remove ${rig.pdev.name}`);
    hotplugRemove(ctx.m, rig.nic);
    ctx.idle(MS);
  },
};
