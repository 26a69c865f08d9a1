import type { Analysis, Finding, Severity } from "@devscope/tracer";

/**
 * Lookup tables over one Analysis, built once when it loads, so every view answers "which
 * findings name this resource / device" and "where is resource r17" in O(1).
 */
export interface AnalysisIndex {
  /** Resource id -> index in analysis.resources. */
  resourceById: Map<string, number>;
  /** Resource index -> indices of findings that name it. */
  findingsOfResource: Map<number, number[]>;
  /** Device name -> indices of its findings. */
  findingsOfDevice: Map<string, number[]>;
  /** Device name -> index in analysis.devices. */
  deviceByName: Map<string, number>;
  /** Resource indices per device (resource order). */
  resourcesOfDevice: Map<string, number[]>;
  /** Distinct kinds present, sorted. */
  kinds: string[];
}

export const SEVERITY_RANK: Record<Severity, number> = { error: 0, warning: 1, info: 2 };

export function buildAnalysisIndex(a: Analysis): AnalysisIndex {
  const resourceById = new Map<string, number>();
  const resourcesOfDevice = new Map<string, number[]>();
  const kinds = new Set<string>();
  a.resources.forEach((r, i) => {
    resourceById.set(r.id, i);
    kinds.add(r.kind);
    let list = resourcesOfDevice.get(r.device);
    if (!list) resourcesOfDevice.set(r.device, (list = []));
    list.push(i);
  });
  const findingsOfResource = new Map<number, number[]>();
  const findingsOfDevice = new Map<string, number[]>();
  a.findings.forEach((f, fi) => {
    let byDev = findingsOfDevice.get(f.device);
    if (!byDev) findingsOfDevice.set(f.device, (byDev = []));
    byDev.push(fi);
    for (const id of f.resources) {
      const ri = resourceById.get(id);
      if (ri === undefined) continue;
      let list = findingsOfResource.get(ri);
      if (!list) findingsOfResource.set(ri, (list = []));
      if (list[list.length - 1] !== fi) list.push(fi);
    }
  });
  return {
    resourceById,
    findingsOfResource,
    findingsOfDevice,
    deviceByName: new Map(a.devices.map((d, i) => [d.name, i])),
    resourcesOfDevice,
    kinds: [...kinds].sort(),
  };
}

/** The most severe of some findings, or null. */
export function maxSeverity(findings: readonly Finding[]): Severity | null {
  let best: Severity | null = null;
  for (const f of findings)
    if (best === null || SEVERITY_RANK[f.severity] < SEVERITY_RANK[best]) best = f.severity;
  return best;
}

/** Time extent of some resources (ns), live ones ending at `spanEndNs`; null if none. */
export function resourcesExtent(
  a: Analysis,
  indices: Iterable<number>,
  spanEndNs: number,
): { startNs: number; endNs: number } | null {
  let lo = Infinity;
  let hi = -Infinity;
  for (const i of indices) {
    const r = a.resources[i];
    if (!r) continue;
    lo = Math.min(lo, r.addedNs);
    hi = Math.max(hi, r.endedNs ?? spanEndNs);
  }
  return lo === Infinity ? null : { startNs: lo, endNs: hi };
}
