import { simDrmClose, simDrmOpen, simDrmSetMode, simDrmSubmit } from "../drivers/sim-drm.js";
import { drmOf, gpuRig } from "./rigs.js";
import { MS, type Scenario } from "./scenario.js";

export const gpuClean: Scenario = {
  id: "gpu-clean",
  title: "DRM driver (cirrus order): probe, modeset, command-ring blits with fences, unbind, rebind — no findings",
  device: "gpu",
  driver: "sim-drm (engine)",
  source: { kind: "reference", ref: "drivers/gpu/drm/tiny/cirrus.c", subject: "cirrus_pci_probe / cirrus_pci_remove (6.1): devm_drm_dev_alloc, managed regions and ioremaps, drmm_mode_config_init, drm_dev_unplug" },
  expectedRules: [],
  description:
    "The DRM driver binds in cirrus' order plus its command engine (managed ring and fence buffers, MSI, a managed fence IRQ acquired last), " +
    "a client opens the card, sets a mode and submits blits that the GPU DMA-reads and fences with an MSI, closes, and the device is unbound " +
    "(drm_dev_unplug, shutdown), rebound and unloaded. The drm_device's managed list is released with the last reference.",
  script(ctx) {
    const rig = gpuRig(ctx, { engine: true });
    ctx.step("modprobe sim_drm");
    ctx.modprobe(rig.drv);
    let sd = drmOf(rig);
    const client = ctx.task("modetest");
    ctx.step("open /dev/dri/card0, set mode, submit");
    const f = ctx.as(client, () => simDrmOpen(sd));
    ctx.as(client, () => simDrmSetMode(f, 1024, 768));
    for (let i = 0; i < 6; i++) {
      ctx.as(client, () => simDrmSubmit(f, 4096));
      ctx.idle(200_000);
    }
    ctx.step("close /dev/dri/card0");
    ctx.as(client, () => simDrmClose(f));
    ctx.step(`unbind ${rig.pdev.name} from sim-drm`);
    ctx.unbind(rig.pdev, "sim-drm");
    ctx.idle(MS);
    ctx.step(`bind ${rig.pdev.name} to sim-drm`);
    ctx.bind(rig.pdev, "sim-drm");
    ctx.step(`after bind ${rig.pdev.name}: driver=${rig.pdev.driver?.name ?? "none"}`);
    sd = drmOf(rig);
    const f2 = ctx.as(client, () => simDrmOpen(sd));
    ctx.as(client, () => simDrmSubmit(f2, 1024));
    ctx.idle(MS);
    ctx.as(client, () => simDrmClose(f2));
    ctx.step("rmmod sim_drm");
    ctx.rmmod(rig.drv);
  },
};
