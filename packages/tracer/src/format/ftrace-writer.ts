/**
 * Renders events as `cat /sys/kernel/tracing/trace` prints them (and, without the header, as
 * trace_pipe does): kernel/trace/trace_output.c :: trace_print_context
 * (`"%16s-%-7d "` comm-pid, `"[%03d] "` cpu, the irq/preempt flags, `" %5lu.%06lu: "`), the
 * event name, then each event's TP_printk:
 * - dev:devres_log `"%s %3s %p %s (%zu bytes)"` (drivers/base/trace.h)
 * - kmem:kmalloc `"call_site=%pS ptr=%p bytes_req=%zu bytes_alloc=%zu gfp_flags=%s node=%d accounted=%s"` (6.1 include/trace/events/kmem.h)
 * - kmem:kfree `"call_site=%pS ptr=%p"`
 * - module:module_load `"%s %s"` (name, taints), module:module_free `"%s"`
 * - printk:console `"%s"`; ftrace print (trace_marker) `tracing_mark_write: %s`
 * - irq:irq_handler_entry `"irq=%d name=%s"`, irq:irq_handler_exit `"irq=%d ret=%s"`
 * - `CPU:%d [LOST %lu EVENTS]` (kernel/trace/trace.c :: print_trace_line)
 */
import type { TraceEvent } from "../model/events.js";
import { devresNameText, kernelLogText } from "./dmesg-writer.js";

/** The header `cat trace` prints before the events (5-column flags layout, v5.17+). */
export function ftraceHeader(
  entriesInBuffer: number,
  entriesWritten: number,
  cpus: number,
  tracer = "nop",
): string {
  return (
    `# tracer: ${tracer}\n` +
    "#\n" +
    `# entries-in-buffer/entries-written: ${entriesInBuffer}/${entriesWritten}   #P:${cpus}\n` +
    "#\n" +
    "#                                _-----=> irqs-off/BH-disabled\n" +
    "#                               / _----=> need-resched\n" +
    "#                              | / _---=> hardirq/softirq\n" +
    "#                              || / _--=> preempt-depth\n" +
    "#                              ||| / _-=> migrate-disable\n" +
    "#                              |||| /     delay\n" +
    "#           TASK-PID     CPU#  |||||  TIMESTAMP  FUNCTION\n" +
    "#              | |         |   |||||     |         |\n"
  );
}

/** `" %5lu.%06lu"` of a timestamp in ns, without the leading space. */
function traceTime(ns: number): string {
  const us = Math.floor(ns / 1000);
  const secs = Math.floor(us / 1e6);
  return `${String(secs).padStart(5)}.${String(us - secs * 1e6).padStart(6, "0")}`;
}

/** The `comm-pid [cpu] flags timestamp: ` context of one line. */
export function ftraceContext(ev: TraceEvent): string {
  const task = ev.task ?? "<...>";
  return `${task.padStart(16)}-${String(ev.pid ?? 0).padEnd(7)} [${String(ev.cpu ?? 0).padStart(3, "0")}] ${ev.flags ?? "....."} ${traceTime(ev.ts)}: `;
}

/** `event_name: payload` of an event, or null when the event has no ftrace form. */
export function ftracePayload(ev: TraceEvent): string | null {
  switch (ev.kind) {
    case "devres":
      if (ev.via !== undefined) return consolePayload(ev);
      return `devres_log: ${ev.dev} ${ev.op.padStart(3)} ${ev.node} ${devresNameText(ev)} (${ev.size} bytes)`;
    case "kmalloc": {
      let s = `kmalloc: call_site=${ev.callSite} ptr=${ev.ptr} bytes_req=${ev.bytesReq} bytes_alloc=${ev.bytesAlloc} gfp_flags=${ev.gfp}`;
      if (ev.numaNode !== undefined) s += ` node=${ev.numaNode}`;
      if (ev.accounted !== undefined) s += ` accounted=${ev.accounted ? "true" : "false"}`;
      return s;
    }
    case "kfree":
      return `kfree: call_site=${ev.callSite} ptr=${ev.ptr}`;
    case "module":
      return ev.op === "load"
        ? `module_load: ${ev.module} ${ev.taints ?? ""}`
        : `module_free: ${ev.module}`;
    case "marker":
      return `tracing_mark_write: ${ev.text}`;
    case "irq":
      return ev.phase === "entry"
        ? `irq_handler_entry: irq=${ev.irq} name=${ev.name ?? ""}`
        : `irq_handler_exit: irq=${ev.irq} ret=${ev.ret ?? "unhandled"}`;
    case "lost":
      return null;
    default:
      return consolePayload(ev);
  }
}

/** Kernel log events appear in a trace only as printk:console events. */
function consolePayload(ev: TraceEvent): string | null {
  if (!("via" in ev) || ev.via !== "console") return null;
  const text = kernelLogText(ev);
  return text === null ? null : `console: ${text}`;
}

/** One trace line (no newline), or null for events that have no place in a trace (dmesg lines). */
export function ftraceLine(ev: TraceEvent): string | null {
  if (ev.kind === "lost") return `CPU:${ev.cpu ?? 0} [LOST ${ev.count} EVENTS]`;
  const payload = ftracePayload(ev);
  return payload === null ? null : ftraceContext(ev) + payload;
}

export interface FtraceWriteOptions {
  /** `#P:` CPUs; default one more than the highest CPU seen (at least 1). */
  cpus?: number;
  /** Header counts; default the number of event lines written (nothing overwritten). */
  entriesInBuffer?: number;
  entriesWritten?: number;
  /** false: trace_pipe layout (no header). Default true. */
  header?: boolean;
  tracer?: string;
}

export interface FtraceOutput {
  text: string;
  /** Event lines written (LOST markers excluded). */
  lines: number;
  /** Events without an ftrace form (dmesg-only lines), counted per kind. */
  skipped: Record<string, number>;
}

/** A whole `trace` file (or trace_pipe stream) for events in order. */
export function writeFtrace(
  events: Iterable<TraceEvent>,
  opts: FtraceWriteOptions = {},
): FtraceOutput {
  const body: string[] = [];
  const skipped: Record<string, number> = {};
  let lines = 0;
  let maxCpu = 0;
  for (const ev of events) {
    const line = ftraceLine(ev);
    if (line === null) {
      skipped[ev.kind] = (skipped[ev.kind] ?? 0) + 1;
      continue;
    }
    body.push(line);
    if (ev.kind !== "lost") lines++;
    if (ev.cpu !== undefined && ev.cpu > maxCpu) maxCpu = ev.cpu;
  }
  let text = body.length === 0 ? "" : body.join("\n") + "\n";
  if (opts.header !== false) {
    text =
      ftraceHeader(
        opts.entriesInBuffer ?? lines,
        opts.entriesWritten ?? opts.entriesInBuffer ?? lines,
        opts.cpus ?? maxCpu + 1,
        opts.tracer,
      ) + text;
  }
  return { text, lines, skipped };
}
