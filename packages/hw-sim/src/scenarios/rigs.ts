import type { PciDev, PciDriver } from "@devscope/core";
import { GpuDevice } from "../devices/gpu/gpu-device.js";
import { NicDevice, type NicOptions } from "../devices/nic/nic-device.js";
import { makeSimDrm, simDrmOf, type SimDrm, type SimDrmOptions } from "../drivers/sim-drm.js";
import { makeSimE100, type SimE100Options } from "../drivers/sim-e100.js";
import {
  makeSimR8169,
  r8169Down,
  r8169Of,
  r8169Up,
  r8169Xmit,
  type RtlPriv,
  type SimR8169Options,
} from "../drivers/sim-r8169.js";
import { MS, US, type ScenarioContext } from "./scenario.js";

/** PCI slots of the simulated machine (the NIC where the captures' e1000e sat, the GPU where cirrus sat). */
export const NIC_SLOT = 3;
export const GPU_SLOT = 6;

export interface NicRig {
  nic: NicDevice;
  pdev: PciDev;
  drv: PciDriver;
}

/** The e1000-shaped NIC in slot 3 and the sim-r8169 driver (not yet loaded). */
export function r8169Rig(
  ctx: ScenarioContext,
  drv: SimR8169Options = {},
  hw: NicOptions = {},
): NicRig {
  const nic = new NicDevice(ctx.m, hw);
  const pdev = ctx.m.bus.plug(nic, NIC_SLOT);
  return { nic, pdev, drv: makeSimR8169(drv) };
}

/** The same NIC driven by sim-e100. */
export function e100Rig(
  ctx: ScenarioContext,
  drv: SimE100Options = {},
  hw: NicOptions = {},
): NicRig {
  const nic = new NicDevice(ctx.m, { msiVectors: 0, ...hw });
  const pdev = ctx.m.bus.plug(nic, NIC_SLOT);
  return { nic, pdev, drv: makeSimE100(drv) };
}

export interface GpuRig {
  gpu: GpuDevice;
  pdev: PciDev;
  drv: PciDriver;
}

export function gpuRig(ctx: ScenarioContext, drv: SimDrmOptions = {}): GpuRig {
  const gpu = new GpuDevice(ctx.m);
  const pdev = ctx.m.bus.plug(gpu, GPU_SLOT);
  return { gpu, pdev, drv: makeSimDrm(drv) };
}

/** The bound sim-r8169 state, or an error naming what the scenario expected. */
export function rtl(rig: NicRig): RtlPriv {
  const tp = r8169Of(rig.pdev);
  if (tp === null) throw new Error(`scenario: ${rig.pdev.name} is not bound to sim-r8169`);
  return tp;
}

export function drmOf(rig: GpuRig): SimDrm {
  const sd = simDrmOf(rig.pdev);
  if (sd === null) throw new Error(`scenario: ${rig.pdev.name} is not bound to sim-drm`);
  return sd;
}

/** `ip link set dev ethN up` from a fresh `ip` process. */
export function ifUp(ctx: ScenarioContext, tp: RtlPriv): void {
  const rc = ctx.as(ctx.task("ip"), () => r8169Up(tp));
  if (rc !== 0) throw new Error(`scenario: ip link set up failed with ${rc}`);
}

/** `ip link set dev ethN down` from a fresh `ip` process. */
export function ifDown(ctx: ScenarioContext, tp: RtlPriv): void {
  ctx.as(ctx.task("ip"), () => r8169Down(tp));
}

/**
 * Traffic: `rx` frames arrive from the wire 20–40 µs apart while `tx` frames are sent in
 * bursts; the machine runs until all of it happened.
 */
export function traffic(
  ctx: ScenarioContext,
  rig: NicRig,
  tp: RtlPriv | null,
  rx: number,
  tx: number,
): void {
  ctx.every(rx, 40 * US, () => rig.nic.receive(64 + ((ctx.m.rng.u32() >>> 0) % 1400)));
  if (tp !== null && tx > 0) {
    const sender = ctx.task("iperf");
    for (let sent = 0; sent < tx;) {
      const n = ctx.as(sender, () => r8169Xmit(tp, Math.min(4, tx - sent), 60 + sent));
      if (n === 0) break;
      sent += n;
      ctx.idle(60 * US);
    }
  }
  // Arrivals are spread uniformly around 40 µs apart: 1.5× that covers the last one.
  ctx.settle(rx * 60 * US + MS);
}
