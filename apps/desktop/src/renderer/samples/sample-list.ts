/**
 * Bundled sample traces shown on first start. The files are real captures from
 * fixtures/real-traces (copied into the web build by build/samples-plugin.ts), so a newcomer
 * sees a real kernel's picture at once.
 */
export interface BundledSample {
  file: string;
  title: string;
  description: string;
}

export const BUNDLED_SAMPLES: readonly BundledSample[] = [
  {
    file: "ahci-bind-unbind.ftrace.txt",
    title: "AHCI bind / unbind / rmmod",
    description:
      "Linux 6.1 under QEMU: ahci probed 3 times, unbound twice and rmmod'ed. 198 devres_log lines, a devres group per probe, module names gone after rmmod ([UNSAFE-MEMORY]).",
  },
  {
    file: "cirrus-drm-unbind.ftrace.txt",
    title: "cirrus DRM unbind",
    description:
      "devm_drm_dev_alloc and the drm_device's managed (drmm) resources, released inside the devres action — devres and DRM managed lists side by side.",
  },
];
