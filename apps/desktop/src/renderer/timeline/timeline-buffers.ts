import type { Analysis, EpochEnd, Severity } from "@devscope/tracer";
import { barState, kindIndex, styleIndex } from "./resource-style.ts";
import { must } from "../../shared/must.ts";

/**
 * Struct-of-arrays timeline data, built once per analysis (in the worker) and handed to the
 * renderer as transferable typed arrays — the Perfetto `SliceBuffers` model. One item per
 * resource bar. Items are ordered by (lane, row, start) so that each row is one contiguous,
 * start-sorted slice `[rowStart[g], rowStart[g + 1])` of every array.
 *
 * Time fields are integer nanoseconds on the trace clock stored in Float64Array (exact below
 * 2^53 ns).
 */
export interface TimelineBuffers {
  /** Number of bars. */
  count: number;
  /** Time range the trace covers, ns. Live bars are drawn to `spanEndNs`. */
  spanStartNs: number;
  spanEndNs: number;
  /** Bar start (ADD time; the trace start for cut-off ADDs), ns. */
  startNs: Float64Array;
  /** Bar end (REL/REM time; `spanEndNs` for resources live at the end), ns. */
  endNs: Float64Array;
  /** Style index (kind + state, see resource-style.ts). */
  style: Uint8Array;
  /** Bit flags, see ItemFlag. */
  flags: Uint8Array;
  /** Lane index (into `lanes`). */
  lane: Uint32Array;
  /** Row within its lane (0 = top). */
  row: Uint16Array;
  /** Index of the bar's resource in `analysis.resources`. */
  resourceIndex: Uint32Array;
  /** Inverse of resourceIndex: item of each resource. */
  itemOfResource: Uint32Array;
  /** Global rows: row g covers items [rowStart[g], rowStart[g+1]). Length totalRows + 1. */
  rowStart: Uint32Array;
  /**
   * Running maximum of endNs within each row, ns: the first item of a row that can reach
   * time t is found by binary search even where bars overlap (the overflow row).
   */
  rowMaxEnd: Float64Array;
  lanes: LaneInfo[];
  /** Device epochs, grouped per device: epochs of device d are [deviceEpochStart[d], deviceEpochStart[d+1]). */
  deviceEpochStart: Uint32Array;
  epochStartNs: Float64Array;
  epochEndNs: Float64Array;
  /** EpochEndCode of each epoch. */
  epochEnd: Uint8Array;
  /** Items whose resource a finding names, ascending (= by lane, row, start). */
  findingItems: Uint32Array;
  /** Findings as ruler flags, by time: when (ns), which finding, SeverityCode. */
  findingNs: Float64Array;
  findingIndex: Uint32Array;
  findingSeverity: Uint8Array;
  /**
   * Group brackets: the group marker's item and the rows its members occupy in its lane,
   * ascending by item.
   */
  groupItem: Uint32Array;
  groupRowMin: Uint16Array;
  groupRowMax: Uint16Array;
  /** User markers (tracing_mark_write), sorted by time, ns. */
  markerNs: Float64Array;
  markerText: string[];
}

export interface LaneInfo {
  /** `device` for the devres lane, `device` + " drm" for the DRM managed lane. */
  key: string;
  device: string;
  list: "devres" | "drmm";
  /** Index into analysis.devices, or -1 for a device only named by resources. */
  deviceIndex: number;
  /** Global index of this lane's first row. */
  firstRow: number;
  rowCount: number;
  /** Bars that did not fit under the row cap and share the last row. */
  overflow: number;
}

export const ItemFlag = {
  /** The resource is named by at least one finding. */
  Finding: 1,
  /** Placed in a lane's shared overflow row (bars may overlap there). */
  Overflow: 2,
} as const;

/** Severity as a number: lower is worse (error 0, warning 1, info 2). */
export const SeverityCode: Record<Severity, number> = { error: 0, warning: 1, info: 2 };

export const EpochEndCode: Record<EpochEnd, number> = {
  unbind: 0,
  "probe-failed": 1,
  "bound-at-end": 2,
};

export interface BuildOptions {
  /** Rows per lane before further bars share the last row. */
  maxRowsPerLane?: number;
}

export const DEFAULT_MAX_ROWS_PER_LANE = 48;

/** Devices in lane order: by first activity (first ADD or epoch start), then by name. */
export function laneDeviceOrder(analysis: Analysis): string[] {
  const first = new Map<string, number>();
  const note = (dev: string, ns: number): void => {
    const cur = first.get(dev);
    if (cur === undefined || ns < cur) first.set(dev, ns);
  };
  for (const d of analysis.devices) {
    first.set(d.name, d.epochs[0]?.start_ns ?? Number.POSITIVE_INFINITY);
  }
  for (const r of analysis.resources) note(r.device, r.addedNs);
  return [...first.keys()].sort((a, b) => {
    const fa = first.get(a) ?? Infinity;
    const fb = first.get(b) ?? Infinity;
    return fa !== fb ? (fa < fb ? -1 : 1) : a < b ? -1 : a > b ? 1 : 0;
  });
}

/** The trace's time span: analysis.span if given, else the extent of everything in it. */
export function analysisSpan(analysis: Analysis): { startNs: number; endNs: number } {
  if (analysis.span && analysis.span.endNs >= analysis.span.startNs) return analysis.span;
  let lo = Infinity;
  let hi = -Infinity;
  const see = (ns: number | undefined): void => {
    if (ns === undefined || ns < 0) return;
    if (ns < lo) lo = ns;
    if (ns > hi) hi = ns;
  };
  for (const r of analysis.resources) {
    see(r.addedNs);
    see(r.endedNs);
  }
  for (const d of analysis.devices) {
    for (const e of d.epochs) {
      see(e.start_ns);
      see(e.end_ns);
    }
  }
  for (const m of analysis.markers ?? []) see(m.ns);
  if (lo === Infinity) return { startNs: 0, endNs: 1 };
  return { startNs: lo, endNs: hi > lo ? hi : lo + 1 };
}

export function buildTimelineBuffers(analysis: Analysis, opts: BuildOptions = {}): TimelineBuffers {
  const maxRows = Math.max(1, Math.min(opts.maxRowsPerLane ?? DEFAULT_MAX_ROWS_PER_LANE, 0xffff));
  const { startNs: spanStartNs, endNs: spanEndNs } = analysisSpan(analysis);
  const resources = analysis.resources;
  const n = resources.length;

  // Lanes: per device a devres lane, and a drmm lane when the device has DRM managed resources.
  const deviceIndexOf = new Map<string, number>(analysis.devices.map((d, i) => [d.name, i]));
  const order = laneDeviceOrder(analysis);
  const hasList = new Map<string, { devres: boolean; drmm: boolean }>();
  for (const r of resources) {
    const h = hasList.get(r.device) ?? { devres: false, drmm: false };
    if (r.list === "drmm") h.drmm = true;
    else h.devres = true;
    hasList.set(r.device, h);
  }
  const lanes: LaneInfo[] = [];
  const laneOf = new Map<string, number>();
  for (const dev of order) {
    const h = hasList.get(dev);
    const deviceIndex = deviceIndexOf.get(dev) ?? -1;
    // A device with epochs but no resources still gets its (empty) devres lane.
    if (!h || h.devres || !h.drmm) {
      laneOf.set(`${dev}\u0000devres`, lanes.length);
      lanes.push({
        key: dev,
        device: dev,
        list: "devres",
        deviceIndex,
        firstRow: 0,
        rowCount: 1,
        overflow: 0,
      });
    }
    if (h?.drmm) {
      laneOf.set(`${dev}\u0000drmm`, lanes.length);
      lanes.push({
        key: `${dev} drm`,
        device: dev,
        list: "drmm",
        deviceIndex,
        firstRow: 0,
        rowCount: 1,
        overflow: 0,
      });
    }
  }

  // Per-item raw fields in resource order.
  const start = new Float64Array(n);
  const end = new Float64Array(n);
  const laneRaw = new Uint32Array(n);
  const laneCount = new Uint32Array(lanes.length);
  for (let i = 0; i < n; i++) {
    const r = must(resources[i]);
    const s = r.addCutOff ? Math.min(spanStartNs, r.endedNs ?? spanStartNs) : r.addedNs;
    const e =
      r.end === "live" || r.endedNs === undefined ? Math.max(spanEndNs, s) : Math.max(r.endedNs, s);
    start[i] = s;
    end[i] = e;
    const l = laneOf.get(`${r.device}\u0000${r.list === "drmm" ? "drmm" : "devres"}`) as number;
    laneRaw[i] = l;
    (laneCount[l] as number)++;
  }

  // Bucket resource indices per lane, then sort each lane by start (ties: resource order).
  const laneOffset = new Uint32Array(lanes.length + 1);
  for (let l = 0; l < lanes.length; l++)
    laneOffset[l + 1] = (laneOffset[l] as number) + (laneCount[l] as number);
  const byLane = new Uint32Array(n);
  const fill = laneOffset.slice(0, lanes.length);
  for (let i = 0; i < n; i++) byLane[(fill[laneRaw[i] as number] as number)++] = i;
  const rowOfRes = new Uint16Array(n);
  const overflowRes = new Uint8Array(n);
  const rowEnd = new Float64Array(maxRows).fill(-Infinity);
  let totalRows = 0;
  for (let l = 0; l < lanes.length; l++) {
    const seg = byLane.subarray(laneOffset[l] as number, laneOffset[l + 1] as number);
    seg.sort((a, b) => (start[a] as number) - (start[b] as number) || a - b);
    // First-fit interval packing: a bar goes to the lowest row whose last bar ended by its
    // start, so a probe's LIFO stack of resources draws as a staircase.
    let rows = 0;
    let overflow = 0;
    for (let k = 0; k < seg.length; k++) {
      const i = seg[k] as number;
      const s = start[i] as number;
      let r = 0;
      while (r < rows && (rowEnd[r] as number) > s) r++;
      if (r === rows) {
        if (rows < maxRows) rows++;
        else {
          r = maxRows - 1;
          overflow++;
          overflowRes[i] = 1;
        }
      }
      if ((end[i] as number) > (rowEnd[r] as number)) rowEnd[r] = end[i] as number;
      rowOfRes[i] = r;
    }
    rowEnd.fill(-Infinity, 0, rows);
    const lane = lanes[l] as LaneInfo;
    lane.firstRow = totalRows;
    lane.rowCount = Math.max(1, rows);
    lane.overflow = overflow;
    totalRows += lane.rowCount;
  }

  // Count per global row, then place items (lane segments are start-ordered already).
  const rowStart = new Uint32Array(totalRows + 1);
  for (let i = 0; i < n; i++)
    (rowStart[
      (lanes[laneRaw[i] as number] as LaneInfo).firstRow + (rowOfRes[i] as number) + 1
    ] as number)++;
  for (let g = 0; g < totalRows; g++) (rowStart[g + 1] as number) += rowStart[g] as number;
  const cursor = rowStart.slice(0, totalRows);
  const findingRes = new Uint8Array(n);
  const idIndex = new Map<string, number>();
  for (let i = 0; i < n; i++) idIndex.set(must(resources[i]).id, i);
  for (const f of analysis.findings) {
    for (const id of f.resources) {
      const i = idIndex.get(id);
      if (i !== undefined) findingRes[i] = 1;
    }
  }

  const out = {
    startNs: new Float64Array(n),
    endNs: new Float64Array(n),
    style: new Uint8Array(n),
    flags: new Uint8Array(n),
    lane: new Uint32Array(n),
    row: new Uint16Array(n),
    resourceIndex: new Uint32Array(n),
    itemOfResource: new Uint32Array(n),
  };
  for (let k = 0; k < n; k++) {
    const i = byLane[k] as number;
    const l = laneRaw[i] as number;
    const g = (lanes[l] as LaneInfo).firstRow + (rowOfRes[i] as number);
    const j = (cursor[g] as number)++;
    const r = must(resources[i]);
    out.startNs[j] = start[i] as number;
    out.endNs[j] = end[i] as number;
    out.style[j] = styleIndex(kindIndex(r.kind), barState(r));
    out.flags[j] =
      (findingRes[i] ? ItemFlag.Finding : 0) | (overflowRes[i] ? ItemFlag.Overflow : 0);
    out.lane[j] = l;
    out.row[j] = rowOfRes[i] as number;
    out.resourceIndex[j] = i;
    out.itemOfResource[i] = j;
  }
  const rowMaxEnd = new Float64Array(n);
  for (let g = 0; g < totalRows; g++) {
    let m = -Infinity;
    for (let j = rowStart[g] as number; j < (rowStart[g + 1] as number); j++) {
      if ((out.endNs[j] as number) > m) m = out.endNs[j] as number;
      rowMaxEnd[j] = m;
    }
  }

  // Epochs per device.
  const devices = analysis.devices;
  const deviceEpochStart = new Uint32Array(devices.length + 1);
  for (let d = 0; d < devices.length; d++)
    deviceEpochStart[d + 1] = (deviceEpochStart[d] as number) + must(devices[d]).epochs.length;
  const ne = deviceEpochStart[devices.length] as number;
  const epochStartNs = new Float64Array(ne);
  const epochEndNs = new Float64Array(ne);
  const epochEnd = new Uint8Array(ne);
  for (let d = 0, k = 0; d < devices.length; d++) {
    for (const e of must(devices[d]).epochs) {
      epochStartNs[k] = e.startCutOff ? Math.min(e.start_ns, spanStartNs) : e.start_ns;
      epochEndNs[k] = e.end === "bound-at-end" ? Math.max(spanEndNs, e.end_ns) : e.end_ns;
      epochEnd[k] = EpochEndCode[e.end] ?? 0;
      k++;
    }
  }

  // Group brackets: rows spanned by each group's members within its lane.
  const groupIds = new Map<string, number>();
  for (let i = 0; i < n; i++)
    if (must(resources[i]).kind === "group") groupIds.set(must(resources[i]).id, groupIds.size);
  const groupItem = new Uint32Array(groupIds.size);
  const groupRowMin = new Uint16Array(groupIds.size);
  const groupRowMax = new Uint16Array(groupIds.size);
  for (const [id, gi] of groupIds) {
    const ri = idIndex.get(id) as number;
    groupItem[gi] = out.itemOfResource[ri] as number;
    groupRowMin[gi] = rowOfRes[ri] as number;
    groupRowMax[gi] = rowOfRes[ri] as number;
  }
  for (let i = 0; i < n; i++) {
    const g = must(resources[i]).group;
    if (g === undefined) continue;
    const gi = groupIds.get(g);
    if (gi === undefined || laneRaw[idIndex.get(g) as number] !== laneRaw[i]) continue;
    if ((rowOfRes[i] as number) < (groupRowMin[gi] as number))
      groupRowMin[gi] = rowOfRes[i] as number;
    if ((rowOfRes[i] as number) > (groupRowMax[gi] as number))
      groupRowMax[gi] = rowOfRes[i] as number;
  }

  // Order groups by item (= lane, row, start) so a frame finds a lane's groups by binary search.
  const groupOrder = Array.from(groupItem.keys()).sort(
    (x, y) => (groupItem[x] as number) - (groupItem[y] as number),
  );
  const sortedGroupItem = Uint32Array.from(groupOrder, (k) => groupItem[k] as number);
  const sortedGroupRowMin = Uint16Array.from(groupOrder, (k) => groupRowMin[k] as number);
  const sortedGroupRowMax = Uint16Array.from(groupOrder, (k) => groupRowMax[k] as number);

  const findingItemList: number[] = [];
  for (let j = 0; j < n; j++)
    if ((out.flags[j] as number) & ItemFlag.Finding) findingItemList.push(j);

  const findingOrder = analysis.findings
    .map((f, i) => ({ ns: f.atNs, i, sev: SeverityCode[f.severity] ?? 2 }))
    .filter((f) => f.ns >= 0)
    .sort((a, b) => a.ns - b.ns || a.i - b.i);

  const markers = [...(analysis.markers ?? [])].sort((a, b) => a.ns - b.ns);
  return {
    count: n,
    spanStartNs,
    spanEndNs,
    ...out,
    rowStart,
    rowMaxEnd,
    lanes,
    findingItems: Uint32Array.from(findingItemList),
    findingNs: Float64Array.from(findingOrder, (f) => f.ns),
    findingIndex: Uint32Array.from(findingOrder, (f) => f.i),
    findingSeverity: Uint8Array.from(findingOrder, (f) => f.sev),
    deviceEpochStart,
    epochStartNs,
    epochEndNs,
    epochEnd,
    groupItem: sortedGroupItem,
    groupRowMin: sortedGroupRowMin,
    groupRowMax: sortedGroupRowMax,
    markerNs: Float64Array.from(markers, (m) => m.ns),
    markerText: markers.map((m) => m.text),
  };
}

/** The typed arrays of a TimelineBuffers, for postMessage transfer lists. */
export function timelineTransferables(b: TimelineBuffers): ArrayBuffer[] {
  return [
    b.startNs,
    b.endNs,
    b.style,
    b.flags,
    b.lane,
    b.row,
    b.resourceIndex,
    b.itemOfResource,
    b.rowStart,
    b.rowMaxEnd,
    b.findingItems,
    b.findingNs,
    b.findingIndex,
    b.findingSeverity,
    b.deviceEpochStart,
    b.epochStartNs,
    b.epochEndNs,
    b.epochEnd,
    b.groupItem,
    b.groupRowMin,
    b.groupRowMax,
    b.markerNs,
  ].map((a) => a.buffer as ArrayBuffer);
}
