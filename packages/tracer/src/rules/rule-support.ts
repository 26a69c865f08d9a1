import type { AnalysisModel, EpochRecord, ResourceRecord } from "../analysis/analysis-model.js";
import { userReturnBetween } from "../analysis/task-activity-handler.js";
import type { Finding, Severity } from "../model/analysis.js";

/** Lost-event markers (`[LOST N EVENTS]`) between two times, count of events lost. */
export function lostBetween(model: AnalysisModel, fromNs: number, toNs: number): number {
  let n = 0;
  for (const l of model.lost) if (l.ts >= fromNs && l.ts <= toNs) n += l.count;
  return n;
}

/** Severity lowered one step when the trace lost events in the window or its start is lost. */
export function lowerIfLost(
  model: AnalysisModel,
  sev: Severity,
  fromNs: number,
  toNs: number,
): { severity: Severity; lost: number } {
  const lost = lostBetween(model, fromNs, toNs);
  if (lost === 0) return { severity: sev, lost };
  return { severity: sev === "error" ? "warning" : "info", lost };
}

/**
 * The index where the probe of an epoch provably finished: the probing task's first return to
 * user space after the probe start. Undefined when the trace cannot show it (kworker probes,
 * no markers/kmem) or the start predates the trace.
 */
export function probeEndIndex(model: AnalysisModel, epoch: EpochRecord): number | undefined {
  if (epoch.startIndex < 0 || epoch.probePid === undefined) return undefined;
  const to = epoch.endIndex >= 0 ? epoch.endIndex : model.events.length;
  return userReturnBetween(model.activity, epoch.probePid, epoch.startIndex, to)?.index;
}

/** A finding with its location taken from a resource (the ADD line, else the release line). */
export function finding(
  base: Omit<Finding, "src" | "line">,
  where?: ResourceRecord | { line?: number; src?: number },
): Finding {
  const f: Finding = { ...base };
  if (where !== undefined) {
    const line = "addIndex" in where ? (where.addLine ?? where.endLine) : where.line;
    if (line !== undefined) f.line = line;
    if (where.src !== undefined) f.src = where.src;
  }
  return f;
}

/** `epoch 1 (7.777917–9.255020 s, unbind)` */
export function epochLabel(epoch: EpochRecord): string {
  return `epoch ${epoch.index} (${(epoch.start_ns / 1e9).toFixed(6)}–${(epoch.end_ns / 1e9).toFixed(6)} s, ${epoch.end})`;
}

/** The devres resources of an epoch that were ADDed in the trace. */
export function addedDevres(epoch: EpochRecord): ResourceRecord[] {
  return epoch.resources.filter((r) => r.list === "devres" && r.addIndex >= 0);
}
