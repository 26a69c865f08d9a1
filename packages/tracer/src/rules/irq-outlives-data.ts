import type { ResourceRecord } from "../analysis/analysis-model.js";
import type { Finding } from "../model/analysis.js";
import { describe, plural, summarize } from "./describe.js";
import type { Rule } from "./rule.js";
import { addedDevres, epochLabel, finding } from "./rule-support.js";

const DATA_KINDS = new Set(["memory", "dma-coherent", "dma-pool"]);

/**
 * devres releases newest-first (drivers/base/devres.c :: release_nodes), so a managed IRQ
 * requested before memory or DMA buffers of the same binding is freed after them: between
 * the two, the handler can run (a shared line, CONFIG_DEBUG_SHIRQ's extra call in
 * kernel/irq/manage.c :: __free_irq) on memory that is already gone.
 */
export const irqOutlivesData: Rule = {
  id: "irq-outlives-data",
  severity: "warning",
  title: "A managed IRQ is released after memory or DMA buffers of the same binding",
  help:
    "devm_request_irq() was called before devm_kzalloc()/dmam_alloc_coherent()/dmam_pool_create() of the same " +
    "probe, so devres_release_all() frees that memory first and free_irq() runs last: an interrupt arriving in " +
    "between (shared line, CONFIG_DEBUG_SHIRQ) runs the handler on freed memory. Request the IRQ after everything " +
    "its handler uses, or free it explicitly in remove().",
  kernel:
    "kernel/irq/devres.c :: devm_request_threaded_irq; drivers/base/devres.c :: release_nodes (LIFO)",
  run(model) {
    const out: Finding[] = [];
    for (const dev of model.devices.values()) {
      for (const epoch of dev.epochs) {
        const adds = addedDevres(epoch);
        const releaseStart = epoch.releaseStartIndex ?? -1;
        const freedTogether = (r: ResourceRecord): boolean =>
          r.end === "live" ||
          r.leftover === true ||
          (r.endOp === "REL" && releaseStart >= 0 && r.endIndex >= releaseStart);
        for (const irq of adds) {
          if (
            irq.kind !== "irq" ||
            (irq.recoveredName ?? irq.name) !== "devm_irq_release" ||
            !freedTogether(irq)
          )
            continue;
          const data = adds.filter(
            (r) =>
              DATA_KINDS.has(r.kind) &&
              r.addIndex > irq.addIndex &&
              freedTogether(r) &&
              r.end !== "removed",
          );
          if (data.length === 0) continue;
          out.push(
            finding(
              {
                rule: this.id,
                severity: this.severity,
                device: dev.name,
                resources: [irq.id, ...data.map((r) => r.id)],
                message:
                  `${dev.name}: ${describe(irq)} was requested before ${plural(data.length, "memory/DMA resource")} of the same probe ` +
                  `(${data.length <= 3 ? data.map((r) => describe(r)).join(", ") : summarize(data)}), so devres_release_all() frees them ` +
                  `first and the IRQ stays live on freed data until free_irq() (${epochLabel(epoch)}).`,
                atNs: irq.addedNs,
                epoch: epoch.index,
                details: { dataResources: data.length },
              },
              irq,
            ),
          );
        }
      }
    }
    return out;
  },
};
