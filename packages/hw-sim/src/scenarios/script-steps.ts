import type { PciDev, PciDriver, Task } from "@devscope/core";
import {
  simDrmClose,
  simDrmOpen,
  simDrmSetMode,
  type SimDrm,
  type SimDrmFile,
} from "../drivers/sim-drm.js";
import type { RtlPriv } from "../drivers/sim-r8169.js";
import { drmOf, ifUp, rtl, type GpuRig, type NicRig } from "./rigs.js";
import type { ScenarioContext } from "./scenario.js";

/**
 * The shell commands scenario scripts run again and again, each announced by its step marker
 * (the same `tracing_mark_write: scenario: …` text every time, so traces of different scenarios
 * read alike): load, unbind, rebind and unload a driver; bring the NIC up; open the DRM card.
 */

/** A device in its slot and the driver the script loads for it. */
interface DriverRig {
  pdev: PciDev;
  drv: PciDriver;
}

const moduleOf = (rig: DriverRig): string => rig.drv.module ?? rig.drv.name;

/** `modprobe <module>`: registering the driver binds the device. */
export function loadStep(ctx: ScenarioContext, rig: DriverRig, note?: string): number {
  ctx.step(`modprobe ${moduleOf(rig)}${note !== undefined ? ` (${note})` : ""}`);
  return ctx.modprobe(rig.drv);
}

/** `echo <dev> > /sys/bus/pci/drivers/<drv>/unbind`, with what makes this unbind special in parentheses. */
export function unbindStep(ctx: ScenarioContext, rig: DriverRig, note?: string): number {
  ctx.step(`unbind ${rig.pdev.name} from ${rig.drv.name}${note !== undefined ? ` (${note})` : ""}`);
  return ctx.unbind(rig.pdev, rig.drv.name);
}

/** `echo <dev> > …/bind`, then the check the capture scripts print: `after bind <dev>: driver=<name>`. */
export function bindStep(ctx: ScenarioContext, rig: DriverRig): number {
  ctx.step(`bind ${rig.pdev.name} to ${rig.drv.name}`);
  const rc = ctx.bind(rig.pdev, rig.drv.name);
  ctx.step(`after bind ${rig.pdev.name}: driver=${rig.pdev.driver?.name ?? "none"}`);
  return rc;
}

/** `rmmod <module>`: unregistering the driver unbinds the device. */
export function rmmodStep(ctx: ScenarioContext, rig: DriverRig): void {
  ctx.step(`rmmod ${moduleOf(rig)}`);
  ctx.rmmod(rig.drv);
}

/** `modprobe sim_r8169` and `ip link set eth0 up`: the bound driver's state, interface up. */
export function r8169Online(ctx: ScenarioContext, rig: NicRig): RtlPriv {
  loadStep(ctx, rig);
  const tp = rtl(rig);
  ctx.step("ip link set eth0 up");
  ifUp(ctx, tp);
  return tp;
}

/** A DRM client with the card open and a mode set. */
export interface CardClient {
  sd: SimDrm;
  client: Task;
  f: SimDrmFile;
}

/** `modprobe sim_drm`, then a client (`modetest`) opens /dev/dri/card0 and sets a mode; its submits follow. */
export function openCard(
  ctx: ScenarioContext,
  rig: GpuRig,
  xres: number,
  yres: number,
): CardClient {
  loadStep(ctx, rig);
  const sd = drmOf(rig);
  const client = ctx.task("modetest");
  ctx.step("open /dev/dri/card0, set mode, submit");
  const f = ctx.as(client, () => simDrmOpen(sd));
  ctx.as(client, () => simDrmSetMode(f, xres, yres));
  return { sd, client, f };
}

/** The client closes the card (its drm_device reference may be the last). */
export function closeCard(ctx: ScenarioContext, c: CardClient): void {
  ctx.step("close /dev/dri/card0");
  ctx.as(c.client, () => simDrmClose(c.f));
}
