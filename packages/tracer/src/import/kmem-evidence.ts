/**
 * keepKmem "evidence": of the million kmalloc/kfree lines of a large trace, keep as events only
 * those the analysis reads, so that analysing the import gives exactly what analysing the
 * keepKmem "all" import gives, at the cost of a few thousand events.
 *
 * What the analysis reads from kmem events, and what is kept for it:
 * - task activity (analysis/task-activity-handler.ts): a kmem event whose call site only runs at
 *   a system call entry/exit is evidence that its task was in user space. The analysis asks
 *   for the first such evidence of a task after a given event (userReturnBetween: after a
 *   probe start, a devres ADD, a module load), so of a task's user-entry lines between two
 *   consecutive non-kmem events only the first is kept: every answer stays the same event.
 *   A pid's comm changing (execve) -> every kmem line whose comm differs from the comm of the
 *   pid's previous event in this segment (or that is the pid's first); which pids show kmem
 *   events at all -> each pid's first kmem line of the segment. A dropped line never changes
 *   the pid's comm, so every comm change is seen at the same event as with all lines.
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
import { USER_ENTRY_SITE_PREFIXES, userEntrySite } from "../analysis/user-space-evidence.js";
import type { KfreeEvent, KmallocEvent, TraceEvent } from "../model/events.js";
import { ascii, copyBytes, decode, startsWithBytes } from "./bytes.js";
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
  /**
   * A user-entry line before the segment's first non-kmem event: needed only if the earlier
   * segments end without user-entry evidence of the pid after their last non-kmem event.
   */
  EntryAtStart = 16,
}

/** What a segment hands to the merge (plain data; crosses threads). */
export interface EvidenceOptions {
  /**
   * The segment starts the input (no earlier segment can have allocations open that this one
   * frees): the set of ptrs it touched is not needed and not recorded.
   */
  startsInput: boolean;
}

export interface EvidenceExport {
  /** Kept kmem events, in line order (segment-local line numbers). */
  events: KmemEvent[];
  /** Why each event was kept (Why bits; 0: only as the earliest/latest line). */
  why: Uint8Array;
  /** Indices into `events` of the segment's earliest and latest kmem line (-1: none). */
  first: number;
  last: number;
  open: OpenAlloc[];
  /** Every ptr a kmalloc or kfree line of the segment named; absent when the segment starts the input. */
  touched?: PtrKeys;
  /** Pids with a kmem line in the segment. */
  kmemPids: number[];
  /** Each pid's comm at the end of the segment (pids whose comm the segment showed). */
  comms: [number, string][];
  /** The segment has a non-kmem event. */
  anchored: boolean;
  /** Pids with a kept user-entry line after the segment's last non-kmem event (all of it if none). */
  openGapPids: number[];
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
  /**
   * The raw 16-byte task field (four int32 words) of the pid's last kmem line while nothing
   * else changed the pid's state since: the same bytes again mean nothing new.
   */
  rawValid: boolean;
  raw0: number;
  raw1: number;
  raw2: number;
  raw3: number;
}

function newPidState(): PidState {
  return { comm: undefined, kmem: false, rawValid: false, raw0: 0, raw1: 0, raw2: 0, raw3: 0 };
}

/** Slots of the open-allocation fingerprint counts. */
const PRINTS = 1 << 15;

/**
 * Fingerprint of a ptr's bytes (equal bytes, equal fingerprint): its last eight bytes (the
 * varying digits of a %p value), mixed. Only says which lines might touch an open allocation.
 */
function ptrPrint(b: Uint8Array, s: number, e: number): number {
  let h = e - s;
  for (let i = e - 8 > s ? e - 8 : s; i < e; i++) h = Math.imul(h ^ (b[i] as number), 0x9e3779b1);
  return (h ^ (h >>> 17)) & (PRINTS - 1);
}

interface OpenRec {
  line: number;
  /** Index into the kept events when the line was kept, else -1. */
  keptAt: number;
  /** ptrPrint of the allocation's ptr. */
  print: number;
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
  /** Index into the kept events when the line was kept, else -1 (then buf/s/e hold it). */
  kept: number;
  buf: Uint8Array;
  mem: ArrayBufferLike;
  s: number;
  e: number;
  /** The line is a module kmalloc that a later line of the segment freed. */
  freed: boolean;
}

const NO_BYTES = new Uint8Array(0);

const PLACEHOLDER = ascii("<...>");
/** USER_ENTRY_SITE_PREFIXES as bytes. */
const ENTRY_PREFIXES: Uint8Array[] = USER_ENTRY_SITE_PREFIXES.map(ascii);

/** The shortest user-entry prefix (bytes): a shorter call site cannot start with one. */
const ENTRY_MIN = Math.min(...USER_ENTRY_SITE_PREFIXES.map((p) => p.length));
/**
 * The first eight bytes of every user-entry prefix, as two little-endian int32 words, in an
 * open-addressing table keyed by (w0 ^ w1) & 63: one lookup decides most call sites.
 */
const ENTRY8 = new Int32Array(64 * 2);
const ENTRY8_USED = new Uint8Array(64);
for (const p of ENTRY_PREFIXES) {
  const w0 =
    (p[0] as number) |
    ((p[1] as number) << 8) |
    ((p[2] as number) << 16) |
    ((p[3] as number) << 24);
  const w1 =
    (p[4] as number) |
    ((p[5] as number) << 8) |
    ((p[6] as number) << 16) |
    ((p[7] as number) << 24);
  let i = (w0 ^ w1) & 63;
  while (ENTRY8_USED[i] === 1 && !(ENTRY8[i * 2] === w0 && ENTRY8[i * 2 + 1] === w1))
    i = (i + 1) & 63;
  ENTRY8_USED[i] = 1;
  ENTRY8[i * 2] = w0;
  ENTRY8[i * 2 + 1] = w1;
}

/** The call site `b[s, e)` starts with the first eight bytes of a user-entry prefix. */
function entryStart8(dv: DataView, s: number, e: number): boolean {
  if (e - s < ENTRY_MIN) return false;
  const w0 = dv.getInt32(s, true);
  const w1 = dv.getInt32(s + 4, true);
  for (let i = (w0 ^ w1) & 63; ENTRY8_USED[i] === 1; i = (i + 1) & 63)
    if (ENTRY8[i * 2] === w0 && ENTRY8[i * 2 + 1] === w1) return true;
  return false;
}

/** `[\w-]` of a regular expression without the u flag. */
function isWordOrDash(c: number): boolean {
  return (
    (c >= 0x30 && c <= 0x39) ||
    (c >= 0x41 && c <= 0x5a) ||
    (c >= 0x61 && c <= 0x7a) ||
    c === 0x5f ||
    c === 0x2d
  );
}

function isHex(c: number): boolean {
  return (c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x46) || (c >= 0x61 && c <= 0x66);
}

/**
 * moduleOfCallSite(call site) !== null, on the bytes: a `[module]` suffix
 * (`/\[([\w-]+)\]\s*$/`; the located call site has no trailing blank) or a bare
 * `/^0xffffffff[0-9a-f]{8}$/i` address.
 */
export function moduleSiteBytes(b: Uint8Array, s: number, e: number): boolean {
  if (b[e - 1] === 0x5d) {
    let i = e - 2;
    while (i >= s && isWordOrDash(b[i] as number)) i--;
    return i < e - 2 && i >= s && b[i] === 0x5b;
  }
  if (e - s !== 18 || b[s] !== 0x30 || ((b[s + 1] as number) | 0x20) !== 0x78) return false;
  for (let i = s + 2; i < s + 10; i++) if (((b[i] as number) | 0x20) !== 0x66) return false;
  for (let i = s + 10; i < e; i++) if (!isHex(b[i] as number)) return false;
  return true;
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
  return { ts, line: 0, kept: -1, buf: NO_BYTES, mem: NO_BYTES.buffer, s: 0, e: 0, freed: false };
}

export class KmemEvidence {
  private readonly table = new PtrTable();
  private readonly retained = new RetainedLines();
  private readonly recs: OpenRec[] = [];
  private readonly freeRecs: number[] = [];
  private readonly pids = new Map<number, PidState>();
  private lastPid = -1;
  private lastState: PidState = newPidState();
  /** Open allocations per ptrPrint: a line whose print counts 0 closes nothing (no table lookup). */
  private readonly openPrints = new Int32Array(PRINTS);
  private readonly recordTouched: boolean;
  /** userEntrySite() per call site text. */
  private readonly entrySites = new Map<string, boolean>();
  /** Pids with a kept user-entry line since the last non-kmem event. */
  private readonly gapEntry = new Set<number>();
  private anchored = false;
  private readonly kept: KmemEvent[] = [];
  private readonly why: number[] = [];
  private readonly first = newEdge(Infinity);
  private readonly last = newEdge(-Infinity);

  constructor(
    private readonly host: EvidenceHost,
    opts: EvidenceOptions,
  ) {
    this.recordTouched = !opts.startsInput;
  }

  /**
   * The common kmem line, decided in a few loads (small enough for V8 to inline into the
   * parser's loop): not possibly a module kmalloc, no open allocation with its ptr's print, no
   * ptr set to record, the same pid and task bytes as the pid's last kmem line, no user-entry
   * call site, not earlier than the earliest line. For such a line onKmem would only move the
   * latest-line record: that is done here and true returned. False: call onKmem.
   */
  quick(
    b: Uint8Array,
    dv: DataView,
    mem: ArrayBufferLike,
    s: number,
    e: number,
    f: KmemFields,
    ctx: FtraceContext,
    line: number,
    kmalloc: boolean,
  ): boolean {
    const cs = f.callStart;
    if (kmalloc && (b[f.callEnd - 1] === 0x5d || b[cs] === 0x30)) return false;
    if (entryStart8(dv, cs, f.callEnd)) return false;
    if (this.recordTouched || this.openPrints[ptrPrint(b, f.ptrStart, f.ptrEnd)] !== 0)
      return false;
    const pid = ctx.pid;
    if (pid > 0) {
      const st = this.pidState(pid);
      if (!st.rawValid || ctx.taskEnd - ctx.taskStart !== 16) return false;
      const at = ctx.taskStart;
      if (
        dv.getInt32(at, true) !== st.raw0 ||
        dv.getInt32(at + 4, true) !== st.raw1 ||
        dv.getInt32(at + 8, true) !== st.raw2 ||
        dv.getInt32(at + 12, true) !== st.raw3
      )
        return false;
    }
    const ts = ctx.ts;
    if (ts < this.first.ts) return false;
    if (ts > this.last.ts) this.setEdge(this.last, ts, line, -1, b, mem, s, e);
    return true;
  }

  /** A parsed kmem line (fields located in `f`, context in `ctx`). */
  onKmem(
    b: Uint8Array,
    dv: DataView,
    mem: ArrayBufferLike,
    s: number,
    e: number,
    f: KmemFields,
    ctx: FtraceContext,
    line: number,
    kmalloc: boolean,
  ): void {
    // Any kmalloc/kfree of a ptr ends the allocation that was open on it. The table is touched
    // only when that is possible (or when the segment must report every ptr it named).
    const print = ptrPrint(b, f.ptrStart, f.ptrEnd);
    // A module site ends with "]" or starts with "0" (a bare address): test those bytes first.
    const module =
      kmalloc &&
      (b[f.callEnd - 1] === 0x5d || b[f.callStart] === 0x30) &&
      moduleSiteBytes(b, f.callStart, f.callEnd);
    let slot = 0;
    if (this.recordTouched || module || this.openPrints[print] !== 0) {
      slot = this.table.findOrAdd(b, f.ptrStart, f.ptrEnd, -1);
      const open = this.table.getState(slot);
      if (open >= 0) {
        this.close(open);
        this.table.setState(slot, -1);
      }
    }
    const pid = ctx.pid;
    let why = 0;
    // The task-activity handler ignores events without a pid (pid 0 = the idle task).
    if (pid > 0) {
      why = this.pidEvidence(b, dv, ctx);
      const cs = f.callStart;
      // entryCandidate's first test inline: most call sites fail on their first two bytes.
      if (
        this.entryCandidate(b, dv, cs, f.callEnd) &&
        !this.gapEntry.has(pid) &&
        this.entrySite(b, cs, f.callEnd)
      ) {
        why |= this.anchored ? Why.Entry : Why.EntryAtStart;
        this.gapEntry.add(pid);
      }
    }
    let ev: KmemEvent | undefined;
    if (why !== 0) {
      ev = this.host.currentKmem(b, e, kmalloc);
      this.kept.push(ev);
      this.why.push(why);
    }
    const ts = ctx.ts;
    const kept = ev === undefined ? -1 : this.kept.length - 1;
    if (ts < this.first.ts) this.setEdge(this.first, ts, line, kept, b, mem, s, e);
    if (ts > this.last.ts) this.setEdge(this.last, ts, line, kept, b, mem, s, e);
    if (module) {
      const id = this.newRec(
        line,
        kept,
        print,
        ev as KmallocEvent | undefined,
        ev === undefined ? this.retained.add(b, mem, s, e) : -1,
      );
      this.table.setState(slot, id);
      this.openPrints[print] = (this.openPrints[print] as number) + 1;
    }
  }

  /**
   * A non-kmem event: it ends the current gap of user-entry evidence; of the activity kinds,
   * its comm is the pid's comm from here on.
   */
  noteEvent(ev: TraceEvent, activity: boolean): void {
    if (this.gapEntry.size > 0) this.gapEntry.clear();
    this.anchored = true;
    if (!activity) return;
    const pid = ev.pid;
    if (pid === undefined || pid <= 0 || ev.task === undefined || ev.task === "<...>") return;
    const st = this.pidState(pid);
    st.comm = ev.task;
    st.rawValid = false;
  }

  private entrySite(b: Uint8Array, s: number, e: number): boolean {
    const site = this.host.strings.get(b, s, e);
    let yes = this.entrySites.get(site);
    if (yes === undefined) {
      yes = userEntrySite(site);
      this.entrySites.set(site, yes);
    }
    return yes;
  }

  private pidState(pid: number): PidState {
    if (pid === this.lastPid) return this.lastState;
    let st = this.pids.get(pid);
    if (st === undefined) {
      st = newPidState();
      this.pids.set(pid, st);
    }
    this.lastPid = pid;
    this.lastState = st;
    return st;
  }

  /** Why the line is task-activity evidence of its pid (Why bits, 0: it is not); tracks the pid's comm. */
  private pidEvidence(b: Uint8Array, dv: DataView, ctx: FtraceContext): number {
    const st = this.pidState(ctx.pid);
    // The common case: the same task field as the pid's last kmem line, byte for byte (the
    // kernel layout pads the comm to 16 columns): the pid's state cannot have changed since.
    if (ctx.taskEnd - ctx.taskStart !== 16) {
      st.rawValid = false;
      return this.pidEvidenceSlow(b, st, ctx);
    }
    const at = ctx.taskStart;
    const w0 = dv.getInt32(at, true);
    const w1 = dv.getInt32(at + 4, true);
    const w2 = dv.getInt32(at + 8, true);
    const w3 = dv.getInt32(at + 12, true);
    if (st.rawValid && w0 === st.raw0 && w1 === st.raw1 && w2 === st.raw2 && w3 === st.raw3)
      return 0;
    const why = this.pidEvidenceSlow(b, st, ctx);
    st.rawValid = true;
    st.raw0 = w0;
    st.raw1 = w1;
    st.raw2 = w2;
    st.raw3 = w3;
    return why;
  }

  private pidEvidenceSlow(b: Uint8Array, st: PidState, ctx: FtraceContext): number {
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

  /** The call site starts like one userEntrySite() may accept (a USER_ENTRY_SITE_PREFIXES entry). */
  private entryCandidate(b: Uint8Array, dv: DataView, s: number, e: number): boolean {
    if (!entryStart8(dv, s, e)) return false;
    for (const p of ENTRY_PREFIXES) if (startsWithBytes(b, s, e, p)) return true;
    return false;
  }

  private setEdge(
    edge: Edge,
    ts: number,
    line: number,
    kept: number,
    b: Uint8Array,
    mem: ArrayBufferLike,
    s: number,
    e: number,
  ): void {
    edge.ts = ts;
    edge.line = line;
    edge.kept = kept;
    // Pointer stores only when the chunk changes (a store of a young object into an old one
    // costs a write barrier; this runs on most lines).
    if (edge.buf !== b) {
      edge.buf = b;
      edge.mem = mem;
    }
    edge.s = s;
    edge.e = e;
    edge.freed = false;
  }

  private newRec(
    line: number,
    keptAt: number,
    print: number,
    event: KmallocEvent | undefined,
    ref: number,
  ): number {
    const id = this.freeRecs.pop();
    if (id === undefined) {
      this.recs.push({ line, keptAt, print, event, ref, open: true });
      return this.recs.length - 1;
    }
    const r = this.recs[id] as OpenRec;
    r.line = line;
    r.keptAt = keptAt;
    r.print = print;
    r.event = event;
    r.ref = ref;
    r.open = true;
    return id;
  }

  private close(id: number): void {
    const r = this.recs[id] as OpenRec;
    r.open = false;
    this.openPrints[r.print] = (this.openPrints[r.print] as number) - 1;
    if (r.event !== undefined) r.event.freedLater = true;
    if (r.line === this.first.line) this.first.freed = true;
    if (r.line === this.last.line) this.last.freed = true;
    if (r.ref >= 0) this.retained.drop(r.ref);
    r.event = undefined;
    r.ref = -1;
    this.freeRecs.push(id);
  }

  /** The caller will overwrite the memory of `chunk`: copy what is still referenced there. */
  release(chunk: Uint8Array): void {
    this.retained.release(chunk);
    const mem = chunk.buffer;
    const lo = chunk.byteOffset;
    const hi = lo + chunk.byteLength;
    for (const edge of [this.first, this.last]) {
      const at = edge.buf.byteOffset + edge.s;
      if (edge.kept < 0 && edge.mem === mem && at >= lo && at < hi) {
        const copy = copyBytes(edge.buf, edge.s, edge.e);
        edge.buf = copy;
        edge.mem = copy.buffer;
        edge.e -= edge.s;
        edge.s = 0;
      }
    }
  }

  export(): EvidenceExport {
    // The earliest and latest lines, unless kept already (one line may be both): at most two
    // events to insert among the kept ones, which are in line order already.
    const late: KmemEvent[] = [];
    for (const edge of [this.first, this.last]) {
      if (edge.kept >= 0 || edge.buf === NO_BYTES || late.some((ev) => ev.line === edge.line))
        continue;
      const ev = this.host.rebuildKmem(edge.buf, edge.s, edge.e, edge.line);
      if (edge.freed && ev.kind === "kmalloc") ev.freedLater = true;
      late.push(ev);
    }
    late.sort((x, y) => x.line - y.line);
    const kept = this.kept;
    const events: KmemEvent[] = [];
    const why = new Uint8Array(kept.length + late.length);
    /** Final index of kept[k]: k plus the late events before it. */
    const finalOf = (k: number): number => {
      const line = (kept[k] as KmemEvent).line;
      let n = k;
      for (const ev of late) if (ev.line < line) n++;
      return n;
    };
    let j = 0;
    for (let k = 0; k < kept.length; k++) {
      const ev = kept[k] as KmemEvent;
      while (j < late.length && (late[j] as KmemEvent).line < ev.line)
        events.push(late[j++] as KmemEvent);
      why[events.length] = this.why[k] as number;
      events.push(ev);
    }
    while (j < late.length) events.push(late[j++] as KmemEvent);
    const lateIndex = (line: number): number => {
      for (let i = 0; i < events.length; i++) if ((events[i] as KmemEvent).line === line) return i;
      return -1;
    };
    const open: OpenAlloc[] = [];
    for (const r of this.recs) {
      if (!r.open) continue;
      if (r.keptAt >= 0) {
        open.push({ ptr: (r.event as KmallocEvent).ptr, kept: finalOf(r.keptAt) });
        continue;
      }
      const asLate = late.find((ev) => ev.line === r.line);
      if (asLate !== undefined) {
        open.push({ ptr: asLate.ptr, kept: lateIndex(r.line) });
        continue;
      }
      // Not kept: travels in `open` only (the merge adds it if nothing frees it).
      const ev = this.host.rebuildKmem(
        this.retained.buf(r.ref),
        this.retained.start(r.ref),
        this.retained.end(r.ref),
        r.line,
      ) as KmallocEvent;
      open.push({ ptr: ev.ptr, kept: -1, event: ev });
    }
    const edgeIndex = (edge: Edge): number =>
      edge.kept >= 0 ? finalOf(edge.kept) : edge.buf === NO_BYTES ? -1 : lateIndex(edge.line);
    const kmemPids: number[] = [];
    const comms: [number, string][] = [];
    for (const [pid, st] of this.pids) {
      if (st.kmem) kmemPids.push(pid);
      if (st.comm !== undefined) comms.push([pid, st.comm]);
    }
    return {
      events,
      why,
      first: edgeIndex(this.first),
      last: edgeIndex(this.last),
      open,
      ...(this.recordTouched ? { touched: this.table.keys() } : {}),
      kmemPids,
      comms,
      anchored: this.anchored,
      openGapPids: [...this.gapEntry],
    };
  }
}
