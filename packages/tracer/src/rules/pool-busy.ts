import type { ResourceRecord } from "../analysis/analysis-model.js";
import type { Finding } from "../model/analysis.js";
import { describe, secs } from "./describe.js";
import type { Rule } from "./rule.js";
import { finding } from "./rule-support.js";

/**
 * `dma_pool_destroy <name> busy`: the pool was destroyed with blocks still allocated
 * (mm/dmapool.c :: dma_pool_destroy). The kernel then leaks the pool's pages on purpose, since
 * the device may still be writing into them. With dmam_pool_create() the destroy runs from
 * devres at unbind, after remove(): the driver did not free its blocks (or stop the DMA) first.
 */
export const poolBusy: Rule = {
  id: "pool-busy",
  severity: "error",
  title: "A DMA pool was destroyed while blocks were still allocated",
  help:
    "dma_pool_destroy() found blocks that were never returned with dma_pool_free(). The pages are leaked on " +
    "purpose because the hardware may still DMA into them. Free every block (and stop the device's DMA) in " +
    "remove() before the pool goes away.",
  kernel: "mm/dmapool.c :: dma_pool_destroy, dmam_pool_release",
  run(model) {
    const out: Finding[] = [];
    for (const i of model.poolBusy) {
      const e = model.events[i];
      if (e?.kind !== "pool_busy") continue;
      // The dmam_pool_release node whose release printed this: the latest one released before.
      let pool: ResourceRecord | undefined;
      for (const r of model.resources) {
        if (r.kind !== "dma-pool" || r.endIndex < 0 || r.endIndex > i) continue;
        if (e.dev !== undefined && r.device !== e.dev) continue;
        if (pool === undefined || r.endIndex > pool.endIndex) pool = r;
      }
      const device = e.dev ?? pool?.device ?? "";
      out.push(
        finding(
          {
            rule: this.id,
            severity: this.severity,
            device,
            resources: pool !== undefined ? [pool.id] : [],
            message:
              `${device || "(unknown device)"}: dma_pool_destroy found blocks still in use in pool "${e.pool}" at ${secs(e.ts)} (line ${e.line})` +
              (pool !== undefined ? `, released by devres as ${describe(pool)}` : "") +
              "; its pages are leaked and the device may still DMA into them.",
            atNs: e.ts,
            ...(pool !== undefined ? { epoch: pool.epoch } : {}),
            details: { pool: e.pool, form: e.form },
          },
          { line: e.line, ...(e.src !== undefined ? { src: e.src } : {}) },
        ),
      );
    }
    return out;
  },
};
