import { gpuRig } from "./rigs.js";
import { MS, type Scenario } from "./scenario.js";
import { loadStep, unbindStep } from "./script-steps.js";

export const gpuDoublePut: Scenario = {
  id: "gpu-double-put",
  title: "devm-managed drm_device plus a manual drm_dev_put() in remove()",
  device: "gpu",
  driver: "sim-drm (doublePut)",
  source: {
    kind: "commit",
    ref: "5247a8b313cc",
    subject: "drm/bochs: Do not put DRM device in PCI remove callback",
  },
  expectedRules: ["use-after-free"],
  description:
    "devm_drm_dev_alloc() registers a devres action that drops the initial drm_device reference at unbind. remove() also calls drm_dev_put(): " +
    "that drops the last reference, releases the managed list and frees the container. Then devres runs the action, whose drm_dev_put() " +
    "writes the freed refcount — KASAN's use-after-free in drm_dev_put, and a refcount underflow.",
  script(ctx) {
    const rig = gpuRig(ctx, { doublePut: true });
    loadStep(ctx, rig);
    ctx.idle(MS);
    unbindStep(ctx, rig);
    ctx.idle(MS);
  },
};
