import type { Analysis, DeviceSummary, Epoch, Severity } from "@devscope/tracer";
import { type AnalysisIndex, maxSeverity } from "./analysis-index.ts";
import { must } from "../../shared/must.ts";

/** A device's state at the end of the trace, from how its last epoch ended. */
export type DeviceState = "bound" | "unbound" | "probe-failed" | "no-epochs";

export interface DeviceRow {
  name: string;
  driver: string | undefined;
  state: DeviceState;
  epochs: readonly Epoch[];
  add: number;
  rel: number;
  rem: number;
  replace: number;
  liveAtEnd: number;
  /** DRM managed resources, if the device has a drm_device. */
  drm: DeviceSummary["drm"];
  findings: number;
  worst: Severity | null;
  /** Resources (devres + drmm) the analysis lists for this device. */
  resources: number;
}

export function deviceState(d: Pick<DeviceSummary, "epochs">): DeviceState {
  const last = d.epochs[d.epochs.length - 1];
  if (!last) return "no-epochs";
  return last.end === "bound-at-end"
    ? "bound"
    : last.end === "probe-failed"
      ? "probe-failed"
      : "unbound";
}

/** One row per device, in the timeline's lane order (devices with no summary still listed). */
export function deviceRows(a: Analysis, idx: AnalysisIndex, order: readonly string[]): DeviceRow[] {
  const rows: DeviceRow[] = [];
  for (const name of order) {
    const di = idx.deviceByName.get(name);
    const d: DeviceSummary =
      di === undefined
        ? { name, epochs: [], counts: { add: 0, rel: 0, rem: 0, replace: 0 }, liveAtEnd: 0 }
        : (a.devices[di] as DeviceSummary);
    const fs = (idx.findingsOfDevice.get(name) ?? []).map((i) => must(a.findings[i]));
    rows.push({
      name,
      driver: d.driver ?? d.epochs.find((e) => e.driver)?.driver,
      state: deviceState(d),
      epochs: d.epochs,
      add: d.counts.add,
      rel: d.counts.rel,
      rem: d.counts.rem,
      replace: d.counts.replace,
      liveAtEnd: d.liveAtEnd,
      drm: d.drm,
      findings: fs.length,
      worst: maxSeverity(fs),
      resources: idx.resourcesOfDevice.get(name)?.length ?? 0,
    });
  }
  return rows;
}

export const STATE_LABEL: Record<DeviceState, string> = {
  bound: "bound",
  unbound: "unbound",
  "probe-failed": "failed probe",
  "no-epochs": "no probe seen",
};

export const EPOCH_END_LABEL: Record<Epoch["end"], string> = {
  unbind: "unbind",
  "probe-failed": "probe failed",
  "bound-at-end": "bound at end",
};
