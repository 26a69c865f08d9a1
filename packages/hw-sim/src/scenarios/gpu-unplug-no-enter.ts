import { simDrmSubmit } from "../drivers/sim-drm.js";
import { gpuRig } from "./rigs.js";
import { MS, type Scenario } from "./scenario.js";
import { closeCard, openCard, unbindStep } from "./script-steps.js";

export const gpuUnplugNoEnter: Scenario = {
  id: "gpu-unplug-no-enter",
  title: "ioctl reaches the hardware after unbind (no drm_dev_unplug, no drm_dev_enter)",
  device: "gpu",
  driver: "sim-drm (engine, noUnplug)",
  source: {
    kind: "commit",
    ref: "4522ad764d7e",
    subject: "accel/ivpu: Do not access HW registers after unbind",
  },
  expectedRules: ["mmio-after-unbind"],
  description:
    "remove() only unregisters the drm_device (drm_dev_unregister, not drm_dev_unplug) and the submit ioctl writes the ring doorbell without " +
    "drm_dev_enter(). A client keeps the card open across unbind; devres unmaps the MMIO; the client's next submit writes through the stale " +
    "mapping and the kernel takes a page fault.",
  script(ctx) {
    const rig = gpuRig(ctx, { engine: true, noUnplug: true });
    const card = openCard(ctx, rig, 800, 600);
    ctx.as(card.client, () => simDrmSubmit(card.f, 2048));
    ctx.idle(MS);
    unbindStep(ctx, rig, "card still open");
    ctx.idle(MS);
    ctx.step("submit after unbind");
    ctx.as(card.client, () => simDrmSubmit(card.f, 2048));
    closeCard(ctx, card);
    ctx.idle(MS);
  },
};
