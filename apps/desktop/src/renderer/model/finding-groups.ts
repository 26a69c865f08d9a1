import type { Finding, Severity } from "@devscope/tracer";
import { SEVERITY_RANK } from "./analysis-index.ts";

export interface RuleGroup {
  rule: string;
  /** Indices into analysis.findings, by time. */
  findings: number[];
}

export interface SeverityGroup {
  severity: Severity;
  count: number;
  rules: RuleGroup[];
}

/**
 * Findings grouped by severity (errors first), then by rule id (most findings first, then
 * alphabetical), each rule's findings in time order. Indices point into the input array.
 */
export function groupFindings(findings: readonly Finding[]): SeverityGroup[] {
  const bySev = new Map<Severity, Map<string, number[]>>();
  findings.forEach((f, i) => {
    let rules = bySev.get(f.severity);
    if (!rules) bySev.set(f.severity, (rules = new Map()));
    let list = rules.get(f.rule);
    if (!list) rules.set(f.rule, (list = []));
    list.push(i);
  });
  return [...bySev.entries()]
    .sort((a, b) => SEVERITY_RANK[a[0]] - SEVERITY_RANK[b[0]])
    .map(([severity, rules]) => {
      const groups = [...rules.entries()]
        .map(([rule, idx]) => ({
          rule,
          findings: idx.sort(
            (x, y) => (findings[x] as Finding).atNs - (findings[y] as Finding).atNs || x - y,
          ),
        }))
        .sort(
          (a, b) =>
            b.findings.length - a.findings.length ||
            (a.rule < b.rule ? -1 : a.rule > b.rule ? 1 : 0),
        );
      return { severity, count: groups.reduce((s, g) => s + g.findings.length, 0), rules: groups };
    });
}

/** Findings in display order (the order keyboard navigation walks). */
export function findingOrder(groups: readonly SeverityGroup[]): number[] {
  return groups.flatMap((g) => g.rules.flatMap((r) => r.findings));
}
