import {
  ANALYSIS_SCHEMA,
  type Analysis,
  type AnalysisInput,
  type DeviceSummary,
  type Epoch,
  type Finding,
  type LineAccounting,
  type Resource,
  type Severity,
} from "../model/analysis.js";
import type { MarkerEvent, TraceEvent, TraceEventKind } from "../model/events.js";
import { ALL_RULES } from "../rules/index.js";
import type { Rule } from "../rules/rule.js";
import type { AnalysisModel, DeviceRecord, EpochRecord, ResourceRecord } from "./analysis-model.js";
import { DevresHandler } from "./devres-handler.js";
import { DrmresHandler } from "./drmres-handler.js";
import { inferEpochEnds } from "./epoch-inference.js";
import type { AnalysisHandler } from "./handler.js";
import { KernelLogHandler } from "./kernel-log-handler.js";
import { KmemHandler } from "./kmem-handler.js";
import { recoverPointerNames } from "./name-recovery.js";
import { ResourceRegistry } from "./resource-registry.js";
import { TaskActivityHandler } from "./task-activity-handler.js";

export interface AnalyzeOptions {
  /** Input files (for the JSON `inputs` and SARIF locations). */
  inputs?: AnalysisInput[];
  /** Line accounting of the import(s). */
  lines?: LineAccounting;
  /** The trace's start is known to be missing (ring buffer overwrote it). */
  startLost?: boolean;
  /** Notes from importing/merging, kept in front of the analyzer's own. */
  notes?: string[];
  /** Rules to run (default: every registered rule). */
  rules?: readonly Rule[];
}

/**
 * Rebuild every resource's lifecycle from the events (one pass, one handler per concern), in
 * the order the events are given (importers keep the kernel's timestamp order; merged inputs
 * are sorted by merge-inputs.ts).
 */
export function buildModel(
  events: readonly TraceEvent[],
  opts: AnalyzeOptions = {},
): AnalysisModel {
  const registry = new ResourceRegistry();
  const pointerNames = recoverPointerNames(events);
  const devres = new DevresHandler({ events, registry, pointerNames });
  const drmres = new DrmresHandler(devres, registry);
  const activity = new TaskActivityHandler();
  const log = new KernelLogHandler();
  const kmem = new KmemHandler();
  const handlers: AnalysisHandler<unknown>[] = [activity, log, kmem, devres, drmres];
  // Dispatch table: each event goes only to the handlers that asked for its kind.
  const byKind = new Map<TraceEventKind, AnalysisHandler<unknown>[]>();
  for (const h of handlers) {
    h.reset();
    for (const k of h.kinds) byKind.set(k, [...(byKind.get(k) ?? []), h]);
  }
  let startNs = Infinity;
  let endNs = -Infinity;
  // First timestamp per input (src: a small index), NaN = none yet.
  const firstBySrc: number[] = [];
  const markers: MarkerEvent[] = [];
  for (let i = 0; i < events.length; i++) {
    const e = events[i] as TraceEvent;
    const ts = e.ts;
    if (ts >= 0) {
      if (ts < startNs) startNs = ts;
      if (ts > endNs) endNs = ts;
      const src = e.src ?? 0;
      const f = firstBySrc[src];
      if (f === undefined || ts < f) firstBySrc[src] = ts;
    }
    if (e.kind === "marker") markers.push(e);
    const hs = byKind.get(e.kind);
    if (hs !== undefined) for (const h of hs) h.handleEvent(e, i);
  }
  const firstTsBySrc = new Map<number, number>();
  firstBySrc.forEach((ts, src) => firstTsBySrc.set(src, ts));
  const span = startNs !== Infinity ? { startNs, endNs } : undefined;
  devres.setSpan(span, firstTsBySrc);
  for (const h of handlers) h.finalize();

  const d = devres.data();
  const logData = log.data();
  const activityData = activity.data();
  inferEpochEnds({ events, devices: d.devices, activity: activityData, log: logData });

  // drmm nodes first seen being released predate the trace as well.
  for (const r of registry.all)
    if (r.addCutOff === true && r.list === "drmm") r.addedNs = devres.traceStartFor(r.src);

  const notes = [...(opts.notes ?? []), ...d.notes];
  if (pointerNames.size > 0) {
    notes.push(
      `${pointerNames.size} release name pointer(s) recovered from kmalloc call sites (trace-cmd report prints names as pointers)`,
    );
  }
  if (!d.probeSignals && d.devices.size > 0) {
    notes.push(
      "no pinctrl_bind_pins probe-start signal in this trace: epochs start at the first ADD on an empty list",
    );
  }
  const lostTotal = logData.lost.reduce((n, l) => n + l.count, 0);
  if (lostTotal > 0)
    notes.push(
      `the ring buffer lost ${lostTotal} events (LOST EVENTS markers): findings near them are lowered`,
    );

  return {
    events,
    devices: d.devices,
    resources: registry.all,
    anomalies: [...d.anomalies, ...drmres.data().anomalies].sort(
      (a, b) => a.eventIndex - b.eventIndex,
    ),
    probeFailed: logData.probeFailed,
    resourcesBeforeProbe: logData.resourcesBeforeProbe,
    poolBusy: logData.poolBusy,
    reports: logData.reports,
    kmem: kmem.data(),
    lost: logData.lost,
    startLost: opts.startLost === true,
    span,
    activity: activityData,
    markers,
    notes,
  };
}

const SEVERITY_RANK: Record<Severity, number> = { error: 0, warning: 1, info: 2 };

/** Run the rules over a model; findings ordered by severity, then time. */
export function runRules(model: AnalysisModel, rules: readonly Rule[] = ALL_RULES): Finding[] {
  const findings: Finding[] = [];
  for (const rule of rules) findings.push(...rule.run(model));
  return findings.sort(
    (a, b) => SEVERITY_RANK[a.severity] - SEVERITY_RANK[b.severity] || a.atNs - b.atNs,
  );
}

/** The whole analysis of one event stream: model, rules, and the documented JSON shape. */
export function analyzeEvents(events: readonly TraceEvent[], opts: AnalyzeOptions = {}): Analysis {
  const model = buildModel(events, opts);
  const findings = runRules(model, opts.rules);
  return toAnalysis(model, findings, opts);
}

export function toAnalysis(
  model: AnalysisModel,
  findings: Finding[],
  opts: AnalyzeOptions = {},
): Analysis {
  const devices: DeviceSummary[] = [];
  for (const dev of model.devices.values()) devices.push(deviceSummary(dev));
  const markers: NonNullable<Analysis["markers"]> = [];
  for (const e of model.markers) {
    const m: { ns: number; text: string; line?: number; src?: number } = {
      ns: e.ts,
      text: e.text,
      line: e.line,
    };
    if (e.src !== undefined) m.src = e.src;
    markers.push(m);
  }
  const analysis: Analysis = {
    schema: ANALYSIS_SCHEMA,
    inputs: opts.inputs ?? [],
    lines: opts.lines ?? {
      total: 0,
      parsed: model.events.length,
      ignored: {},
      rejected: 0,
      rejectedSamples: [],
    },
    devices,
    resources: model.resources.map(publicResource),
    findings,
  };
  if (markers.length > 0) analysis.markers = markers;
  if (model.span !== undefined) analysis.span = model.span;
  if (model.notes.length > 0) analysis.notes = model.notes;
  return analysis;
}

function deviceSummary(dev: DeviceRecord): DeviceSummary {
  const live = dev.resources.filter((r) => r.end === "live").length;
  const s: DeviceSummary = {
    name: dev.name,
    epochs: dev.epochs.map(publicEpoch),
    counts: { ...dev.counts },
    liveAtEnd: live,
  };
  if (dev.driver !== undefined) s.driver = dev.driver;
  if (dev.drm !== undefined) s.drm = { ...dev.drm };
  return s;
}

function publicEpoch(e: EpochRecord): Epoch {
  const out: Epoch = { index: e.index, start_ns: e.start_ns, end_ns: e.end_ns, end: e.end };
  const optional = [
    "endEvidence",
    "startCutOff",
    "errno",
    "driver",
    "startEvidence",
    "probeTask",
    "endNotLogged",
    "releaseOrderOk",
    "added",
  ] as const;
  for (const k of optional) {
    const v = e[k];
    if (v !== undefined) (out as unknown as Record<string, unknown>)[k] = v;
  }
  return out;
}

const INTERNAL_RESOURCE_FIELDS = new Set([
  "addIndex",
  "endIndex",
  "endOp",
  "addPid",
  "endPid",
  "seq",
  "isGroup",
]);

function publicResource(r: ResourceRecord): Resource {
  const out: Record<string, unknown> = {};
  const rec = r as unknown as Record<string, unknown>;
  // for-in walks own keys in insertion order (the JSON order) without an entries array.
  for (const k in rec) {
    const v = rec[k];
    if (v !== undefined && !INTERNAL_RESOURCE_FIELDS.has(k)) out[k] = v;
  }
  return out as unknown as Resource;
}
