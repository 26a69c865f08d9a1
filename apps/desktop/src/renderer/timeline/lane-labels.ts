import type { Analysis } from "@devscope/tracer";
import { deviceState, STATE_LABEL } from "../model/device-rows.ts";
import type { LaneLabel } from "./canvas-renderer.ts";
import type { TimelineBuffers } from "./timeline-buffers.ts";
import { must } from "../../shared/must.ts";

/** Gutter text per lane: the device (or its DRM managed list) and a one-line summary. */
export function laneLabels(a: Analysis, b: TimelineBuffers): LaneLabel[] {
  const perLane = new Uint32Array(b.lanes.length);
  const livePerLane = new Uint32Array(b.lanes.length);
  for (let j = 0; j < b.count; j++) {
    (perLane[b.lane[j] as number] as number)++;
    if (must(a.resources[b.resourceIndex[j] as number]).end === "live")
      (livePerLane[b.lane[j] as number] as number)++;
  }
  return b.lanes.map((l, i) => {
    const d = l.deviceIndex >= 0 ? a.devices[l.deviceIndex] : undefined;
    const live = (livePerLane[i] as number) ? ` · ${livePerLane[i]} live` : "";
    if (l.list === "drmm")
      return { title: `${l.device} · drm`, subtitle: `drmm · ${perLane[i]} resources${live}` };
    const driver = d?.driver ?? d?.epochs.find((e) => e.driver)?.driver;
    const epochs = d
      ? `${d.epochs.length} epoch${d.epochs.length === 1 ? "" : "s"} · ${STATE_LABEL[deviceState(d)]}`
      : "no epochs";
    return {
      title: l.device,
      subtitle: `${driver ? driver + " · " : ""}${epochs} · ${perLane[i]} res${live}${l.overflow ? ` · ${l.overflow} stacked` : ""}`,
    };
  });
}
