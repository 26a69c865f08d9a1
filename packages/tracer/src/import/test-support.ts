/**
 * Helpers shared by the importer tests (not part of the public API; only *.test.ts import it).
 */
import type { LineAccounting } from "../model/analysis.js";
import type { DevresEvent, TraceEvent } from "../model/events.js";

/** parsed + sum(ignored) + rejected: must equal `total` for every import. */
export function accounted(lines: LineAccounting): number {
  let n = lines.parsed + lines.rejected;
  for (const v of Object.values(lines.ignored)) n += v;
  return n;
}

/** `{ "<dev> <op>": count }` over devres events. */
export function devresCounts(events: readonly TraceEvent[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const e of events)
    if (e.kind === "devres") out[`${e.dev} ${e.op}`] = (out[`${e.dev} ${e.op}`] ?? 0) + 1;
  return out;
}

export function kindCounts(events: readonly TraceEvent[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const e of events) out[e.kind] = (out[e.kind] ?? 0) + 1;
  return out;
}

export function devresEvents(events: readonly TraceEvent[]): DevresEvent[] {
  return events.filter((e): e is DevresEvent => e.kind === "devres");
}

/** Number of "\n"-terminated lines, plus a last line without one (what `wc -l` counts, +1 if unterminated). */
export function countLines(bytes: Uint8Array): number {
  let n = 0;
  let pos = 0;
  for (;;) {
    const nl = bytes.indexOf(10, pos);
    if (nl < 0) break;
    n++;
    pos = nl + 1;
  }
  return pos < bytes.length ? n + 1 : n;
}
