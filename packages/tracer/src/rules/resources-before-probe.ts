import type { AnalysisModel, ResourceRecord } from "../analysis/analysis-model.js";
import type { Finding } from "../model/analysis.js";
import { describe, plural, secs, summarize } from "./describe.js";
import type { Rule } from "./rule.js";
import { finding } from "./rule-support.js";

/**
 * really_probe() refuses to probe a device whose devres list is not empty: it prints
 * `Resources present before probing` and fails with -EBUSY (drivers/base/dd.c ::
 * really_probe). The nodes got there from a devm_* call on a device with no bound driver,
 * usually a driver using the wrong struct device (a child, a consumer).
 *
 * Reported from the kernel's line, from a probe start that found nodes on the list, and, as
 * a warning, from nodes added to an unbound device that are still there when the trace ends.
 */
export const resourcesBeforeProbe: Rule = {
  id: "resources-before-probe",
  severity: "error",
  title: "devm resources were added to a device with no bound driver",
  help:
    "A devm_* call attached a resource to a device while no driver was bound to it, so the next probe of that device " +
    'fails with -EBUSY ("Resources present before probing"). Find the ADD\'s caller (allocSite/task) and make it use ' +
    "the device it actually belongs to.",
  kernel: "drivers/base/dd.c :: really_probe",
  run(model) {
    const out: Finding[] = [];
    /** Each stray node is reported once, at the first probe or refusal that found it. */
    const reported = new Set<ResourceRecord>();
    for (const i of model.resourcesBeforeProbe) {
      const e = model.events[i];
      if (e?.kind !== "resources_before_probe") continue;
      const live = liveAt(model, e.dev, i);
      for (const r of live) reported.add(r);
      out.push(
        finding(
          {
            rule: this.id,
            severity: this.severity,
            device: e.dev,
            resources: live.map((r) => r.id),
            message:
              `${e.dev}: the kernel refused to probe${e.driver !== undefined ? ` ${e.driver}` : ""} at ${secs(e.ts)} (line ${e.line}, ` +
              `"Resources present before probing", -EBUSY)` +
              (live.length > 0
                ? `: ${plural(live.length, "devres node")} ${live.length === 1 ? "was" : "were"} listed: ${summarize(live)}.`
                : "."),
            atNs: e.ts,
            details: { listed: live.length },
          },
          live[0] ?? { line: e.line, ...(e.src !== undefined ? { src: e.src } : {}) },
        ),
      );
    }
    for (const dev of model.devices.values()) {
      for (const epoch of dev.epochs) {
        // Leftovers of the previous epoch are leak-unreleased's; here only nodes that no
        // binding owned.
        const foreign = epoch.liveAtStart.filter((r) => r.epoch === -1 && !reported.has(r));
        if (foreign.length === 0) continue;
        for (const r of foreign) reported.add(r);
        out.push(
          finding(
            {
              rule: this.id,
              severity: this.severity,
              device: dev.name,
              resources: foreign.map((r) => r.id),
              message:
                `${dev.name}: the probe at ${secs(epoch.start_ns)} started with ${plural(foreign.length, "devres node")} already listed that ${foreign.length === 1 ? "was" : "were"} ` +
                `added while no driver was bound (${foreign.length <= 3 ? foreign.map((r) => describe(r)).join(", ") : summarize(foreign)}); ` +
                "the kernel refuses such a probe with -EBUSY.",
              atNs: epoch.start_ns,
              epoch: epoch.index,
              details: { listed: foreign.length },
            },
            foreign[0],
          ),
        );
      }
      const orphans = dev.resources.filter(
        (r) => r.epoch === -1 && r.end === "live" && !reported.has(r) && r.addIndex >= 0,
      );
      if (orphans.length === 0) continue;
      const first = orphans[0] as ResourceRecord;
      out.push(
        finding(
          {
            rule: this.id,
            severity: "warning",
            device: dev.name,
            resources: orphans.map((r) => r.id),
            message:
              `${dev.name}: ${plural(orphans.length, "devres node")} added while no driver was bound (${summarize(orphans)}, first at ${secs(first.addedNs)} ` +
              `by ${first.addTask ?? "?"}) ${orphans.length === 1 ? "was" : "were"} still listed when the trace ended` +
              (orphans.some((r) => r.addedDuringRelease === true)
                ? " (added by a release callback while the unbind's devres_release_all ran)"
                : "") +
              "; the next probe of this device will fail with -EBUSY.",
            atNs: first.addedNs,
            details: { listed: orphans.length },
          },
          first,
        ),
      );
    }
    return out;
  },
};

/** devres nodes of a device listed at an event index (added before, not yet ended). */
function liveAt(model: AnalysisModel, dev: string, index: number): ResourceRecord[] {
  const d = model.devices.get(dev);
  if (d === undefined) return [];
  return d.resources.filter(
    (r) => r.addIndex >= 0 && r.addIndex < index && (r.endIndex < 0 || r.endIndex > index),
  );
}
