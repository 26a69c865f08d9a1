import type { DiffType } from "@devscope/tracer";
import { create } from "zustand";
import type { CompareOrder } from "./compare-model.ts";
import type { ImportProgress } from "../worker/engine-types.ts";
import type { CompareResult } from "./compare-types.ts";

/** State of the Compare dialog and view (the app store keeps the single open trace). */
export interface CompareState {
  dialogOpen: boolean;
  status: "idle" | "running" | "error";
  /** What is being compared (while running). */
  label: string;
  /** Import progress of the side being read. */
  progress: ImportProgress | null;
  error: string | null;
  result: CompareResult | null;
  /** The Compare view is shown (over the trace views). */
  viewOpen: boolean;
  /** Selected device pair: index into result.diff.devices. */
  device: number;
  order: CompareOrder;
  /** Selected entry key (compare-model.ts), or null. */
  selected: string | null;
  /** Entry types listed (the filter chips). */
  types: Record<DiffType, boolean>;
  /** Bumped when the lanes should scroll to the selection. */
  revealSeq: number;

  setDialogOpen(open: boolean): void;
  start(label: string): void;
  setProgress(p: ImportProgress | null): void;
  finish(result: CompareResult): void;
  fail(error: string): void;
  closeView(): void;
  reopenView(): void;
  selectDevice(i: number): void;
  setOrder(o: CompareOrder): void;
  select(key: string | null, reveal?: boolean): void;
  toggleType(t: DiffType): void;
  showOnlyDifferences(on: boolean): void;
}

export const ALL_TYPES: Record<DiffType, boolean> = {
  matched: true,
  onlyA: true,
  onlyB: true,
  resized: true,
  reordered: true,
  cutOff: true,
};

export const useCompare = create<CompareState>()((set, get) => ({
  dialogOpen: false,
  status: "idle",
  label: "",
  progress: null,
  error: null,
  result: null,
  viewOpen: false,
  device: 0,
  order: "add",
  selected: null,
  types: ALL_TYPES,
  revealSeq: 0,

  setDialogOpen(dialogOpen) {
    set({ dialogOpen });
  },
  start(label) {
    set({ status: "running", label, error: null, progress: null });
  },
  setProgress(progress) {
    set({ progress });
  },
  finish(result) {
    // Open on the first device pair that differs, else the first.
    const firstDiff = result.diff.devices.findIndex((d) => d.score < 1);
    set({
      status: "idle",
      label: "",
      progress: null,
      result,
      viewOpen: true,
      device: Math.max(0, firstDiff),
      order: "add",
      selected: null,
      types: ALL_TYPES,
    });
  },
  fail(error) {
    set({ status: "error", label: "", progress: null, error });
  },
  closeView() {
    set({ viewOpen: false });
  },
  reopenView() {
    if (get().result) set({ viewOpen: true });
  },
  selectDevice(device) {
    set({ device, selected: null });
  },
  setOrder(order) {
    set({ order, selected: null });
  },
  select(selected, reveal = true) {
    set((s) => ({ selected, revealSeq: reveal ? s.revealSeq + 1 : s.revealSeq }));
  },
  toggleType(t) {
    set((s) => ({ types: { ...s.types, [t]: !s.types[t] } }));
  },
  showOnlyDifferences(on) {
    set({ types: { ...ALL_TYPES, matched: !on } });
  },
}));
