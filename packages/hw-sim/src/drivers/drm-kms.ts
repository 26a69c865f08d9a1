import { drmm_add_action_or_reset, named, type DrmDevice } from "@devscope/core";

/**
 * drm_mode_config_init_release (drivers/gpu/drm/drm_mode_config.c): drm_mode_config_cleanup —
 * planes, CRTCs, encoders and connectors created by the driver's KMS init go with it.
 */
export function drm_mode_config_init_release(drm: DrmDevice, _data: null): void {
  const kms = kmsState.get(drm);
  if (kms !== undefined) kms.objects = 0;
}
named(drm_mode_config_init_release, "drm_mode_config_init_release");

interface KmsState {
  /** Mode objects (plane, CRTC, encoder, connector) alive. */
  objects: number;
}
const kmsState = new WeakMap<DrmDevice, KmsState>();

/**
 * drmm_mode_config_init(dev): initialise mode configuration and register its cleanup as a drm
 * managed action (one `drm_mode_config_init_release (0 bytes)` entry, as the cirrus capture logs).
 */
export function drmm_mode_config_init(drm: DrmDevice): number {
  kmsState.set(drm, { objects: 0 });
  return drmm_add_action_or_reset(drm, drm_mode_config_init_release, null);
}

/**
 * The simple-display pipe (plane + CRTC + encoder) and a virtual connector
 * (drm_simple_display_pipe_init + drm_connector_init): mode objects freed by the mode-config
 * cleanup, no managed entries of their own.
 */
export function drm_simple_display_pipe_init(drm: DrmDevice): number {
  const kms = kmsState.get(drm);
  if (kms === undefined) return -22;
  kms.objects += 4;
  return 0;
}

/** Mode objects alive on a drm_device (0 after drm_mode_config_cleanup). */
export function kmsObjects(drm: DrmDevice): number {
  return kmsState.get(drm)?.objects ?? 0;
}
