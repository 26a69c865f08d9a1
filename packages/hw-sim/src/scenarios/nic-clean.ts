import { ifDown, ifUp, r8169Rig, rtl, traffic } from "./rigs.js";
import { MS, type Scenario } from "./scenario.js";
import { bindStep, r8169Online, rmmodStep, unbindStep } from "./script-steps.js";

export const nicClean: Scenario = {
  id: "nic-clean",
  title: "Managed NIC: probe, traffic, down/up, unbind while up, rebind, rmmod — no findings",
  device: "nic",
  driver: "sim-r8169",
  source: {
    kind: "reference",
    ref: "drivers/net/ethernet/realtek/r8169_main.c",
    subject:
      "rtl_init_one / rtl_open / rtl8169_close / rtl_remove_one (6.1), with the f658b90977d2 quiesce",
  },
  expectedRules: [],
  description:
    "The r8169-shaped driver binds (devm netdev, pcim, iomap, MSI, dmam counters, managed MDIO), opens the interface, moves frames both ways, " +
    "goes down and up, is unbound while up (ndo_stop inside unregister_netdev: counters DMA into live memory, bus mastering cleared before the rings go), " +
    "rebinds and is unloaded. Every devres node is released in reverse order; the device never touches memory it does not own.",
  script(ctx) {
    const rig = r8169Rig(ctx);
    let tp = r8169Online(ctx, rig);
    ctx.step("traffic");
    traffic(ctx, rig, tp, 24, 12);
    ctx.step("ip link set eth0 down");
    ifDown(ctx, tp);
    ctx.step("ip link set eth0 up");
    ifUp(ctx, tp);
    traffic(ctx, rig, tp, 8, 4);
    unbindStep(ctx, rig, "interface up");
    ctx.idle(MS);
    bindStep(ctx, rig);
    tp = rtl(rig);
    ifUp(ctx, tp);
    traffic(ctx, rig, tp, 8, 4);
    rmmodStep(ctx, rig);
  },
};
