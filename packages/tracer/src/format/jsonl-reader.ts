/**
 * Reads one line of the native JSONL format. Each line is checked against jsonl-schema.ts:
 * known kind, required fields present, every field of the right type. The event is rebuilt in
 * the canonical key order, so writing it again gives the same bytes.
 */
import { TRACE_SCHEMA, type TraceEvent } from "../model/events.js";
import {
  isKind,
  KIND_FIELDS,
  ORIGIN_FIELDS,
  type FieldSpec,
  type FieldType,
  type JsonlHeader,
  type JsonValue,
} from "./jsonl-schema.js";

export type JsonlLineResult =
  { ok: true; event: TraceEvent; unknownFields: number } | { ok: false; reason: string };

function typeOk(v: unknown, t: FieldType): boolean {
  if (t === "s") return typeof v === "string";
  if (t === "i") return typeof v === "number" && Number.isSafeInteger(v);
  if (t === "n") return typeof v === "number" && Number.isFinite(v);
  if (t === "b") return typeof v === "boolean";
  return typeof v === "string" && t.includes(v);
}

function describe(t: FieldType): string {
  if (t === "s") return "a string";
  if (t === "i") return "an integer";
  if (t === "n") return "a number";
  if (t === "b") return "true or false";
  return `one of ${t.map((x) => JSON.stringify(x)).join(", ")}`;
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

export function parseJsonlEvent(text: string): JsonlLineResult {
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch (e) {
    return { ok: false, reason: `invalid JSON (${e instanceof Error ? e.message : String(e)})` };
  }
  if (!isRecord(v)) return { ok: false, reason: "expected a JSON object per line" };
  const kind = v["kind"];
  if (typeof kind !== "string") return { ok: false, reason: 'missing "kind"' };
  if (!isKind(kind)) return { ok: false, reason: `unknown event kind "${kind}"` };
  const out: Record<string, unknown> = { kind };
  let known = 1;
  const fields: readonly FieldSpec[] = [
    ...ORIGIN_FIELDS,
    ...(KIND_FIELDS[kind] as readonly FieldSpec[]),
  ];
  for (const [name, type, optional] of fields) {
    const value = v[name];
    if (value === undefined) {
      if (!optional) return { ok: false, reason: `${kind}: missing field "${name}"` };
      continue;
    }
    if (!typeOk(value, type))
      return { ok: false, reason: `${kind}: field "${name}" must be ${describe(type)}` };
    out[name] = value;
    known++;
  }
  return {
    ok: true,
    event: out as unknown as TraceEvent,
    unknownFields: Object.keys(v).length - known,
  };
}

export type JsonlHeaderResult =
  { ok: true; header: JsonlHeader } | { ok: false; reason: string; fatal: boolean };

export function parseJsonlHeader(text: string): JsonlHeaderResult {
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch (e) {
    return {
      ok: false,
      reason: `invalid JSON header (${e instanceof Error ? e.message : String(e)})`,
      fatal: false,
    };
  }
  if (!isRecord(v) || typeof v["schema"] !== "string")
    return {
      ok: false,
      reason: `expected the header line {"schema":"${TRACE_SCHEMA}","source":{...}}`,
      fatal: false,
    };
  const schema = v["schema"];
  if (schema !== TRACE_SCHEMA) {
    return {
      ok: false,
      reason: `unsupported schema "${schema}" (this reader reads "${TRACE_SCHEMA}")`,
      fatal: schema.startsWith("devscope.trace/"),
    };
  }
  const source = v["source"];
  if (source !== undefined && !isRecord(source))
    return { ok: false, reason: 'header: "source" must be an object', fatal: false };
  return {
    ok: true,
    header: { schema: TRACE_SCHEMA, source: (source ?? {}) as { [key: string]: JsonValue } },
  };
}
