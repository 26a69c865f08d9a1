/**
 * The native JSONL layout (docs/trace-format.md, "JSONL"): one header line, then one event per
 * line with a FIXED key order per kind, so that write(read(x)) === x byte for byte and
 * read(write(events)) deep-equals events.
 *
 * The table below is the single source of that order; the writer and the reader both walk it.
 * A compile-time check (`_complete`) fails the build when the event model gains a field that is
 * not listed here.
 */
import type { EventOrigin, TRACE_SCHEMA, TraceEvent, TraceEventKind } from "../model/events.js";

/** s = string, i = integer, n = number, b = boolean, or the allowed string values. */
export type FieldType = "s" | "i" | "n" | "b" | readonly string[];

/** [name, type, optional] */
export type FieldSpec = readonly [string, FieldType, boolean];

const VIA = ["dmesg", "console"] as const;

/** Origin fields, first on every line (after `kind`). */
export const ORIGIN_FIELDS = [
  ["ts", "i", false],
  ["line", "i", false],
  ["src", "i", true],
  ["cpu", "i", true],
  ["task", "s", true],
  ["pid", "i", true],
  ["flags", "s", true],
] as const satisfies readonly (readonly [keyof EventOrigin, FieldType, boolean])[];

export const KIND_FIELDS = {
  devres: [
    ["dev", "s", false],
    ["op", ["ADD", "REL", "REM", "REPLACE"], false],
    ["node", "s", false],
    ["name", "s", false],
    ["size", "i", false],
    ["nameForm", ["plain", "module", "module-gone", "null", "pointer"], true],
    ["nameAddr", "s", true],
    ["opAddr", "s", true],
    ["via", VIA, true],
    ["allocSite", "s", true],
    ["allocBytes", "i", true],
    ["freeSite", "s", true],
    ["driver", "s", true],
  ],
  drmres: [
    ["dev", "s", false],
    ["driver", "s", true],
    ["op", ["ADD", "REL", "DEL"], false],
    ["node", "s", false],
    ["name", "s", false],
    ["size", "i", false],
    ["via", VIA, true],
    ["func", "s", true],
  ],
  drmres_release: [
    ["phase", ["begin", "end"], false],
    ["dev", "s", true],
    ["driver", "s", true],
    ["via", VIA, true],
    ["func", "s", true],
  ],
  kmalloc: [
    ["callSite", "s", false],
    ["ptr", "s", false],
    ["bytesReq", "i", false],
    ["bytesAlloc", "i", false],
    ["gfp", "s", false],
    ["numaNode", "i", true],
    ["accounted", "b", true],
    ["freedLater", "b", true],
  ],
  kfree: [
    ["callSite", "s", false],
    ["ptr", "s", false],
  ],
  module: [
    ["op", ["load", "free"], false],
    ["module", "s", false],
    ["taints", "s", true],
  ],
  marker: [["text", "s", false]],
  log: [
    ["text", "s", false],
    ["dev", "s", true],
    ["driver", "s", true],
    ["via", VIA, true],
  ],
  probe_failed: [
    ["driver", "s", false],
    ["dev", "s", false],
    ["errno", "i", false],
    ["form", ["dev"], true],
    ["via", VIA, true],
  ],
  resources_before_probe: [
    ["dev", "s", false],
    ["driver", "s", true],
    ["via", VIA, true],
  ],
  pool_busy: [
    ["pool", "s", false],
    ["dev", "s", true],
    ["driver", "s", true],
    ["addr", "s", true],
    ["form", ["v6.3", "legacy"], false],
    ["via", VIA, true],
  ],
  lost: [["count", "i", false]],
  irq: [
    ["phase", ["entry", "exit"], false],
    ["irq", "i", false],
    ["name", "s", true],
    ["ret", ["handled", "unhandled"], true],
  ],
  report: [
    [
      "report",
      [
        "kasan-use-after-free",
        "kasan-double-free",
        "kasan-invalid-free",
        "kasan-out-of-bounds",
        "kasan-other",
        "iommu-fault",
        "page-fault",
        "irq-double-free",
        "warning",
      ],
      false,
    ],
    ["text", "s", false],
    ["dev", "s", true],
    ["addr", "s", true],
    ["func", "s", true],
    ["via", VIA, true],
  ],
} as const satisfies {
  readonly [K in TraceEventKind]: readonly (readonly [
    Exclude<keyof Extract<TraceEvent, { kind: K }>, keyof EventOrigin | "kind">,
    FieldType,
    boolean,
  ])[];
};

// Compile-time completeness: every field of every event kind is listed above.
type Listed<K extends TraceEventKind> = (typeof KIND_FIELDS)[K][number][0];
type Missing = {
  [K in TraceEventKind]: Exclude<
    keyof Extract<TraceEvent, { kind: K }>,
    Listed<K> | keyof EventOrigin | "kind"
  >;
}[TraceEventKind];
type MissingOrigin = Exclude<keyof EventOrigin, (typeof ORIGIN_FIELDS)[number][0]>;
const _complete: [Missing | MissingOrigin] extends [never]
  ? true
  : { missingJsonlFields: Missing | MissingOrigin } = true;
void _complete;

export function isKind(k: string): k is TraceEventKind {
  return Object.prototype.hasOwnProperty.call(KIND_FIELDS, k);
}

export type JsonValue =
  string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };

/** The first line of a devscope JSONL file. */
export interface JsonlHeader {
  schema: typeof TRACE_SCHEMA;
  /** Where the events came from: `{ "format": "ftrace", "path": "...", ... }` or a simulator's seed. */
  source: { [key: string]: JsonValue };
}
