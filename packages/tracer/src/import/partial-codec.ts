/**
 * A compact, transferable form of a SegmentPartial for crossing thread boundaries.
 *
 * A parse worker's result is mostly kmalloc/kfree events (keepKmem "module"/"all": 100 k+ per
 * segment). Structured clone rebuilds each one as a generic object on the receiving thread,
 * measured at ~1.7 us per event, which ate the whole gain of parsing in parallel. Here kmem
 * events travel as typed-array columns plus a string table (transferable, near-free to post)
 * and are rebuilt with fixed-shape object literals. All other events go as they are. Pure:
 * usable from Node worker_threads and browser Web Workers alike.
 */
import type { KfreeEvent, KmallocEvent, TraceEvent } from "../model/events.js";
import type { SegmentPartial } from "./segment-parser.js";

/** Marks an absent optional integer field. */
const NONE = -2147483648;

export interface KmemColumns {
  count: number;
  /** 0 = kmalloc, 1 = kfree. */
  kind: Uint8Array;
  ts: Float64Array;
  line: Float64Array;
  src: Int32Array;
  cpu: Int32Array;
  pid: Int32Array;
  /** Indices into `strings` (NONE: absent). */
  task: Int32Array;
  flags: Int32Array;
  callSite: Int32Array;
  gfp: Int32Array;
  bytesReq: Float64Array;
  bytesAlloc: Float64Array;
  numaNode: Int32Array;
  /** 1 true, 0 false, -1 absent. */
  accounted: Int8Array;
  /** One per event (pointers are unique, not interned). */
  ptr: string[];
  strings: string[];
}

export interface EncodedPartial extends Omit<SegmentPartial, "events"> {
  /** Events that are not kmem events, in order. */
  others: TraceEvent[];
  /** Per event in file order: 1 = next kmem column row, 0 = next of `others`. */
  order: Uint8Array;
  kmem: KmemColumns;
}

function isKmem(ev: TraceEvent): ev is KmallocEvent | KfreeEvent {
  return ev.kind === "kmalloc" || ev.kind === "kfree";
}

export function encodePartial(p: SegmentPartial): EncodedPartial {
  const { events, ...rest } = p;
  let n = 0;
  for (const ev of events) if (isKmem(ev)) n++;
  const c: KmemColumns = {
    count: n,
    kind: new Uint8Array(n),
    ts: new Float64Array(n),
    line: new Float64Array(n),
    src: new Int32Array(n),
    cpu: new Int32Array(n),
    pid: new Int32Array(n),
    task: new Int32Array(n),
    flags: new Int32Array(n),
    callSite: new Int32Array(n),
    gfp: new Int32Array(n),
    bytesReq: new Float64Array(n),
    bytesAlloc: new Float64Array(n),
    numaNode: new Int32Array(n),
    accounted: new Int8Array(n),
    ptr: new Array<string>(n),
    strings: [],
  };
  const index = new Map<string, number>();
  const intern = (s: string | undefined): number => {
    if (s === undefined) return NONE;
    let i = index.get(s);
    if (i === undefined) {
      i = c.strings.length;
      c.strings.push(s);
      index.set(s, i);
    }
    return i;
  };
  const order = new Uint8Array(events.length);
  const others: TraceEvent[] = [];
  let k = 0;
  events.forEach((ev, i) => {
    if (!isKmem(ev)) {
      others.push(ev);
      return;
    }
    order[i] = 1;
    c.kind[k] = ev.kind === "kmalloc" ? 0 : 1;
    c.ts[k] = ev.ts;
    c.line[k] = ev.line;
    c.src[k] = ev.src ?? NONE;
    c.cpu[k] = ev.cpu ?? NONE;
    c.pid[k] = ev.pid ?? NONE;
    c.task[k] = intern(ev.task);
    c.flags[k] = intern(ev.flags);
    c.callSite[k] = intern(ev.callSite);
    c.ptr[k] = ev.ptr;
    if (ev.kind === "kmalloc") {
      c.gfp[k] = intern(ev.gfp);
      c.bytesReq[k] = ev.bytesReq;
      c.bytesAlloc[k] = ev.bytesAlloc;
      c.numaNode[k] = ev.numaNode ?? NONE;
      c.accounted[k] = ev.accounted === undefined ? -1 : ev.accounted ? 1 : 0;
    }
    k++;
  });
  return { ...rest, others, order, kmem: c };
}

/** The typed arrays to list as transferables when posting an EncodedPartial. */
export function transferables(e: EncodedPartial): ArrayBuffer[] {
  const c = e.kmem;
  return [e.order, c.kind, c.ts, c.line, c.src, c.cpu, c.pid, c.task, c.flags, c.callSite, c.gfp, c.bytesReq, c.bytesAlloc, c.numaNode, c.accounted].map((a) => a.buffer as ArrayBuffer);
}

export function decodePartial(e: EncodedPartial): SegmentPartial {
  const { others, order, kmem: c, ...rest } = e;
  const s = c.strings;
  const events: TraceEvent[] = new Array<TraceEvent>(order.length);
  let o = 0;
  let k = 0;
  for (let i = 0; i < order.length; i++) {
    if (order[i] === 0) {
      events[i] = others[o++] as TraceEvent;
      continue;
    }
    const cpu = c.cpu[k] as number;
    const pid = c.pid[k] as number;
    const task = c.task[k] as number;
    let ev: KmallocEvent | KfreeEvent;
    if (c.kind[k] === 0) {
      const km: KmallocEvent = {
        kind: "kmalloc",
        ts: c.ts[k] as number,
        line: c.line[k] as number,
        callSite: s[c.callSite[k] as number] as string,
        ptr: c.ptr[k] as string,
        bytesReq: c.bytesReq[k] as number,
        bytesAlloc: c.bytesAlloc[k] as number,
        gfp: s[c.gfp[k] as number] as string,
      };
      const node = c.numaNode[k] as number;
      if (node !== NONE) km.numaNode = node;
      const acc = c.accounted[k] as number;
      if (acc >= 0) km.accounted = acc === 1;
      ev = km;
    } else {
      ev = { kind: "kfree", ts: c.ts[k] as number, line: c.line[k] as number, callSite: s[c.callSite[k] as number] as string, ptr: c.ptr[k] as string };
    }
    const src = c.src[k] as number;
    if (src !== NONE) ev.src = src;
    if (cpu !== NONE) ev.cpu = cpu;
    if (task !== NONE) ev.task = s[task] as string;
    if (pid !== NONE) ev.pid = pid;
    const flags = c.flags[k] as number;
    if (flags !== NONE) ev.flags = s[flags] as string;
    events[i] = ev;
    k++;
  }
  return { ...rest, events };
}
