/**
 * Renders kernel log events the way the kernel prints them: the message text of each log
 * event kind (shared with the ftrace writer's `console:` events) and whole dmesg lines
 * (`[%5lu.%06lu] ` + text, kernel/printk/printk.c :: print_time).
 *
 * Each message form mirrors the kernel's format string:
 * - dev_printk prefix `"%s %s: "` (dev_driver_string, dev_name) — drivers/base/core.c :: __dev_printk
 * - `DEVRES %3s %p %s (%zu bytes)` — drivers/base/devres.c :: devres_dbg
 * - `[drm:%ps] ADD|REL|DEL %p %s (%lu bytes)`, `drmres release begin|end` — drm_managed.c via drm_dev_dbg
 * - `%s: probe of %s failed with error %d` (≤ v6.9) / `probe with driver %s failed with error %d` (v6.10+) — dd.c :: call_driver_probe
 * - `Resources present before probing` — dd.c :: really_probe
 * - `dma_pool_destroy %s busy` (v6.3+) / `dma_pool_destroy %s, %p busy` — mm/dmapool.c :: dma_pool_destroy
 */
import type { DevresEvent, TraceEvent } from "../model/events.js";

/** The function drm_managed.c prints each op from when the event does not name one. */
const USUAL_DRM_FUNC: Record<string, string> = {
  ADD: "add_dr",
  REL: "drm_managed_release",
  DEL: "drmm_kfree",
};

/** The `%s` name field of a devres record as printed (module names through the unsafe-string path). */
export function devresNameText(ev: Pick<DevresEvent, "name" | "nameForm" | "nameAddr">): string {
  switch (ev.nameForm) {
    case "module":
      return `(${ev.nameAddr ?? ""}:${ev.name})[UNSAFE-MEMORY]`;
    case "module-gone":
      return `(${ev.nameAddr ?? ev.name})[UNSAFE-MEMORY]`;
    case "pointer":
      return ev.nameAddr ?? ev.name;
    default:
      return ev.name;
  }
}

function devPrefix(driver: string | undefined, dev: string): string {
  return `${driver ?? ""} ${dev}: `;
}

/**
 * The printk message of a log-type event (what dmesg shows after the timestamp, and what a
 * printk:console trace event carries). Null for kinds that are not kernel log messages.
 */
export function kernelLogText(ev: TraceEvent): string | null {
  switch (ev.kind) {
    case "log":
    case "report":
      return ev.text;
    case "devres":
      return `${devPrefix(ev.driver, ev.dev)}DEVRES ${ev.op.padStart(3)} ${ev.node} ${devresNameText(ev)} (${ev.size} bytes)`;
    case "drmres": {
      const prefix = ev.dev === "" ? "" : devPrefix(ev.driver, ev.dev);
      return `${prefix}[drm:${ev.func ?? USUAL_DRM_FUNC[ev.op] ?? "drm_managed_release"} [drm]] ${ev.op} ${ev.node} ${ev.name} (${ev.size} bytes)`;
    }
    case "drmres_release": {
      const prefix = ev.dev === undefined ? "" : devPrefix(ev.driver, ev.dev);
      return `${prefix}[drm:${ev.func ?? "drm_managed_release"} [drm]] drmres release ${ev.phase}`;
    }
    case "probe_failed":
      return ev.form === "dev"
        ? `${ev.driver} ${ev.dev}: probe with driver ${ev.driver} failed with error ${ev.errno}`
        : `${ev.driver}: probe of ${ev.dev} failed with error ${ev.errno}`;
    case "resources_before_probe":
      return `${devPrefix(ev.driver, ev.dev)}Resources present before probing`;
    case "pool_busy": {
      const prefix = ev.dev === undefined ? "" : devPrefix(ev.driver, ev.dev);
      return ev.form === "legacy"
        ? `${prefix}dma_pool_destroy ${ev.pool}, ${ev.addr ?? ""} busy`
        : `${prefix}dma_pool_destroy ${ev.pool} busy`;
    }
    default:
      return null;
  }
}

/** `[%5lu.%06lu] ` of a timestamp in ns (printk's print_time: microsecond resolution). */
export function dmesgTime(ns: number): string {
  const us = Math.floor(ns / 1000);
  const secs = Math.floor(us / 1e6);
  return `[${String(secs).padStart(5)}.${String(us - secs * 1e6).padStart(6, "0")}] `;
}

/** One dmesg line for a log-type event (without newline); null for other kinds. */
export function dmesgLine(ev: TraceEvent): string | null {
  const text = kernelLogText(ev);
  if (text === null) return null;
  return ev.ts < 0 ? text : dmesgTime(ev.ts) + text;
}

export interface DmesgOutput {
  /** The dmesg text, one line per written event, each ending in "\n". */
  text: string;
  /** Events written. */
  lines: number;
  /** Events that are not kernel log messages (kmalloc, markers...), counted per kind. */
  skipped: Record<string, number>;
}

/**
 * `dmesg` of a list of events: every kernel log message in order. Events of other kinds are
 * not part of the kernel log; they are counted in `skipped`, never silently lost.
 */
export function writeDmesg(events: Iterable<TraceEvent>): DmesgOutput {
  const out: string[] = [];
  const skipped: Record<string, number> = {};
  for (const ev of events) {
    const line = dmesgLine(ev);
    if (line === null) skipped[ev.kind] = (skipped[ev.kind] ?? 0) + 1;
    else out.push(line);
  }
  return { text: out.length === 0 ? "" : out.join("\n") + "\n", lines: out.length, skipped };
}
