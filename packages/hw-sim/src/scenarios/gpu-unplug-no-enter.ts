import { simDrmClose, simDrmOpen, simDrmSetMode, simDrmSubmit } from "../drivers/sim-drm.js";
import { drmOf, gpuRig } from "./rigs.js";
import { MS, type Scenario } from "./scenario.js";

export const gpuUnplugNoEnter: Scenario = {
  id: "gpu-unplug-no-enter",
  title: "ioctl reaches the hardware after unbind (no drm_dev_unplug, no drm_dev_enter)",
  device: "gpu",
  driver: "sim-drm (engine, noUnplug)",
  source: { kind: "commit", ref: "4522ad764d7e", subject: "accel/ivpu: Do not access HW registers after unbind" },
  expectedRules: ["mmio-after-unbind"],
  description:
    "remove() only unregisters the drm_device (drm_dev_unregister, not drm_dev_unplug) and the submit ioctl writes the ring doorbell without " +
    "drm_dev_enter(). A client keeps the card open across unbind; devres unmaps the MMIO; the client's next submit writes through the stale " +
    "mapping and the kernel takes a page fault.",
  script(ctx) {
    const rig = gpuRig(ctx, { engine: true, noUnplug: true });
    ctx.step("modprobe sim_drm");
    ctx.modprobe(rig.drv);
    const sd = drmOf(rig);
    const client = ctx.task("modetest");
    ctx.step("open /dev/dri/card0, set mode, submit");
    const f = ctx.as(client, () => simDrmOpen(sd));
    ctx.as(client, () => simDrmSetMode(f, 800, 600));
    ctx.as(client, () => simDrmSubmit(f, 2048));
    ctx.idle(MS);
    ctx.step(`unbind ${rig.pdev.name} from sim-drm (card still open)`);
    ctx.unbind(rig.pdev, "sim-drm");
    ctx.idle(MS);
    ctx.step("submit after unbind");
    ctx.as(client, () => simDrmSubmit(f, 2048));
    ctx.step("close /dev/dri/card0");
    ctx.as(client, () => simDrmClose(f));
    ctx.idle(MS);
  },
};
