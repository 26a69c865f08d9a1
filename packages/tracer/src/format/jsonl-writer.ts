/**
 * Writes the native JSONL format: a header line, then one event per line, keys in the fixed
 * order of jsonl-schema.ts. Optional fields that are absent are omitted.
 */
import type { TraceEvent } from "../model/events.js";
import { KIND_FIELDS, ORIGIN_FIELDS, type FieldSpec, type JsonlHeader } from "./jsonl-schema.js";

/** One event as a JSON line (no newline). */
export function eventToJson(ev: TraceEvent): string {
  const rec = ev as unknown as Record<string, unknown>;
  const out: Record<string, unknown> = { kind: ev.kind };
  for (const [name] of ORIGIN_FIELDS) if (rec[name] !== undefined) out[name] = rec[name];
  for (const [name] of KIND_FIELDS[ev.kind] as readonly FieldSpec[])
    if (rec[name] !== undefined) out[name] = rec[name];
  return JSON.stringify(out);
}

export function headerToJson(header: JsonlHeader): string {
  return JSON.stringify({ schema: header.schema, source: header.source });
}

/** Streaming form: yields the header line and each event line, each ending with "\n". */
export function* jsonlLines(header: JsonlHeader, events: Iterable<TraceEvent>): Generator<string> {
  yield `${headerToJson(header)}\n`;
  for (const ev of events) yield `${eventToJson(ev)}\n`;
}

export function writeJsonl(header: JsonlHeader, events: Iterable<TraceEvent>): string {
  let out = "";
  for (const line of jsonlLines(header, events)) out += line;
  return out;
}
