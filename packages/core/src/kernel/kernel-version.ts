/**
 * The simulated kernel's version and the behaviour changes gated on it. Each gate names the
 * upstream change it models; the simulator follows the older behaviour below the version.
 */
export interface KernelVersion {
  major: number;
  minor: number;
  patch: number;
  /** As given (`6.1`, `6.1.192`). */
  text: string;
}

export function parseKernelVersion(text: string): KernelVersion {
  const m = /^(\d+)\.(\d+)(?:\.(\d+))?/.exec(text.trim());
  if (!m)
    throw new Error(`kernel version: expected "MAJOR.MINOR[.PATCH]" (e.g. "6.1"), got "${text}"`);
  return {
    major: Number(m[1]),
    minor: Number(m[2]),
    patch: m[3] === undefined ? 0 : Number(m[3]),
    text: text.trim(),
  };
}

export function versionAtLeast(v: KernelVersion, major: number, minor: number): boolean {
  return v.major > major || (v.major === major && v.minor >= minor);
}

/** Behaviour switches derived from the version (computed once per kernel). */
export interface KernelFeatures {
  /** v5.14 09705dcb63d2 "devres: Enable trace events": the dev:devres_log tracepoint exists. */
  devresTracepoint: boolean;
  /** v6.2 "devres: Use kmalloc_size_roundup()": check_dr_size() rounds the node to its bucket. */
  devresSizeRoundup: boolean;
  /** v6.3 mm/dmapool.c rewrite (blocks linked across pages, one busy line per pool). */
  dmapoolV63: boolean;
  /** v6.4 0433686c6092/410e7088e971: devm_add_action() records `#action` instead of devm_action_release. */
  devresActionNames: boolean;
  /** v6.6 699fb50d9903: device_del() calls devres_release_all(). */
  deviceDelReleasesDevres: boolean;
  /** ~v6.9: drmm_release_action() exists. */
  drmmReleaseAction: boolean;
  /** ~v6.9: dev_err_probe() prints nothing for -ENOMEM. */
  devErrProbeSilentEnomem: boolean;
  /** v6.10: call_driver_probe() prints `probe with driver %s failed` through dev_err. */
  probeFailDevErr: boolean;
  /** v6.11+ pcim rework: pcim_enable_device() registers a pcim_disable_device action. */
  pcimActionEnable: boolean;
  /** v6.13 765399553714: the tracepoint copies the name (no `[UNSAFE-MEMORY]` forms). */
  devresNameCopied: boolean;
  /**
   * ~v6.14 (Zijun Hu's devres fixes): devm_krealloc() passes new_size, not the header-inclusive
   * total, to alloc_dr(); before, a grown node was kmalloc'ed with the header counted twice.
   */
  devmKreallocExactSize: boolean;
  /** ~v6.14 f1725160fd28: devm_remove_action_nowarn(). */
  devmRemoveActionNowarn: boolean;
  /** ~v6.15 (De Marchi, 2025): devres_release_group() on an empty list returns 0 silently. */
  releaseGroupEmptySilent: boolean;
  /** v6.16: devm_is_action_added(). */
  devmIsActionAdded: boolean;
}

export function kernelFeatures(v: KernelVersion): KernelFeatures {
  return {
    devresTracepoint: versionAtLeast(v, 5, 14),
    devresSizeRoundup: versionAtLeast(v, 6, 2),
    dmapoolV63: versionAtLeast(v, 6, 3),
    devresActionNames: versionAtLeast(v, 6, 4),
    deviceDelReleasesDevres: versionAtLeast(v, 6, 6),
    drmmReleaseAction: versionAtLeast(v, 6, 9),
    devErrProbeSilentEnomem: versionAtLeast(v, 6, 9),
    probeFailDevErr: versionAtLeast(v, 6, 10),
    pcimActionEnable: versionAtLeast(v, 6, 11),
    devresNameCopied: versionAtLeast(v, 6, 13),
    devmKreallocExactSize: versionAtLeast(v, 6, 14),
    devmRemoveActionNowarn: versionAtLeast(v, 6, 14),
    releaseGroupEmptySilent: versionAtLeast(v, 6, 15),
    devmIsActionAdded: versionAtLeast(v, 6, 16),
  };
}
