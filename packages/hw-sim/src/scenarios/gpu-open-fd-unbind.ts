import { simDrmSubmit } from "../drivers/sim-drm.js";
import { gpuRig } from "./rigs.js";
import { MS, type Scenario } from "./scenario.js";
import { closeCard, openCard, unbindStep } from "./script-steps.js";

export const gpuOpenFdUnbind: Scenario = {
  id: "gpu-open-fd-unbind",
  title:
    "User space holds the card open across unbind: drm managed resources go at the last close (not a bug)",
  device: "gpu",
  driver: "sim-drm (engine)",
  source: {
    kind: "reference",
    ref: "drivers/gpu/drm/drm_drv.c :: drm_dev_unplug, drm_dev_enter",
    subject:
      'hot-unplug with open file descriptors (Documentation/gpu/drm-uapi.rst, "Device Hot-Unplug")',
  },
  expectedRules: [],
  description:
    "A client has the card open when the device is unbound. remove() unplugs the drm_device, devres unmaps MMIO and VRAM and drops the " +
    "initial reference, but the file still holds one: the drm_device and every drmm resource live on. The client's next ioctl gets -ENODEV " +
    "from drm_dev_enter(); its close() drops the last reference and the managed list is released then, long after the unbind.",
  script(ctx) {
    const rig = gpuRig(ctx, { engine: true });
    const card = openCard(ctx, rig, 1280, 720);
    ctx.as(card.client, () => simDrmSubmit(card.f, 4096));
    ctx.idle(MS);
    unbindStep(ctx, rig, "card still open");
    ctx.idle(50 * MS);
    ctx.step("submit after unbind");
    const rc = ctx.as(card.client, () => simDrmSubmit(card.f, 4096));
    ctx.step(`submit returned ${rc}`);
    ctx.idle(200 * MS);
    closeCard(ctx, card);
    ctx.idle(MS);
  },
};
