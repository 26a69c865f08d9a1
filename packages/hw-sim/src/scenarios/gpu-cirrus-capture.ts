import { gpuRig } from "./rigs.js";
import { MS, type Scenario } from "./scenario.js";
import { bindStep, loadStep, rmmodStep, unbindStep } from "./script-steps.js";

/**
 * The guest script of the real capture fixtures/real-traces/cirrus-drm-unbind (README:
 * `modprobe cirrus`, unbind, bind, `rmmod cirrus`, about 2 s / 1 s / 2 s apart) on sim-drm as
 * cirrus has it: no command engine, so every devres and drmm resource is one cirrus acquires.
 * `devscope diff <capture>+<its dmesg> sim:gpu-cirrus-capture` compares them node for node.
 */
export const gpuCirrusCapture: Scenario = {
  id: "gpu-cirrus-capture",
  title:
    "The cirrus capture's script (modprobe, unbind, bind, rmmod) on the DRM driver without its engine — no findings",
  device: "gpu",
  driver: "sim-drm",
  source: {
    kind: "reference",
    ref: "fixtures/real-traces/cirrus-drm-unbind",
    subject:
      "the real 6.1 capture's guest script against drivers/gpu/drm/tiny/cirrus.c :: cirrus_pci_probe / cirrus_pci_remove",
  },
  expectedRules: [],
  description:
    "The DRM driver binds in cirrus' order only (pcim, managed regions, devm_drm_dev_alloc, two devm_ioremaps, drmm_mode_config_init), " +
    "is unbound, rebound and unloaded with the capture's pauses. Its devres and drm managed resources are the capture's, node for node: " +
    "compare them with devscope diff against cirrus-drm-unbind.ftrace.txt + its dmesg.",
  script(ctx) {
    const rig = gpuRig(ctx, {});
    loadStep(ctx, rig);
    ctx.idle(2000 * MS);
    unbindStep(ctx, rig);
    ctx.idle(1000 * MS);
    bindStep(ctx, rig);
    ctx.idle(2000 * MS);
    rmmodStep(ctx, rig);
  },
};
