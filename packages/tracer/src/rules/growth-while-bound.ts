import type { ResourceRecord } from "../analysis/analysis-model.js";
import { userReturnBetween } from "../analysis/task-activity-handler.js";
import type { Finding } from "../model/analysis.js";
import { describe, resourceName, secs } from "./describe.js";
import type { Rule } from "./rule.js";
import { addedDevres, epochLabel, finding, probeEndIndex } from "./rule-support.js";

/** A burst is a run of ADDs by one task without a return to user space or a pause this long (ns). */
const BURST_GAP_NS = 50_000_000;
/** Separate bursts with the same (name, size) that make it growth rather than a one-off. */
export const GROWTH_MIN_BURSTS = 3;

/**
 * devm_* calls outside probe() (open(), ioctl(), a work item) add a node on every call, and
 * the node lives until the driver unbinds: the list grows while the device stays bound.
 * Legitimate later additions (MSI vectors a child device allocates on its parent, sysfs groups
 * added once) happen once per binding; the bug repeats the same (name, size) in separate
 * calls, and nothing frees them before the unbind.
 */
export const growthWhileBound: Rule = {
  id: "growth-while-bound",
  severity: "warning",
  title: "devm resources keep being added after probe while the device stays bound",
  help:
    "The same devm_* allocation was made again and again after the probe had finished, in separate calls, " +
    "and none was freed before the unbind. devres frees only at unbind, so each call (typically from open(), " +
    "ioctl() or a work item) grows the device's list for as long as it stays bound. Allocate in probe, use " +
    "plain kmalloc/kfree with the file's lifetime, or devm_kfree() on close.",
  kernel: "drivers/base/devres.c :: devres_add (nodes live until devres_release_all at unbind)",
  run(model) {
    const out: Finding[] = [];
    for (const dev of model.devices.values()) {
      for (const epoch of dev.epochs) {
        if (epoch.end === "probe-failed") continue;
        const probeEnd = probeEndIndex(model, epoch);
        const releaseStart = epoch.releaseStartIndex ?? Number.POSITIVE_INFINITY;
        const adds = addedDevres(epoch)
          .filter((r) => !r.isGroup)
          .sort((a, b) => a.addIndex - b.addIndex);
        // Post-probe: every ADD of a cut-off epoch; otherwise ADDs by another task, or by the
        // probing task after it returned to user space.
        const post = adds.filter((r) => {
          if (epoch.startIndex < 0) return true;
          if (r.addPid !== epoch.probePid) return true;
          return probeEnd !== undefined && r.addIndex > probeEnd;
        });
        const bursts = new Map<ResourceRecord, number>();
        let burst = -1;
        let prev: ResourceRecord | undefined;
        for (const r of post) {
          const split =
            prev === undefined ||
            prev.addPid !== r.addPid ||
            r.addedNs - prev.addedNs > BURST_GAP_NS ||
            (r.addPid !== undefined &&
              userReturnBetween(model.activity, r.addPid, prev.addIndex, r.addIndex) !== undefined);
          if (split) burst++;
          bursts.set(r, burst);
          prev = r;
        }
        // Only nodes nothing freed before the unbind (no REM, not a group release mid-epoch).
        const kept = post.filter(
          (r) => r.end !== "removed" && !(r.end === "released" && r.endIndex < releaseStart),
        );
        const bySig = new Map<string, ResourceRecord[]>();
        for (const r of kept) {
          const sig = `${resourceName(r)}\u0000${r.size}`;
          const list = bySig.get(sig) ?? [];
          list.push(r);
          bySig.set(sig, list);
        }
        for (const list of bySig.values()) {
          const distinct = new Set(list.map((r) => bursts.get(r)));
          if (distinct.size < GROWTH_MIN_BURSTS) continue;
          const first = list[0] as ResourceRecord;
          const last = list[list.length - 1] as ResourceRecord;
          const tasks = [...new Set(list.map((r) => r.addTask ?? "?"))];
          const taskText =
            tasks.length > 4 ? `${tasks.slice(0, 4).join(", ")}, ...` : tasks.join(", ");
          const fate =
            epoch.end === "bound-at-end"
              ? "all still listed when the trace ended"
              : "none freed before the unbind";
          out.push(
            finding(
              {
                rule: this.id,
                severity: this.severity,
                device: dev.name,
                resources: list.map((r) => r.id),
                message:
                  `${dev.name}: ${describe(first, false)} was added ${list.length} times after the probe, in ${distinct.size} separate calls ` +
                  `(${taskText}; ${secs(first.addedNs)}–${secs(last.addedNs)}), ${fate} (${epochLabel(epoch)}). ` +
                  "devm_* allocations outside probe() grow the devres list until the driver unbinds.",
                atNs: last.addedNs,
                epoch: epoch.index,
                details: { additions: list.length, bursts: distinct.size, size: first.size },
              },
              first,
            ),
          );
        }
      }
    }
    return out;
  },
};
