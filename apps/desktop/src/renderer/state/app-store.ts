import { create } from "zustand";
import {
  type AnalysisIndex,
  buildAnalysisIndex,
  resourcesExtent,
} from "../model/analysis-index.ts";
import {
  DEFAULT_SORT,
  EMPTY_FILTER,
  type ResourceFilter,
  type SortSpec,
} from "../model/resource-query.ts";
import {
  DEFAULT_METRICS,
  type LaneLayout,
  layoutLanes,
  maxScrollPx,
  rowTopPx,
} from "../timeline/lane-layout.ts";
import { fitWindow, type TimeWindow, windowAround } from "../timeline/viewport.ts";
import type { ImportProgress, LoadedTrace } from "../worker/engine-types.ts";
import { type Layout, loadLayout, saveLayout } from "./layout.ts";

export type ImportStatus = "idle" | "running" | "error";

export interface Selection {
  /** Selected resources (indices into analysis.resources), most relevant first. */
  resources: number[];
  /** Selected device (its lane is highlighted, the resource filter can follow it). */
  device: string | null;
  /** Selected finding (index into analysis.findings). */
  finding: number | null;
}

export const EMPTY_SELECTION: Selection = { resources: [], device: null, finding: null };

export interface AppState {
  trace: LoadedTrace | null;
  index: AnalysisIndex | null;
  /** Lane geometry of the loaded timeline (px). */
  laneLayout: LaneLayout | null;
  /** Devices in lane order. */
  deviceOrder: string[];

  importStatus: ImportStatus;
  importLabel: string;
  progress: ImportProgress | null;
  importError: string | null;
  /** Set after a cancelled import (the previous trace stays loaded). */
  importCancelled: boolean;

  selection: Selection;
  /** Resource under the pointer on the timeline, or -1. */
  hoverResource: number;
  /** Visible time window of the timeline, ns. */
  window: TimeWindow | null;
  /** Vertical scroll of the timeline lanes, px. */
  scrollPx: number;
  /** Height of the timeline's lane area, px (the component reports it). */
  timelineLanesPx: number;

  filter: ResourceFilter;
  sort: SortSpec;
  /** Bumped when a view asks the resource table to scroll to the selection. */
  revealSeq: number;

  layout: Layout;
  shortcutsOpen: boolean;
  simulateOpen: boolean;
  /** Transient status line message. */
  toast: string | null;

  setTrace(trace: LoadedTrace): void;
  startImport(label: string): void;
  setProgress(p: ImportProgress): void;
  finishImport(outcome: { error?: string; cancelled?: boolean }): void;

  selectResources(
    resources: number[],
    opts?: { finding?: number | null; focus?: boolean; reveal?: boolean },
  ): void;
  selectDevice(device: string | null): void;
  selectFinding(finding: number): void;
  clearSelection(): void;
  setHover(resource: number): void;

  setWindow(w: TimeWindow): void;
  setScroll(px: number): void;
  setTimelineLanesPx(px: number): void;
  fitAll(): void;
  zoomToSelection(): void;
  zoomToRange(startNs: number, endNs: number): void;
  revealDevice(device: string): void;

  setFilter(f: Partial<ResourceFilter>): void;
  setSort(s: SortSpec): void;

  setLayout(l: Partial<Layout>): void;
  toggleTheme(): void;
  setShortcutsOpen(open: boolean): void;
  setSimulateOpen(open: boolean): void;
  setToast(msg: string | null): void;
}

function storage(): Storage | undefined {
  try {
    return typeof localStorage === "undefined" ? undefined : localStorage;
  } catch {
    return undefined;
  }
}

function prefersDark(): boolean {
  try {
    return typeof matchMedia === "function" && matchMedia("(prefers-color-scheme: dark)").matches;
  } catch {
    return false;
  }
}

/** Unique device names of the timeline lanes, in lane order. */
function laneDevices(trace: LoadedTrace): string[] {
  const out: string[] = [];
  for (const l of trace.timeline.lanes) if (out[out.length - 1] !== l.device) out.push(l.device);
  return out;
}

export const useApp = create<AppState>()((set, get) => {
  const bounds = (): TimeWindow | null => {
    const t = get().trace;
    return t ? { startNs: t.timeline.spanStartNs, endNs: t.timeline.spanEndNs } : null;
  };
  /** Scroll so `lane`'s row `row` is visible (centred if it was off screen). */
  const scrollToRow = (lane: number, row: number): void => {
    const { laneLayout, timelineLanesPx, scrollPx } = get();
    if (!laneLayout || lane < 0 || lane >= laneLayout.top.length) return;
    const y = rowTopPx(laneLayout, lane, row);
    const h = timelineLanesPx || 400;
    if (y >= scrollPx && y + DEFAULT_METRICS.rowPx <= scrollPx + h) return;
    const target = Math.max(0, Math.min(maxScrollPx(laneLayout, h), y - h / 3));
    set({ scrollPx: target });
  };
  return {
    trace: null,
    index: null,
    laneLayout: null,
    deviceOrder: [],
    importStatus: "idle",
    importLabel: "",
    progress: null,
    importError: null,
    importCancelled: false,
    selection: EMPTY_SELECTION,
    hoverResource: -1,
    window: null,
    scrollPx: 0,
    timelineLanesPx: 0,
    filter: EMPTY_FILTER,
    sort: DEFAULT_SORT,
    revealSeq: 0,
    layout: loadLayout(storage(), prefersDark()),
    shortcutsOpen: false,
    simulateOpen: false,
    toast: null,

    setTrace(trace) {
      set({
        trace,
        index: buildAnalysisIndex(trace.analysis),
        laneLayout: layoutLanes(trace.timeline.lanes),
        deviceOrder: laneDevices(trace),
        selection: EMPTY_SELECTION,
        hoverResource: -1,
        window: fitWindow({ startNs: trace.timeline.spanStartNs, endNs: trace.timeline.spanEndNs }),
        scrollPx: 0,
        filter: EMPTY_FILTER,
        sort: DEFAULT_SORT,
      });
    },
    startImport(label) {
      set({
        importStatus: "running",
        importLabel: label,
        progress: null,
        importError: null,
        importCancelled: false,
      });
    },
    setProgress(progress) {
      set({ progress });
    },
    finishImport({ error, cancelled }) {
      set({
        importStatus: error ? "error" : "idle",
        importError: error ?? null,
        importCancelled: cancelled === true,
        progress: null,
      });
    },

    selectResources(resources, opts = {}) {
      const t = get().trace;
      const first = resources[0];
      const device =
        first !== undefined && t
          ? (t.analysis.resources[first]?.device ?? null)
          : get().selection.device;
      set((s) => ({
        selection: { resources, device, finding: opts.finding ?? null },
        revealSeq: opts.reveal === false ? s.revealSeq : s.revealSeq + 1,
        // A device filter that would hide the selection in the table follows it instead.
        filter:
          s.filter.device && device && s.filter.device !== device
            ? { ...s.filter, device: "" }
            : s.filter,
      }));
      if (opts.focus) get().zoomToSelection();
      else if (first !== undefined && t) {
        const it = t.timeline.itemOfResource[first] as number;
        scrollToRow(t.timeline.lane[it] as number, t.timeline.row[it] as number);
      }
    },
    selectDevice(device) {
      set({ selection: { resources: [], device, finding: null } });
      if (device) get().revealDevice(device);
    },
    selectFinding(fi) {
      const { trace, index } = get();
      const f = trace?.analysis.findings[fi];
      if (!trace || !index || !f) return;
      const resources = f.resources
        .map((id) => index.resourceById.get(id))
        .filter((i): i is number => i !== undefined);
      if (resources.length) get().selectResources(resources, { finding: fi, focus: true });
      else {
        set({ selection: { resources: [], device: f.device, finding: fi } });
        get().revealDevice(f.device);
        const b = bounds();
        if (b && f.atNs >= 0) get().zoomToRange(f.atNs - 1_000_000, f.atNs + 1_000_000);
      }
    },
    clearSelection() {
      set({ selection: EMPTY_SELECTION });
    },
    setHover(hoverResource) {
      if (get().hoverResource !== hoverResource) set({ hoverResource });
    },

    setWindow(w) {
      set({ window: w });
    },
    setScroll(px) {
      const { laneLayout, timelineLanesPx } = get();
      const max = laneLayout ? maxScrollPx(laneLayout, timelineLanesPx) : 0;
      // Whole pixels: every row then lands on the pixel grid.
      set({ scrollPx: Math.round(Math.max(0, Math.min(max, px))) });
    },
    setTimelineLanesPx(px) {
      if (get().timelineLanesPx !== px) set({ timelineLanesPx: px });
    },
    fitAll() {
      const b = bounds();
      if (b) set({ window: fitWindow(b) });
    },
    zoomToSelection() {
      const { trace, selection } = get();
      const b = bounds();
      if (!trace || !b) return;
      if (selection.resources.length === 0) {
        if (selection.device) get().revealDevice(selection.device);
        return;
      }
      const ext = resourcesExtent(trace.analysis, selection.resources, b.endNs);
      if (ext) set({ window: windowAround(ext.startNs, ext.endNs, b, 0.15) });
      const it = trace.timeline.itemOfResource[selection.resources[0] as number] as number;
      scrollToRow(trace.timeline.lane[it] as number, trace.timeline.row[it] as number);
    },
    zoomToRange(startNs, endNs) {
      const b = bounds();
      if (b) set({ window: windowAround(startNs, endNs, b, 0.05) });
    },
    revealDevice(device) {
      const t = get().trace;
      if (!t) return;
      const lane = t.timeline.lanes.findIndex((l) => l.device === device);
      if (lane >= 0) scrollToRow(lane, 0);
    },

    setFilter(f) {
      set((s) => ({ filter: { ...s.filter, ...f } }));
    },
    setSort(sort) {
      set({ sort });
    },

    setLayout(l) {
      set((s) => ({ layout: { ...s.layout, ...l } }));
      saveLayout(storage(), get().layout);
    },
    toggleTheme() {
      get().setLayout({ theme: get().layout.theme === "dark" ? "light" : "dark" });
    },
    setShortcutsOpen(shortcutsOpen) {
      set({ shortcutsOpen });
    },
    setSimulateOpen(simulateOpen) {
      set({ simulateOpen });
    },
    setToast(toast) {
      set({ toast });
    },
  };
});
