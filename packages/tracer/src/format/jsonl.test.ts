// The native JSONL format: exact round trips (property-tested over every event kind, built
// from the schema table itself) and precise rejects.
import { readFileSync } from "node:fs";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { TRACE_SCHEMA, type TraceEvent } from "../model/events.js";
import { importText } from "../import/importer.js";
import {
  KIND_FIELDS,
  ORIGIN_FIELDS,
  type FieldSpec,
  type FieldType,
  type JsonlHeader,
} from "./jsonl-schema.js";
import { parseJsonlEvent } from "./jsonl-reader.js";
import { eventToJson, jsonlLines, writeJsonl } from "./jsonl-writer.js";

const header: JsonlHeader = {
  schema: TRACE_SCHEMA,
  source: { format: "ftrace", path: "x.txt", tool: "devscope" },
};

function valueArb(t: FieldType): fc.Arbitrary<unknown> {
  if (t === "s") return fc.string({ unit: "grapheme", maxLength: 20 });
  if (t === "i") return fc.integer({ min: -1, max: Number.MAX_SAFE_INTEGER });
  if (t === "n") return fc.double({ noNaN: true, noDefaultInfinity: true });
  if (t === "b") return fc.boolean();
  return fc.constantFrom(...t);
}

/** Any valid event of any kind, optional fields present or not. */
const eventArb: fc.Arbitrary<TraceEvent> = fc
  .constantFrom(...(Object.keys(KIND_FIELDS) as (keyof typeof KIND_FIELDS)[]))
  .chain((kind) => {
    const fields: readonly FieldSpec[] = [
      ...ORIGIN_FIELDS,
      ...(KIND_FIELDS[kind] as readonly FieldSpec[]),
    ];
    const model: Record<string, fc.Arbitrary<unknown>> = {};
    for (const [name, type] of fields) model[name] = valueArb(type);
    const required = fields.filter(([, , optional]) => !optional).map(([name]) => name);
    return fc
      .record(model, { requiredKeys: required })
      .map((r) => ({ kind, ...r }) as unknown as TraceEvent);
  });

describe("JSONL", () => {
  it("header line, then one event per line", () => {
    const ev: TraceEvent = { kind: "marker", ts: 5, line: 3, text: "rk: a" };
    expect(writeJsonl(header, [ev])).toBe(
      '{"schema":"devscope.trace/1","source":{"format":"ftrace","path":"x.txt","tool":"devscope"}}\n{"kind":"marker","ts":5,"line":3,"text":"rk: a"}\n',
    );
    expect([...jsonlLines(header, [ev, ev])]).toHaveLength(3);
  });

  it("fixed key order whatever the object's own order", () => {
    const a = { text: "x", line: 2, kind: "marker", ts: 1 } as unknown as TraceEvent;
    expect(eventToJson(a)).toBe('{"kind":"marker","ts":1,"line":2,"text":"x"}');
  });

  it("property: read(write(events)) deep-equals events and write(read(x)) === x", () => {
    fc.assert(
      fc.property(fc.array(eventArb, { maxLength: 30 }), (events) => {
        const text = writeJsonl(header, events);
        const r = importText(text);
        expect(r.format).toBe("jsonl");
        expect(r.lines.rejected).toBe(0);
        expect(r.events).toEqual(events);
        expect(writeJsonl(header, r.events)).toBe(text);
      }),
      { numRuns: 300 },
    );
  });

  it("round-trips a real capture byte for byte", () => {
    const real = importText(
      readFileSync(
        new URL("../../../../fixtures/real-traces/bochs-drm-unbind.ftrace.txt", import.meta.url),
        "utf8",
      ),
      { keepKmem: "all" },
    );
    const text = writeJsonl(header, real.events);
    const back = importText(text);
    expect(back.events).toEqual(real.events);
    expect(writeJsonl(header, back.events)).toBe(text);
    expect(back.lines).toMatchObject({
      total: real.events.length + 1,
      parsed: real.events.length,
      ignored: { "(jsonl header)": 1 },
    });
  });

  it("rejects bad lines with line numbers and keeps the rest", () => {
    const text = [
      JSON.stringify(header),
      '{"kind":"marker","ts":1,"line":1,"text":"ok"}',
      '{"kind":"marker","ts":1,',
      '{"kind":"sched_switch","ts":1,"line":1}',
      '{"kind":"marker","ts":1,"line":1}',
      '{"kind":"devres","ts":1,"line":1,"dev":"d","op":"ADDED","node":"n","name":"x","size":1}',
      '{"kind":"marker","ts":1.5,"line":1,"text":"x"}',
      "[1,2]",
      '{"kind":"marker","ts":2,"line":2,"text":"ok2","extra":true}',
    ].join("\n");
    const r = importText(text);
    expect(r.lines).toMatchObject({ total: 9, parsed: 2, rejected: 6 });
    expect(r.lines.rejectedSamples.map((s) => [s.line, s.reason.replace(/\(.*\)/, "(…)")])).toEqual(
      [
        [3, "invalid JSON (…)"],
        [4, 'unknown event kind "sched_switch"'],
        [5, 'marker: missing field "text"'],
        [6, 'devres: field "op" must be one of "ADD", "REL", "REM", "REPLACE"'],
        [7, 'marker: field "ts" must be an integer'],
        [8, "expected a JSON object per line"],
      ],
    );
    expect(r.notes.some((n) => n.includes("1 unknown JSONL field dropped"))).toBe(true);
  });

  it("a newer schema stops the import with a clear error", () => {
    const r = importText(
      '{"schema":"devscope.trace/2","source":{}}\n{"kind":"marker","ts":1,"line":1,"text":"x"}\n',
      { path: "new.jsonl" },
    );
    expect(r.error).toBe(
      'new.jsonl: unsupported schema "devscope.trace/2" (this reader reads "devscope.trace/1")',
    );
    expect(r.events).toEqual([]);
  });

  it("parseJsonlEvent reports the first problem", () => {
    expect(parseJsonlEvent('{"kind":"lost","ts":1,"line":1,"count":"3"}')).toEqual({
      ok: false,
      reason: 'lost: field "count" must be an integer',
    });
    expect(parseJsonlEvent('{"ts":1}')).toEqual({ ok: false, reason: 'missing "kind"' });
  });
});
