import { simDrmClose, simDrmOpen, simDrmSubmit } from "../drivers/sim-drm.js";
import { drmOf, gpuRig } from "./rigs.js";
import { MS, type Scenario } from "./scenario.js";
import { bindStep, closeCard, openCard, rmmodStep, unbindStep } from "./script-steps.js";

export const gpuClean: Scenario = {
  id: "gpu-clean",
  title:
    "DRM driver (cirrus order): probe, modeset, command-ring blits with fences, unbind, rebind — no findings",
  device: "gpu",
  driver: "sim-drm (engine)",
  source: {
    kind: "reference",
    ref: "drivers/gpu/drm/tiny/cirrus.c",
    subject:
      "cirrus_pci_probe / cirrus_pci_remove (6.1): devm_drm_dev_alloc, managed regions and ioremaps, drmm_mode_config_init, drm_dev_unplug",
  },
  expectedRules: [],
  description:
    "The DRM driver binds in cirrus' order plus its command engine (managed ring and fence buffers, MSI, a managed fence IRQ acquired last), " +
    "a client opens the card, sets a mode and submits blits that the GPU DMA-reads and fences with an MSI, closes, and the device is unbound " +
    "(drm_dev_unplug, shutdown), rebound and unloaded. The drm_device's managed list is released with the last reference.",
  script(ctx) {
    const rig = gpuRig(ctx, { engine: true });
    const card = openCard(ctx, rig, 1024, 768);
    const { client } = card;
    for (let i = 0; i < 6; i++) {
      ctx.as(client, () => simDrmSubmit(card.f, 4096));
      ctx.idle(200_000);
    }
    closeCard(ctx, card);
    unbindStep(ctx, rig);
    ctx.idle(MS);
    bindStep(ctx, rig);
    const sd = drmOf(rig);
    const f2 = ctx.as(client, () => simDrmOpen(sd));
    ctx.as(client, () => simDrmSubmit(f2, 1024));
    ctx.idle(MS);
    ctx.as(client, () => simDrmClose(f2));
    rmmodStep(ctx, rig);
  },
};
