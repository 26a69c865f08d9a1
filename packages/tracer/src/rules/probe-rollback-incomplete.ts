import type {
  AnalysisModel,
  EpochRecord,
  ResourceRecord,
  UnfreedAlloc,
} from "../analysis/analysis-model.js";
import { callSiteModule } from "../analysis/name-recovery.js";
import type { Finding } from "../model/analysis.js";
import { describe, plural, summarize, were } from "./describe.js";
import type { Rule } from "./rule.js";
import { epochLabel, finding, lowerIfLost } from "./rule-support.js";

/** A bare call-site address belongs to the driver module if this close to one of its ADD sites (bytes). */
const MODULE_SPAN_BYTES = 512n * 1024n;

/**
 * After a failed probe, really_probe() rolls back with devres_release_all()
 * (drivers/base/dd.c :: really_probe -> device_unbind_cleanup), which frees only what is on the
 * probing device's own list. What the failed probe left elsewhere survives: devres nodes the
 * burst skipped, devm_* nodes it put on *other* devices, and plain kmalloc()s from the driver
 * that its error path never kfree'd (visible when kmem was traced with module call sites).
 */
export const probeRollbackIncomplete: Rule = {
  id: "probe-rollback-incomplete",
  severity: "error",
  title: "Something allocated by a failed probe is still live after the rollback",
  help:
    "The probe failed and the driver core released the device's devres list, but resources of that probe survived: " +
    "nodes the rollback did not release, devm_* nodes attached to another device, or kmalloc() memory from the driver's " +
    "own code that its error path never freed. Free them on the error path, or make them managed on the probing device.",
  kernel:
    "drivers/base/dd.c :: really_probe, device_unbind_cleanup; drivers/base/devres.c :: devres_release_all",
  run(model) {
    const out: Finding[] = [];
    for (const dev of model.devices.values()) {
      for (const epoch of dev.epochs) {
        if (epoch.end !== "probe-failed") continue;
        const { severity, lost } = lowerIfLost(model, this.severity, epoch.start_ns, epoch.end_ns);
        if (epoch.leftovers.length > 0) {
          const left = epoch.leftovers;
          out.push(
            finding(
              {
                rule: this.id,
                severity,
                device: dev.name,
                resources: left.map((r) => r.id),
                message:
                  `${dev.name}: the failed probe's rollback left ${plural(left.length, "devres node")} listed ` +
                  `(${left.length <= 3 ? left.map((r) => describe(r)).join(", ") : summarize(left)}) (${epochLabel(epoch)}).` +
                  (lost > 0 ? ` The trace lost ${lost} events here.` : ""),
                atNs: epoch.end_ns,
                epoch: epoch.index,
                details: { unreleased: left.length },
              },
              left[0],
            ),
          );
        }
        const elsewhere = foreignNodes(model, epoch, dev.name);
        if (elsewhere.length > 0) {
          const devs = [...new Set(elsewhere.map((r) => r.device))].join(", ");
          out.push(
            finding(
              {
                rule: this.id,
                severity: "warning",
                device: dev.name,
                resources: elsewhere.map((r) => r.id),
                message:
                  `${dev.name}: the failed probe attached ${plural(elsewhere.length, "devres node")} to ${devs} (${summarize(elsewhere)}), ` +
                  `which the rollback of ${dev.name} cannot release (${epochLabel(epoch)}).`,
                atNs: epoch.end_ns,
                epoch: epoch.index,
                details: { otherDevices: devs },
              },
              elsewhere[0],
            ),
          );
        }
        const unfreed = unfreedDriverAllocs(model, epoch);
        if (unfreed.length > 0) {
          const bytes = unfreed.reduce((n, a) => n + a.bytes, 0);
          const sites = [...new Set(unfreed.map((a) => a.callSite))];
          const first = unfreed[0] as UnfreedAlloc;
          const ev = model.events[first.index];
          out.push(
            finding(
              {
                rule: this.id,
                severity,
                device: dev.name,
                resources: [],
                message:
                  `${dev.name}: the failed probe kmalloc'ed ${plural(unfreed.length, "buffer")} (${bytes} bytes) from driver code that ${were(unfreed.length)} never ` +
                  `kfree'd: ${sites.slice(0, 4).join(", ")}${sites.length > 4 ? ", ..." : ""} (${epochLabel(epoch)}). devres_release_all() ` +
                  "frees only managed resources; the error path must free these.",
                atNs: first.ts,
                epoch: epoch.index,
                details: { allocations: unfreed.length, bytes, firstSite: first.callSite },
              },
              ev !== undefined
                ? { line: ev.line, ...(ev.src !== undefined ? { src: ev.src } : {}) }
                : undefined,
            ),
          );
        }
      }
    }
    return out;
  },
};

/** devres nodes the probing task added to other devices during the failed probe, still live after it. */
function foreignNodes(model: AnalysisModel, epoch: EpochRecord, device: string): ResourceRecord[] {
  if (epoch.probePid === undefined || epoch.startIndex < 0 || epoch.endIndex < 0) return [];
  const out: ResourceRecord[] = [];
  for (const r of model.resources) {
    if (r.list !== "devres" || r.device === device || r.addPid !== epoch.probePid) continue;
    if (r.addIndex <= epoch.startIndex || r.addIndex >= epoch.endIndex) continue;
    if (r.endIndex >= 0 && r.endIndex <= epoch.endIndex) continue;
    // A child device probed inside this probe owns its own nodes: skip nodes of an epoch that
    // started inside the failed probe.
    const other = model.devices.get(r.device);
    const ownEpoch = other?.epochs[r.epoch];
    if (ownEpoch !== undefined && ownEpoch.startIndex > epoch.startIndex) continue;
    out.push(r);
  }
  return out;
}

/** Driver-module kmallocs by the probing task during the failed probe that were never freed. */
function unfreedDriverAllocs(model: AnalysisModel, epoch: EpochRecord): UnfreedAlloc[] {
  if (
    !model.kmem.hasKmem ||
    epoch.probePid === undefined ||
    epoch.startIndex < 0 ||
    epoch.endIndex < 0
  )
    return [];
  const modules = new Set<string>();
  const bareSites: bigint[] = [];
  const nodes = new Set<string>();
  for (const r of epoch.resources) {
    nodes.add(r.node);
    if (r.allocSite === undefined) continue;
    const m = callSiteModule(r.allocSite);
    if (m !== undefined) modules.add(m);
    const bare = /^0x(ffffffff[0-9a-f]{8})$/i.exec(r.allocSite)?.[1];
    if (bare !== undefined) bareSites.push(BigInt(`0x${bare}`));
  }
  if (epoch.driver !== undefined) modules.add(epoch.driver.replace(/-/g, "_"));
  return model.kmem.unfreedModuleAllocs.filter((a) => {
    if (a.pid !== epoch.probePid || a.index <= epoch.startIndex || a.index >= epoch.endIndex)
      return false;
    if (nodes.has(a.ptr)) return false;
    if (a.module !== undefined) return modules.has(a.module);
    if (a.address === undefined) return false;
    const addr = a.address;
    return bareSites.some((s) => (s > addr ? s - addr : addr - s) <= MODULE_SPAN_BYTES);
  });
}
