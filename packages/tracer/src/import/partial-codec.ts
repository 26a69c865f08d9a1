/**
 * A compact, transferable form of a SegmentPartial for crossing thread boundaries.
 *
 * A worker's partial holds tens of thousands of event objects (devres events, linked or kept
 * kmem events). Structured clone serializes and rebuilds each one as a generic object: measured
 * 42-85 ms for one half of large-stress, longer than parsing a quarter of it. Here every event,
 * wherever it sits in the partial, is packed into typed-array columns (one value per field,
 * fields in the object's own key order) plus a table of the distinct strings, and rebuilt on
 * the receiving thread field by field: the same objects, the same key order. Generic over event
 * kinds (no per-kind code to keep in step with the event model). Pure: usable from Node
 * worker_threads and browser Web Workers alike.
 */
import type { TraceEvent } from "../model/events.js";
import type { EvidenceExport, KmemEvent, OpenAlloc } from "./kmem-evidence.js";
import type { HeadKfree, KmallocRecord, KmemExtra, LinkExport } from "./kmem-linker.js";
import type { SegmentPartial } from "./segment-parser.js";

/** Field value types in PackedEvents.types. */
const NUM = 0;
const STR = 1;
const TRUE = 2;
const FALSE = 3;

/** Events as columns: event i has fields [start[i], start[i + 1]). */
export interface PackedEvents {
  count: number;
  /** Index of each event's first field (count + 1 entries). */
  start: Uint32Array;
  /** Per field: index into `keyNames`. */
  keys: Uint16Array;
  /** Per field: NUM, STR, TRUE or FALSE. */
  types: Uint8Array;
  /** Per field: the number, or the index into `strings`. */
  values: Float64Array;
  keyNames: string[];
  strings: string[];
}

/** Packs events (appended in order); `pack()` returns the columns. */
class EventPacker {
  private readonly events: TraceEvent[] = [];

  /** Adds an event; returns its index in the packed columns. */
  add(ev: TraceEvent): number {
    return this.events.push(ev) - 1;
  }

  pack(): PackedEvents {
    const events = this.events;
    let fields = 0;
    for (const ev of events)
      for (const k in ev) if ((ev as unknown as Record<string, unknown>)[k] !== undefined) fields++;
    const start = new Uint32Array(events.length + 1);
    const keys = new Uint16Array(fields);
    const types = new Uint8Array(fields);
    const values = new Float64Array(fields);
    const keyNames: string[] = [];
    const keyIndex = new Map<string, number>();
    const strings: string[] = [];
    const stringIndex = new Map<string, number>();
    let f = 0;
    for (let i = 0; i < events.length; i++) {
      start[i] = f;
      const ev = events[i] as unknown as Record<string, unknown>;
      for (const k in ev) {
        const v = ev[k];
        if (v === undefined) continue;
        let ki = keyIndex.get(k);
        if (ki === undefined) {
          ki = keyNames.push(k) - 1;
          keyIndex.set(k, ki);
        }
        keys[f] = ki;
        if (typeof v === "number") {
          types[f] = NUM;
          values[f] = v;
        } else if (typeof v === "string") {
          let si = stringIndex.get(v);
          if (si === undefined) {
            si = strings.push(v) - 1;
            stringIndex.set(v, si);
          }
          types[f] = STR;
          values[f] = si;
        } else if (typeof v === "boolean") types[f] = v ? TRUE : FALSE;
        else
          throw new Error(
            `partial codec: field ${k} of a ${String(ev.kind)} event is not a number, string or boolean`,
          );
        f++;
      }
    }
    start[events.length] = f;
    return { count: events.length, start, keys, types, values, keyNames, strings };
  }
}

function unpack(p: PackedEvents): TraceEvent[] {
  const out = new Array<TraceEvent>(p.count);
  const { start, keys, types, values, keyNames, strings } = p;
  for (let i = 0; i < p.count; i++) {
    const ev: Record<string, unknown> = {};
    for (let f = start[i] as number; f < (start[i + 1] as number); f++) {
      const t = types[f] as number;
      const v = values[f] as number;
      ev[keyNames[keys[f] as number] as string] =
        t === NUM ? v : t === STR ? strings[v] : t === TRUE;
    }
    out[i] = ev as unknown as TraceEvent;
  }
  return out;
}

/** A SegmentPartial with every event object replaced by its index into `packed`. */
export interface EncodedPartial extends Omit<
  SegmentPartial,
  "events" | "extras" | "link" | "evidence"
> {
  packed: PackedEvents;
  events: Uint32Array;
  extras: { owner: number; event: number }[];
  link: Omit<LinkExport, "tailKmallocs" | "headKfrees"> & {
    tailKmallocs: (Omit<KmallocRecord, "event"> & { event: number })[];
    headKfrees: (Omit<HeadKfree, "event"> & { event: number })[];
  };
  evidence?: Omit<EvidenceExport, "events" | "open"> & {
    events: Uint32Array;
    open: (Omit<OpenAlloc, "event"> & { event?: number })[];
  };
}

export function encodePartial(p: SegmentPartial): EncodedPartial {
  const packer = new EventPacker();
  const { events, extras, link, evidence, ...rest } = p;
  const out: EncodedPartial = {
    ...rest,
    packed: undefined as unknown as PackedEvents,
    events: Uint32Array.from(events, (ev) => packer.add(ev)),
    extras: extras.map((x) => ({ owner: x.owner, event: packer.add(x.event) })),
    link: {
      ...link,
      tailKmallocs: link.tailKmallocs.map((r) => ({ ...r, event: packer.add(r.event) })),
      headKfrees: link.headKfrees.map((h) => ({ ...h, event: packer.add(h.event) })),
    },
  };
  if (evidence !== undefined) {
    out.evidence = {
      ...evidence,
      events: Uint32Array.from(evidence.events, (ev) => packer.add(ev)),
      open: evidence.open.map((o) => {
        const { event, ...r } = o;
        return event === undefined ? r : { ...r, event: packer.add(event) };
      }),
    };
  }
  out.packed = packer.pack();
  return out;
}

/** The typed arrays to list as transferables when posting an EncodedPartial. */
export function transferables(e: EncodedPartial): ArrayBuffer[] {
  const p = e.packed;
  const out = [p.start, p.keys, p.types, p.values, e.events].map((a) => a.buffer as ArrayBuffer);
  if (e.evidence !== undefined) {
    out.push(e.evidence.events.buffer as ArrayBuffer, e.evidence.why.buffer as ArrayBuffer);
    if (e.evidence.touched !== undefined)
      out.push(
        e.evidence.touched.used.buffer as ArrayBuffer,
        e.evidence.touched.words.buffer as ArrayBuffer,
      );
  }
  return out;
}

export function decodePartial(e: EncodedPartial): SegmentPartial {
  const all = unpack(e.packed);
  const at = (i: number): TraceEvent => all[i] as TraceEvent;
  const { packed: _packed, events, extras, link, evidence, ...rest } = e;
  const out: SegmentPartial = {
    ...rest,
    events: Array.from(events, at),
    extras: extras.map((x): KmemExtra => ({ event: at(x.event) as KmemEvent, owner: x.owner })),
    link: {
      ...link,
      tailKmallocs: link.tailKmallocs.map((r) => ({
        ...r,
        event: at(r.event) as KmallocRecord["event"],
      })),
      headKfrees: link.headKfrees.map((h) => ({ ...h, event: at(h.event) as HeadKfree["event"] })),
    },
  };
  if (evidence !== undefined) {
    out.evidence = {
      ...evidence,
      events: Array.from(evidence.events, (i) => at(i) as KmemEvent),
      open: evidence.open.map((o): OpenAlloc => {
        const { event, ...r } = o;
        return event === undefined
          ? r
          : { ...r, event: at(event) as NonNullable<OpenAlloc["event"]> };
      }),
    };
  }
  return out;
}
