import type { TraceEvent } from "../model/events.js";
import type { KmemData, UnfreedAlloc } from "./analysis-model.js";
import { type AnalysisHandler } from "./handler.js";
import { callSiteModule } from "./name-recovery.js";

/** A call site printed as a bare module address (module unloaded before the trace was read). */
const BARE_SITE = /^0xffffffff[0-9a-f]{8}$/i;

/**
 * The module a kmalloc call site belongs to: its `[module]` suffix, "" for a bare
 * `0xffffffff........` address (module code, the module unloaded before the trace was read),
 * null for core-kernel code.
 */
export function moduleOfCallSite(site: string): string | null {
  return callSiteModule(site) ?? (BARE_SITE.test(site) ? "" : null);
}

/**
 * kmem:kmalloc / kmem:kfree bookkeeping for allocations made from module code (drivers): a
 * call site printed with a `[module]` suffix, or as a bare `0xffffffffc...` address once the
 * module was unloaded before the trace was read. Allocations still unfreed at the end of the
 * trace are kept; probe-rollback-incomplete looks for the ones a failed probe left behind.
 * Core-kernel allocations are not tracked (they are not the driver's to free).
 */
export class KmemHandler implements AnalysisHandler<KmemData> {
  readonly name = "kmem";
  readonly kinds = ["kmalloc", "kfree"] as const;
  /** call_site -> module name, "" for bare addresses, null for core-kernel sites (memoized). */
  #siteModule = new Map<string, string | null>();
  #live = new Map<string, UnfreedAlloc>();
  #hasKmem = false;

  reset(): void {
    this.#live = new Map();
    this.#hasKmem = false;
    this.#siteModule = new Map();
  }

  #moduleOf(site: string): string | null {
    let m = this.#siteModule.get(site);
    if (m === undefined) {
      m = moduleOfCallSite(site);
      this.#siteModule.set(site, m);
    }
    return m;
  }

  handleEvent(e: TraceEvent, index: number): void {
    if (e.kind === "kfree") {
      this.#hasKmem = true;
      if (this.#live.size > 0) this.#live.delete(e.ptr);
      return;
    }
    if (e.kind !== "kmalloc") return;
    this.#hasKmem = true;
    // A pointer handed out again was freed in between (kfree not traced or filtered).
    if (this.#live.size > 0) this.#live.delete(e.ptr);
    // Freed later by a line the importer did not keep (keepKmem "evidence").
    if (e.freedLater === true) return;
    const module = this.#moduleOf(e.callSite);
    if (module === null) return;
    const rec: UnfreedAlloc = {
      index,
      ptr: e.ptr,
      callSite: e.callSite,
      bytes: e.bytesReq,
      ts: e.ts,
    };
    if (e.pid !== undefined) rec.pid = e.pid;
    if (module !== "") rec.module = module;
    else rec.address = BigInt(e.callSite);
    this.#live.set(e.ptr, rec);
  }

  finalize(): void {}

  data(): KmemData {
    const unfreed = [...this.#live.values()].sort((a, b) => a.index - b.index);
    return { hasKmem: this.#hasKmem, unfreedModuleAllocs: unfreed };
  }
}
