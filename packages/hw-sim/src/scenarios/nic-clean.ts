import { r8169Down } from "../drivers/sim-r8169.js";
import { ifUp, r8169Rig, rtl, traffic } from "./rigs.js";
import { MS, type Scenario } from "./scenario.js";

export const nicClean: Scenario = {
  id: "nic-clean",
  title: "Managed NIC: probe, traffic, down/up, unbind while up, rebind, rmmod — no findings",
  device: "nic",
  driver: "sim-r8169",
  source: { kind: "reference", ref: "drivers/net/ethernet/realtek/r8169_main.c", subject: "rtl_init_one / rtl_open / rtl8169_close / rtl_remove_one (6.1), with the f658b90977d2 quiesce" },
  expectedRules: [],
  description:
    "The r8169-shaped driver binds (devm netdev, pcim, iomap, MSI, dmam counters, managed MDIO), opens the interface, moves frames both ways, " +
    "goes down and up, is unbound while up (ndo_stop inside unregister_netdev: counters DMA into live memory, bus mastering cleared before the rings go), " +
    "rebinds and is unloaded. Every devres node is released in reverse order; the device never touches memory it does not own.",
  script(ctx) {
    const rig = r8169Rig(ctx);
    ctx.step("modprobe sim_r8169");
    ctx.modprobe(rig.drv);
    let tp = rtl(rig);
    ctx.step("ip link set eth0 up");
    ifUp(ctx, tp);
    ctx.step("traffic");
    traffic(ctx, rig, tp, 24, 12);
    ctx.step("ip link set eth0 down");
    ctx.as(ctx.task("ip"), () => r8169Down(tp));
    ctx.step("ip link set eth0 up");
    ifUp(ctx, tp);
    traffic(ctx, rig, tp, 8, 4);
    ctx.step(`unbind ${rig.pdev.name} from sim-r8169 (interface up)`);
    ctx.unbind(rig.pdev, "sim-r8169");
    ctx.idle(MS);
    ctx.step(`bind ${rig.pdev.name} to sim-r8169`);
    ctx.bind(rig.pdev, "sim-r8169");
    ctx.step(`after bind ${rig.pdev.name}: driver=${rig.pdev.driver?.name ?? "none"}`);
    tp = rtl(rig);
    ifUp(ctx, tp);
    traffic(ctx, rig, tp, 8, 4);
    ctx.step("rmmod sim_r8169");
    ctx.rmmod(rig.drv);
  },
};
