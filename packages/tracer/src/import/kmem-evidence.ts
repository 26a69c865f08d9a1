/**
 * keepKmem "evidence": of the million kmalloc/kfree lines of a large trace, keep as events only
 * those the analysis reads, so that analysing the import gives exactly what analysing the
 * keepKmem "all" import gives, at the cost of a few thousand events.
 *
 * What the analysis reads from kmem events, and what is kept for it:
 * - task activity (analysis/task-activity-handler.ts): a kmem event whose call site only runs at
 *   a system call entry/exit -> every such line; a pid's comm changing (execve) -> every kmem
 *   line whose comm differs from the comm of the pid's previous event in this segment (or that
 *   is the pid's first); which pids show kmem events at all -> each pid's first kmem line of
 *   the segment. A dropped line never changes the pid's comm, so every comm change is seen at
 *   the same event as with all lines.
 * - module allocations never freed (analysis/kmem-handler.ts, rule probe-rollback-incomplete):
 *   a driver-module kmalloc is live until a later kmalloc or kfree line names its ptr. Module
 *   kmallocs still open at the end of the segment are exported with the segment's complete set
 *   of ptrs named (PtrTable, exact), and the merge (segment-merge.ts) closes them against later
 *   segments: what stays open at the end of the input is added as events. A kept module kmalloc
 *   that a dropped line frees gets `freedLater`, so the analysis does not take it for a leak.
 * - the trace's span (first and last timestamp of any event): the segment's earliest and
 *   latest kmem line.
 * Keeping more lines than these never changes the analysis (every kept line is a real event
 * and the rules above hold for any superset), so per-segment decisions are safe.
 */
import { moduleOfCallSite } from "../analysis/kmem-handler.js";
import { USER_ENTRY_SITE_PREFIXES, userEntrySite } from "../analysis/user-space-evidence.js";
import type { KfreeEvent, KmallocEvent, TraceEvent } from "../model/events.js";
import { ascii, decode, startsWithBytes } from "./bytes.js";
import { taskEndTrimmed, taskStartTrimmed, type FtraceContext } from "./ftrace-context.js";
import type { KmemFields, Strings } from "./kmem-payload.js";
import { PtrTable, type PtrKeys } from "./ptr-table.js";
import { RetainedLines } from "./retained-lines.js";

export type KmemEvent = KmallocEvent | KfreeEvent;

/** A driver-module kmalloc whose ptr no later kmem line of the segment named. */
export interface OpenAlloc {
  ptr: string;
  /** Index into EvidenceExport.events when that event is already kept, else -1. */
  kept: number;
  /** The allocation's event when it is not kept (becomes an event if nothing frees it). */
  event?: KmallocEvent;
}

/** Why a line was kept (bits). */
export const enum Why {
  /** A user-entry call site: kept whatever came before. */
  Entry = 1,
  /** The comm differs from the pid's comm earlier in the segment: kept whatever came before. */
  Comm = 2,
  /** The pid's first kmem line in the segment: needed only if no earlier segment had one. */
  FirstOfPid = 4,
  /** The segment knew no comm for the pid yet: needed only if it differs from the comm the earlier segments end with. */
  CommUnknown = 8,
}

/** What a segment hands to the merge (plain data; crosses threads). */
export interface EvidenceExport {
  /** Kept kmem events, in line order (segment-local line numbers). */
  events: KmemEvent[];
  /** Why each event was kept (Why bits; 0: only as the earliest/latest line). */
  why: Uint8Array;
  /** Indices into `events` of the segment's earliest and latest kmem line (-1: none). */
  first: number;
  last: number;
  open: OpenAlloc[];
  /** Every ptr a kmalloc or kfree line of the segment named. */
  touched: PtrKeys;
  /** Pids with a kmem line in the segment. */
  kmemPids: number[];
  /** Each pid's comm at the end of the segment (pids whose comm the segment showed). */
  comms: [number, string][];
}

/** What the evidence keeper needs from its parser. */
export interface EvidenceHost {
  readonly strings: Strings;
  /** The event of the current kmem line (its fields are located). */
  currentKmem(b: Uint8Array, e: number, kmalloc: boolean): KmemEvent;
  /** Rebuilds the event of a kmem line read earlier. */
  rebuildKmem(b: Uint8Array, s: number, e: number, line: number): KmemEvent;
}

interface PidState {
  /** Comm of the pid's last event in this segment (placeholders `<...>` excluded). */
  comm: string | undefined;
  /** A kmem line of the pid was kept (or seen) in this segment. */
  kmem: boolean;
}

interface OpenRec {
  line: number;
  /** The kept event, if the line was kept. */
  event: KmallocEvent | undefined;
  /** Retained line id while not kept (RetainedLines), else -1. */
  ref: number;
  open: boolean;
}

/** A candidate for the earliest/latest line: its bytes stay referenced until release(). */
interface Edge {
  ts: number;
  line: number;
  event: KmemEvent | undefined;
  buf: Uint8Array | undefined;
  s: number;
  e: number;
  /** The line is a module kmalloc that a later line of the segment freed. */
  freed: boolean;
}

const PLACEHOLDER = ascii("<...>");
/** USER_ENTRY_SITE_PREFIXES as bytes, by first byte. */
const ENTRY_PREFIXES: Uint8Array[][] = [];
for (const p of USER_ENTRY_SITE_PREFIXES) {
  const c = p.charCodeAt(0);
  (ENTRY_PREFIXES[c] ??= []).push(ascii(p));
}

function sameText(b: Uint8Array, s: number, e: number, text: string): boolean {
  if (e - s === text.length) {
    let ascii = true;
    for (let i = 0; i < text.length; i++) {
      const c = b[s + i] as number;
      if (c >= 0x80) {
        ascii = false;
        break;
      }
      if (c !== text.charCodeAt(i)) return false;
    }
    if (ascii) return true;
  }
  return decode(b, s, e) === text;
}

function newEdge(ts: number): Edge {
  return { ts, line: 0, event: undefined, buf: undefined, s: 0, e: 0, freed: false };
}

export class KmemEvidence {
  private readonly table = new PtrTable();
  private readonly retained = new RetainedLines();
  private readonly recs: OpenRec[] = [];
  private readonly freeRecs: number[] = [];
  private readonly pids = new Map<number, PidState>();
  private lastPid = -1;
  private lastState: PidState = { comm: undefined, kmem: false };
  private readonly kept: KmemEvent[] = [];
  private readonly why: number[] = [];
  private readonly first = newEdge(Infinity);
  private readonly last = newEdge(-Infinity);

  constructor(private readonly host: EvidenceHost) {}

  /** A parsed kmem line (fields located in `f`, context in `ctx`). */
  onKmem(b: Uint8Array, s: number, e: number, f: KmemFields, ctx: FtraceContext, line: number, kmalloc: boolean): void {
    // Any kmalloc/kfree of a ptr ends the allocation that was open on it.
    const slot = this.table.findOrAdd(b, f.ptrStart, f.ptrEnd, -1);
    const open = this.table.getState(slot);
    if (open >= 0) {
      this.close(open);
      this.table.setState(slot, -1);
    }
    let why = ctx.pid > 0 ? this.pidEvidence(b, ctx) : 0;
    if (this.entryCandidate(b, f.callStart, f.callEnd) && userEntrySite(this.host.strings.get(b, f.callStart, f.callEnd))) why |= Why.Entry;
    let ev: KmemEvent | undefined;
    if (why !== 0) {
      ev = this.host.currentKmem(b, e, kmalloc);
      this.kept.push(ev);
      this.why.push(why);
    }
    const ts = ctx.ts;
    if (ts < this.first.ts) this.setEdge(this.first, ts, line, ev, b, s, e);
    if (ts > this.last.ts) this.setEdge(this.last, ts, line, ev, b, s, e);
    if (kmalloc && f.inModule && moduleOfCallSite(this.host.strings.get(b, f.callStart, f.callEnd)) !== null) {
      const id = this.newRec(line, ev as KmallocEvent | undefined, ev === undefined ? this.retained.add(b, s, e) : -1);
      this.table.setState(slot, id);
    }
  }

  /** A non-kmem event of the activity kinds: its comm is the pid's comm from here on. */
  noteEvent(ev: TraceEvent): void {
    const pid = ev.pid;
    if (pid === undefined || pid <= 0 || ev.task === undefined || ev.task === "<...>") return;
    this.pidState(pid).comm = ev.task;
  }

  private pidState(pid: number): PidState {
    if (pid === this.lastPid) return this.lastState;
    let st = this.pids.get(pid);
    if (st === undefined) {
      st = { comm: undefined, kmem: false };
      this.pids.set(pid, st);
    }
    this.lastPid = pid;
    this.lastState = st;
    return st;
  }

  /** Why the line is task-activity evidence of its pid (Why bits, 0: it is not); tracks the pid's comm. */
  private pidEvidence(b: Uint8Array, ctx: FtraceContext): number {
    const st = this.pidState(ctx.pid);
    let why = st.kmem ? 0 : Why.FirstOfPid;
    st.kmem = true;
    const ts = taskStartTrimmed(b, ctx);
    const te = taskEndTrimmed(b, ctx);
    if (te - ts === PLACEHOLDER.length && startsWithBytes(b, ts, te, PLACEHOLDER)) return why;
    if (st.comm === undefined) {
      st.comm = this.host.strings.get(b, ts, te);
      why |= Why.CommUnknown;
    } else if (!sameText(b, ts, te, st.comm)) {
      st.comm = this.host.strings.get(b, ts, te);
      why |= Why.Comm;
    }
    return why;
  }

  /** The call site starts like one userEntrySite() may accept. */
  private entryCandidate(b: Uint8Array, s: number, e: number): boolean {
    const list = ENTRY_PREFIXES[b[s] as number];
    if (list === undefined) return false;
    for (const p of list) if (startsWithBytes(b, s, e, p)) return true;
    return false;
  }

  private setEdge(edge: Edge, ts: number, line: number, ev: KmemEvent | undefined, b: Uint8Array, s: number, e: number): void {
    edge.ts = ts;
    edge.line = line;
    edge.event = ev;
    edge.buf = ev === undefined ? b : undefined;
    edge.s = s;
    edge.e = e;
    edge.freed = false;
  }

  private newRec(line: number, event: KmallocEvent | undefined, ref: number): number {
    const id = this.freeRecs.pop();
    if (id === undefined) {
      this.recs.push({ line, event, ref, open: true });
      return this.recs.length - 1;
    }
    const r = this.recs[id] as OpenRec;
    r.line = line;
    r.event = event;
    r.ref = ref;
    r.open = true;
    return id;
  }

  private close(id: number): void {
    const r = this.recs[id] as OpenRec;
    r.open = false;
    if (r.event !== undefined) r.event.freedLater = true;
    if (r.line === this.first.line) this.first.freed = true;
    if (r.line === this.last.line) this.last.freed = true;
    if (r.ref >= 0) this.retained.drop(r.ref);
    r.event = undefined;
    r.ref = -1;
    this.freeRecs.push(id);
  }

  /** The caller will overwrite `chunk`: copy what is still referenced there. */
  release(chunk: Uint8Array): void {
    this.retained.release(chunk);
    for (const edge of [this.first, this.last]) {
      if (edge.buf === chunk) {
        const copy = chunk.slice(edge.s, edge.e);
        edge.buf = copy;
        edge.e -= edge.s;
        edge.s = 0;
      }
    }
  }

  export(): EvidenceExport {
    // The earliest and latest lines, unless kept already (one line may be both).
    const late = new Map<number, KmemEvent>();
    for (const edge of [this.first, this.last]) {
      if (edge.event !== undefined || edge.buf === undefined || late.has(edge.line)) continue;
      const ev = this.host.rebuildKmem(edge.buf, edge.s, edge.e, edge.line);
      if (edge.freed && ev.kind === "kmalloc") ev.freedLater = true;
      late.set(edge.line, ev);
    }
    const openRecs = this.recs.filter((r) => r.open);
    const whyOf = new Map<KmemEvent, number>();
    this.kept.forEach((ev, i) => whyOf.set(ev, this.why[i] as number));
    const events = [...this.kept, ...late.values()].sort((a, b) => a.line - b.line);
    const index = new Map<KmemEvent, number>();
    events.forEach((ev, i) => index.set(ev, i));
    const open: OpenAlloc[] = [];
    for (const r of openRecs) {
      // Not kept: travels in `open` only (the merge adds it if nothing frees it).
      const ev = r.event ?? (late.get(r.line) as KmallocEvent | undefined) ?? (this.host.rebuildKmem(this.retained.buf(r.ref), this.retained.start(r.ref), this.retained.end(r.ref), r.line) as KmallocEvent);
      const at = index.get(ev);
      open.push(at === undefined ? { ptr: ev.ptr, kept: -1, event: ev } : { ptr: ev.ptr, kept: at });
    }
    const edgeIndex = (edge: Edge): number => {
      const ev = edge.event ?? late.get(edge.line);
      return ev === undefined ? -1 : (index.get(ev) ?? -1);
    };
    const kmemPids: number[] = [];
    const comms: [number, string][] = [];
    for (const [pid, st] of this.pids) {
      if (st.kmem) kmemPids.push(pid);
      if (st.comm !== undefined) comms.push([pid, st.comm]);
    }
    return {
      events,
      why: Uint8Array.from(events, (ev) => whyOf.get(ev) ?? 0),
      first: edgeIndex(this.first),
      last: edgeIndex(this.last),
      open,
      touched: this.table.keys(),
      kmemPids,
      comms,
    };
  }
}
