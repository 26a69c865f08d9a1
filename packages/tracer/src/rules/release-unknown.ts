import type { DevresAnomaly } from "../analysis/analysis-model.js";
import type { Finding, Severity } from "../model/analysis.js";
import { plural, summarize, were } from "./describe.js";
import type { Rule } from "./rule.js";
import { finding, lostBetween } from "./rule-support.js";

/**
 * REL/REM lines for nodes the trace never saw added. Usually the trace simply started after
 * the device was probed (tracing enabled late, trace_pipe read late, the ring buffer wrapped):
 * an info fact, one per device and epoch, never one per node. When the trace provably covers
 * the device's list (its probe start was seen: really_probe requires an empty list, or a
 * release burst emptied it), the ADD lines are missing for another reason: a warning.
 */
export const releaseUnknown: Rule = {
  id: "release-unknown",
  severity: "warning",
  title: "A node was released that the trace never saw added",
  help:
    "As info: the trace started after these nodes were added (the device was probed before tracing began); " +
    "their lifetimes are cut off, nothing is wrong. As a warning: the trace covers the device's whole list, so " +
    "the missing ADD lines point at lost events or a trace that was filtered.",
  kernel: "drivers/base/devres.c :: devres_log (ADD/REL/REM lines)",
  run(model) {
    const groups = new Map<string, DevresAnomaly[]>();
    for (const a of model.anomalies) {
      if (a.kind !== "release-unknown") continue;
      const e = model.events[a.eventIndex];
      const lost = e !== undefined && lostBetween(model, model.span?.startNs ?? 0, e.ts) > 0;
      const provable = a.covered && !model.startLost && !lost;
      const key = `${a.device}\u0000${a.list}\u0000${a.epoch}\u0000${provable ? "w" : "i"}`;
      const list = groups.get(key) ?? [];
      list.push(a);
      groups.set(key, list);
    }
    const out: Finding[] = [];
    for (const [key, list] of groups) {
      const first = list[0] as DevresAnomaly;
      const provable = key.endsWith("w");
      const severity: Severity = provable ? this.severity : "info";
      const rs = list.map((a) => a.resource);
      const e = model.events[first.eventIndex];
      const what = first.list === "drmm" ? "DRM managed resource" : "devres node";
      const message = provable
        ? `${first.device}: ${plural(rs.length, what)} released that the trace never saw added (${summarize(rs)}), although the trace covers this device's list: the ADD lines are missing (lost events?).`
        : `${first.device}: ${plural(rs.length, what)} released that ${were(rs.length)} added before the trace started (${summarize(rs)}): the trace's start is cut off, these lifetimes are partial.`;
      out.push(
        finding(
          {
            rule: this.id,
            severity,
            device: first.device,
            resources: rs.map((r) => r.id),
            message,
            atNs: e?.ts ?? 0,
            epoch: first.epoch,
            details: { nodes: rs.length, cutOff: !provable },
          },
          e !== undefined
            ? { line: e.line, ...(e.src !== undefined ? { src: e.src } : {}) }
            : undefined,
        ),
      );
    }
    return out;
  },
};
