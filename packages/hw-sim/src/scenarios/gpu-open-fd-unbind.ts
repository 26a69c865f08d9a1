import { simDrmClose, simDrmOpen, simDrmSetMode, simDrmSubmit } from "../drivers/sim-drm.js";
import { drmOf, gpuRig } from "./rigs.js";
import { MS, type Scenario } from "./scenario.js";

export const gpuOpenFdUnbind: Scenario = {
  id: "gpu-open-fd-unbind",
  title: "User space holds the card open across unbind: drm managed resources go at the last close (not a bug)",
  device: "gpu",
  driver: "sim-drm (engine)",
  source: { kind: "reference", ref: "drivers/gpu/drm/drm_drv.c :: drm_dev_unplug, drm_dev_enter", subject: "hot-unplug with open file descriptors (Documentation/gpu/drm-uapi.rst, \"Device Hot-Unplug\")" },
  expectedRules: [],
  description:
    "A client has the card open when the device is unbound. remove() unplugs the drm_device, devres unmaps MMIO and VRAM and drops the " +
    "initial reference, but the file still holds one: the drm_device and every drmm resource live on. The client's next ioctl gets -ENODEV " +
    "from drm_dev_enter(); its close() drops the last reference and the managed list is released then, long after the unbind.",
  script(ctx) {
    const rig = gpuRig(ctx, { engine: true });
    ctx.step("modprobe sim_drm");
    ctx.modprobe(rig.drv);
    const sd = drmOf(rig);
    const client = ctx.task("modetest");
    ctx.step("open /dev/dri/card0, set mode, submit");
    const f = ctx.as(client, () => simDrmOpen(sd));
    ctx.as(client, () => simDrmSetMode(f, 1280, 720));
    ctx.as(client, () => simDrmSubmit(f, 4096));
    ctx.idle(MS);
    ctx.step(`unbind ${rig.pdev.name} from sim-drm (card still open)`);
    ctx.unbind(rig.pdev, "sim-drm");
    ctx.idle(50 * MS);
    ctx.step("submit after unbind");
    const rc = ctx.as(client, () => simDrmSubmit(f, 4096));
    ctx.step(`submit returned ${rc}`);
    ctx.idle(200 * MS);
    ctx.step("close /dev/dri/card0");
    ctx.as(client, () => simDrmClose(f));
    ctx.idle(MS);
  },
};
