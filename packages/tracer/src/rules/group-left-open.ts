import type { Finding } from "../model/analysis.js";
import { describe, plural } from "./describe.js";
import type { Rule } from "./rule.js";
import { epochLabel, finding, probeEndIndex } from "./rule-support.js";

/**
 * devres_open_group() during probe without devres_close_group/remove_group/release_group: the
 * group stays open after probe() returns and silently absorbs every later devm allocation on
 * the device, so a later devres_release_group(dev, NULL) frees more than intended
 * (drivers/base/devres.c :: devres_open_group, find_group). A group the driver released or
 * removed itself (libata's ata_host_alloc/ata_pci_sff_prepare_host) is fine, and a failed
 * probe releases everything anyway.
 */
export const groupLeftOpen: Rule = {
  id: "group-left-open",
  severity: "warning",
  title: "A devres group opened during probe was never closed, removed or released",
  help:
    "The group's open marker stayed on the list after the probe finished, so every later devm_* allocation on the " +
    "device becomes part of it. Close it with devres_close_group(), or drop it with devres_remove_group() once the " +
    "probe step succeeded.",
  kernel: "drivers/base/devres.c :: devres_open_group, devres_close_group, devres_remove_group",
  run(model) {
    const out: Finding[] = [];
    for (const dev of model.devices.values()) {
      for (const epoch of dev.epochs) {
        if (epoch.end === "probe-failed" || epoch.startIndex < 0) continue;
        const probeEnd = probeEndIndex(model, epoch);
        for (const g of epoch.resources) {
          if (!g.isGroup || g.addIndex < 0 || g.closedNs !== undefined || g.end === "removed")
            continue;
          // Opened by the probe itself: the probing task, before it returned to user space.
          if (g.addPid !== epoch.probePid || (probeEnd !== undefined && g.addIndex > probeEnd))
            continue;
          const openUntil = g.endIndex >= 0 ? g.endIndex : Number.POSITIVE_INFINITY;
          const absorbed = epoch.resources.filter(
            (r) => r.group === g.id && r.addIndex > g.addIndex,
          );
          const late = absorbed.filter(
            (r) => r.addPid !== epoch.probePid || (probeEnd !== undefined && r.addIndex > probeEnd),
          );
          const survived = probeEnd !== undefined ? openUntil > probeEnd : late.length > 0;
          if (!survived) continue;
          out.push(
            finding(
              {
                rule: this.id,
                severity: this.severity,
                device: dev.name,
                resources: [g.id, ...late.map((r) => r.id)],
                message:
                  `${dev.name}: the devres group opened at line ${g.addLine ?? "?"} (${describe(g, false)}) was still open after the probe ` +
                  `finished and was never closed or removed` +
                  (late.length > 0
                    ? `; it absorbed ${plural(late.length, "later resource")}`
                    : "") +
                  ` (${epochLabel(epoch)}).`,
                atNs: g.addedNs,
                epoch: epoch.index,
                details: { absorbed: late.length },
              },
              g,
            ),
          );
        }
      }
    }
    return out;
  },
};
