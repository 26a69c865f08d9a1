import type { ResourceRecord } from "../analysis/analysis-model.js";

/**
 * Wording shared by the rules' messages, so a driver developer sees resources the same way in
 * every finding: `dmam_release (32 bytes, line 1638)`.
 */

/** Seconds with microsecond precision, as ftrace prints them: `6.624306 s`. */
export function secs(ns: number): string {
  return `${(ns / 1e9).toFixed(6)} s`;
}

/** The name a developer recognises: the recovered name for unloaded-module/pointer names. */
export function resourceName(r: ResourceRecord): string {
  if (r.recoveredName !== undefined) return r.recoveredName;
  if (r.nameForm === "module-gone") return `${r.name} (name in an unloaded module)`;
  return r.name;
}

export function describe(r: ResourceRecord, withLine = true): string {
  const where = withLine && r.addLine !== undefined ? `, line ${r.addLine}` : "";
  return `${resourceName(r)} (${r.size} bytes${where})`;
}

/** `devm_kzalloc_release x14, dmam_release x6` for long lists. */
export function summarize(rs: readonly ResourceRecord[], max = 6): string {
  const counts = new Map<string, number>();
  for (const r of rs) {
    const k = resourceName(r);
    counts.set(k, (counts.get(k) ?? 0) + 1);
  }
  const parts = [...counts].map(([k, n]) => (n > 1 ? `${k} x${n}` : k));
  return parts.length > max ? `${parts.slice(0, max).join(", ")}, ...` : parts.join(", ");
}

export function plural(n: number, one: string, many = `${one}s`): string {
  return `${n} ${n === 1 ? one : many}`;
}

/** `was`/`were` for a count. */
export function were(n: number): string {
  return n === 1 ? "was" : "were";
}
