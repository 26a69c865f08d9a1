import type { Finding } from "../model/analysis.js";
import { describe, plural, secs, summarize, were } from "./describe.js";
import type { Rule } from "./rule.js";
import { epochLabel, finding, lowerIfLost } from "./rule-support.js";

/**
 * An epoch ended (the driver unbound) but some of its devres nodes were never released: the
 * release burst that emptied the list skipped them, or the device was probed again while they
 * were still listed. devres_release_all() releases every node of the list
 * (drivers/base/devres.c :: devres_release_all, release_nodes), so a node that survives it is
 * either missing from the trace or was never on the list the kernel released.
 * Failed probes are reported by probe-rollback-incomplete instead.
 */
export const leakUnreleased: Rule = {
  id: "leak-unreleased",
  severity: "error",
  title: "A resource of an ended bind epoch was never released",
  help:
    "Every devres node of a binding is released by devres_release_all() when the driver unbinds. " +
    "A node that was still listed after its epoch's release burst was never freed: check the ADD line for " +
    "the allocation, and whether it was made on the right struct device.",
  kernel:
    "drivers/base/dd.c :: device_unbind_cleanup -> drivers/base/devres.c :: devres_release_all",
  run(model) {
    const out: Finding[] = [];
    for (const dev of model.devices.values()) {
      for (const epoch of dev.epochs) {
        if (
          epoch.end === "probe-failed" ||
          epoch.end === "bound-at-end" ||
          epoch.leftovers.length === 0
        )
          continue;
        const left = epoch.leftovers;
        const { severity, lost } = lowerIfLost(model, this.severity, epoch.start_ns, epoch.end_ns);
        const how =
          epoch.closure === "next-probe"
            ? `${were(left.length)} still on the list when the next probe started at ${secs(epoch.end_ns)}`
            : `${were(left.length)} not released by the unbind's release burst (${secs(epoch.end_ns)})`;
        const first = left[0];
        const msg =
          `${dev.name}: ${plural(left.length, "devres node")} of ${epochLabel(epoch)} ${how}: ` +
          (left.length <= 3 ? left.map((r) => describe(r)).join(", ") : summarize(left)) +
          "." +
          (lost > 0
            ? ` The trace lost ${lost} events in this epoch; the REL lines may be among them.`
            : "");
        out.push(
          finding(
            {
              rule: this.id,
              severity,
              device: dev.name,
              resources: left.map((r) => r.id),
              message: msg,
              atNs: epoch.end_ns,
              epoch: epoch.index,
              details: { unreleased: left.length, lostEvents: lost },
            },
            first,
          ),
        );
      }
    }
    return out;
  },
};
