/**
 * Links devres nodes to their own kmalloc and kfree.
 *
 * A devres node is allocated with kmalloc (drivers/base/devres.c :: alloc_dr ->
 * kmalloc_node_track_caller) and freed with kfree after its release (release_nodes /
 * devres_free); `devres_log` prints the node with `%p` and kmem:kmalloc/kfree print `ptr=%p`, so
 * the same address gives the same (hashed) text. The kmalloc's `call_site` names the real devm
 * caller, which `devres_log` itself does not show.
 *
 * Rules (exact, and independent of how the file is split into segments):
 * - kmalloc -> devres: a devres event for pointer P consumes the MOST RECENT kmalloc with ptr P,
 *   if that kmalloc is among the last KMALLOC_WINDOW kmallocs and not consumed yet. For an ADD
 *   (or an op still unknown, trace-cmd) this links it: `allocSite`/`allocBytes`.
 * - devres -> kfree: every devres event for P cancels a pending free of P; REL/REM/REPLACE (or an
 *   unknown op) then registers one. The first kfree with ptr P among the next KFREE_WINDOW
 *   kfrees links it (`freeSite`).
 * Real traces link at distances of 1..63 kmallocs (large-stress: every one of 12,060 ADDs).
 *
 * A segment parser links what it can see and exports what a previous segment may complete
 * (link-merge.ts), so parallel parsing gives the same links as one pass.
 */
import type { DevresEvent, KfreeEvent, KmallocEvent, TraceEvent } from "../model/events.js";
import { decode, hashBytes, hashString } from "./bytes.js";

/** How far back a devres event looks for its kmalloc (kmalloc events). */
export const KMALLOC_WINDOW = 1024;
/** How far ahead a released node looks for its kfree (kfree events). */
export const KFREE_WINDOW = 1024;

/** Slots of the ptr-hash -> kmalloc table (power of two, 16x the window: few collisions). */
const LATEST_SLOTS = 16384;

/** A kmem event kept because it is linked, with the devres event it belongs to. */
export interface KmemExtra {
  event: KmallocEvent | KfreeEvent;
  /** Index of the devres event in the (segment, later merged) events array. */
  owner: number;
}

/** A kmalloc a later segment may still link to. */
export interface KmallocRecord {
  ptr: string;
  /** Segment-local kmalloc index (0-based). */
  idx: number;
  consumed: boolean;
  /** Already an event (keepKmem all/module): do not add it again when linked. */
  kept: boolean;
  event: KmallocEvent;
}

/** A segment's first devres event for a pointer that had no kmalloc in the segment before it. */
export interface UnresolvedAlloc {
  eventIndex: number;
  ptr: string;
  /** kmallocs seen in the segment before this event. */
  kmallocsBefore: number;
  /** ADD or unknown op: a found kmalloc links; otherwise it is only consumed. */
  addLike: boolean;
}

/** A segment's first kfree of a pointer not touched by the segment before it. */
export interface HeadKfree {
  ptr: string;
  /** Segment-local kfree index. */
  idx: number;
  kept: boolean;
  event: KfreeEvent;
}

/** A released node still waiting for its kfree at the end of a segment. */
export interface PendingFree {
  ptr: string;
  eventIndex: number;
  /** kfrees seen before the release (segment-local). */
  reg: number;
}

export interface LinkExport {
  kmallocCount: number;
  kfreeCount: number;
  /** The last KMALLOC_WINDOW kmallocs, oldest first. */
  tailKmallocs: KmallocRecord[];
  unresolved: UnresolvedAlloc[];
  headKfrees: HeadKfree[];
  /** Every pointer a devres event of the segment touched (cancels carried pending frees). */
  devresPtrs: string[];
  endPending: PendingFree[];
}

export type KeepDecision = (callSiteInModule: boolean) => boolean;

/** Builds the kmalloc event of a remembered line (the parser re-tokenizes it). */
export type KmallocMaterializer = (
  b: Uint8Array,
  start: number,
  end: number,
  line: number,
) => KmallocEvent;

/** What a devres ADD takes from its kmalloc when the kmalloc itself is not kept. */
export interface AllocFacts {
  callSite: string;
  /** bytes_alloc (bytes). */
  bytesAlloc: number;
}

/** Reads the call site and bytes_alloc of a remembered kmalloc line into `out`. */
export type AllocFactsReader = (b: Uint8Array, start: number, end: number, out: AllocFacts) => void;

/** The parser's view of the kfree line being handled. */
export interface CurrentKfree {
  currentKfree(): KfreeEvent;
  /** Its call site only (when the event itself is not kept). */
  currentKfreeSite(): string;
}

export function linkAlloc(ev: DevresEvent, k: KmallocEvent): void {
  ev.allocSite = k.callSite;
  ev.allocBytes = k.bytesAlloc;
}

export function linkFree(ev: DevresEvent, f: KfreeEvent): void {
  ev.freeSite = f.callSite;
}

function indexOfPtr(list: readonly PendingFree[], ptr: string): number {
  for (let i = 0; i < list.length; i++) if ((list[i] as PendingFree).ptr === ptr) return i;
  return -1;
}

export class KmemLinker {
  private kcount = 0;
  private readonly ringHash = new Int32Array(KMALLOC_WINDOW);
  private readonly ringLine = new Float64Array(KMALLOC_WINDOW);
  /** The line's bytes stay in the caller's chunk until release(chunk) copies them. */
  private readonly ringBuf: (Uint8Array | undefined)[] = new Array<Uint8Array | undefined>(
    KMALLOC_WINDOW,
  );
  /** The ArrayBuffer under each ringBuf entry (release() compares these: `.buffer` is a getter). */
  private readonly ringMem: (ArrayBufferLike | undefined)[] = new Array<
    ArrayBufferLike | undefined
  >(KMALLOC_WINDOW);
  private readonly ringStart = new Int32Array(KMALLOC_WINDOW);
  private readonly ringEnd = new Int32Array(KMALLOC_WINDOW);
  private readonly ringPtrStart = new Int32Array(KMALLOC_WINDOW);
  private readonly ringPtrEnd = new Int32Array(KMALLOC_WINDOW);
  private readonly ringConsumed = new Uint8Array(KMALLOC_WINDOW);
  private readonly ringKept: (KmallocEvent | undefined)[] = new Array<KmallocEvent | undefined>(
    KMALLOC_WINDOW,
  );
  /**
   * ptr hash -> local index of the most recent kmalloc with that hash (-1: none). Direct-mapped:
   * a colliding hash overwrites, and findLocal then falls back to scanning the ring, so the
   * table only speeds lookups up; it never decides them.
   */
  private readonly latest = new Int32Array(LATEST_SLOTS).fill(-1);

  private kfcount = 0;
  private readonly pending = new Map<number, PendingFree[]>();
  private pendingCount = 0;
  private readonly devresSeen = new Set<string>();
  private readonly kfreeSeenHead = new Set<string>();
  private readonly unresolved: UnresolvedAlloc[] = [];
  private readonly headKfrees: HeadKfree[] = [];

  constructor(
    private readonly events: TraceEvent[],
    private readonly extras: KmemExtra[],
    private readonly keepLinked: boolean,
    private readonly materialize: KmallocMaterializer,
    private readonly readAllocFacts: AllocFactsReader,
  ) {}

  private readonly facts: AllocFacts = { callSite: "", bytesAlloc: 0 };

  /**
   * A kmalloc line: remember where it is (until release() of its chunk's memory `mem`, which
   * is `b.buffer`: callers pass it, the getter is not free) and its ptr position.
   */
  onKmalloc(
    b: Uint8Array,
    mem: ArrayBufferLike,
    lineStart: number,
    lineEnd: number,
    ptrStart: number,
    ptrEnd: number,
    line: number,
    kept: KmallocEvent | undefined,
  ): void {
    const idx = this.kcount++;
    const slot = idx % KMALLOC_WINDOW;
    const h = hashBytes(b, ptrStart, ptrEnd);
    this.ringHash[slot] = h;
    this.ringLine[slot] = line;
    this.ringBuf[slot] = b;
    this.ringMem[slot] = mem;
    this.ringStart[slot] = lineStart;
    this.ringEnd[slot] = lineEnd;
    this.ringPtrStart[slot] = ptrStart;
    this.ringPtrEnd[slot] = ptrEnd;
    this.ringConsumed[slot] = 0;
    this.ringKept[slot] = kept;
    this.latest[h & (LATEST_SLOTS - 1)] = idx;
  }

  /**
   * The caller will overwrite the bytes of `chunk` (any view of them): copy the remembered
   * kmalloc lines that are there.
   */
  release(chunk: Uint8Array): void {
    const mem = chunk.buffer;
    const lo = chunk.byteOffset;
    const hi = lo + chunk.byteLength;
    // In the released bytes: same memory, and a line start inside its range (several chunks
    // may share one ArrayBuffer: slots of a ring).
    const inside = (slot: number): boolean => {
      if (this.ringMem[slot] !== mem) return false;
      const at = (this.ringBuf[slot] as Uint8Array).byteOffset + (this.ringStart[slot] as number);
      return at >= lo && at < hi;
    };
    let bytes = 0;
    for (let slot = 0; slot < KMALLOC_WINDOW; slot++)
      if (inside(slot)) bytes += (this.ringEnd[slot] as number) - (this.ringStart[slot] as number);
    if (bytes === 0) return;
    const out = new Uint8Array(bytes);
    let o = 0;
    for (let slot = 0; slot < KMALLOC_WINDOW; slot++) {
      const b = this.ringBuf[slot];
      if (b === undefined || !inside(slot)) continue;
      const s = this.ringStart[slot] as number;
      const e = this.ringEnd[slot] as number;
      out.set(b.subarray(s, e), o);
      this.ringBuf[slot] = out;
      this.ringMem[slot] = out.buffer;
      this.ringStart[slot] = o;
      this.ringEnd[slot] = o + (e - s);
      this.ringPtrStart[slot] = (this.ringPtrStart[slot] as number) - s + o;
      this.ringPtrEnd[slot] = (this.ringPtrEnd[slot] as number) - s + o;
      o += e - s;
    }
  }

  private slotPtrEquals(slot: number, ptr: string): boolean {
    const buf = this.ringBuf[slot] as Uint8Array;
    const s = this.ringPtrStart[slot] as number;
    const e = this.ringPtrEnd[slot] as number;
    if (e - s !== ptr.length) return false;
    for (let i = 0; i < ptr.length; i++) if (buf[s + i] !== ptr.charCodeAt(i)) return false;
    return true;
  }

  /** Local index of the most recent kmalloc with this ptr still in the ring, or -1. */
  private findLocal(ptr: string): number {
    const h = hashString(ptr);
    const idx = this.latest[h & (LATEST_SLOTS - 1)] as number;
    // Empty slot, or its entry left the window: no kmalloc with this hash is in the window (a
    // newer one would have overwritten the slot).
    if (idx < 0 || this.kcount - idx > KMALLOC_WINDOW) return -1;
    if (this.ringHash[idx % KMALLOC_WINDOW] === h && this.slotPtrEquals(idx % KMALLOC_WINDOW, ptr))
      return idx;
    // The slot was overwritten by another hash (or two pointers share a hash): scan the ring.
    const oldest = Math.max(0, this.kcount - KMALLOC_WINDOW);
    for (let i = this.kcount - 1; i >= oldest; i--) {
      const slot = i % KMALLOC_WINDOW;
      if (this.ringHash[slot] === h && this.slotPtrEquals(slot, ptr)) return i;
    }
    return -1;
  }

  private eventOf(idx: number): { event: KmallocEvent; kept: boolean } {
    const slot = idx % KMALLOC_WINDOW;
    const kept = this.ringKept[slot];
    if (kept) return { event: kept, kept: true };
    return {
      event: this.materialize(
        this.ringBuf[slot] as Uint8Array,
        this.ringStart[slot] as number,
        this.ringEnd[slot] as number,
        this.ringLine[slot] as number,
      ),
      kept: false,
    };
  }

  /**
   * A devres event for `ptr` (index `eventIndex` in the segment's events). `addLike`: ADD or
   * unknown op; `releaseLike`: REL/REM/REPLACE or unknown op.
   */
  onDevres(
    ev: DevresEvent,
    eventIndex: number,
    ptr: string,
    addLike: boolean,
    releaseLike: boolean,
  ): void {
    // kmalloc side
    const idx = this.findLocal(ptr);
    if (idx >= 0) {
      const slot = idx % KMALLOC_WINDOW;
      if (this.ringConsumed[slot] === 0) {
        this.ringConsumed[slot] = 1;
        if (addLike) {
          const kept = this.ringKept[slot];
          if (kept === undefined && !this.keepLinked) {
            // Only the call site and size are needed: no event built.
            const facts = this.facts;
            this.readAllocFacts(
              this.ringBuf[slot] as Uint8Array,
              this.ringStart[slot] as number,
              this.ringEnd[slot] as number,
              facts,
            );
            ev.allocSite = facts.callSite;
            ev.allocBytes = facts.bytesAlloc;
          } else {
            const { event } = this.eventOf(idx);
            linkAlloc(ev, event);
            if (kept === undefined) this.extras.push({ event, owner: eventIndex });
          }
        }
      }
    } else if (this.kcount < KMALLOC_WINDOW && !this.devresSeen.has(ptr)) {
      // No kmalloc of ptr in this segment: an earlier segment may hold it.
      this.unresolved.push({ eventIndex, ptr, kmallocsBefore: this.kcount, addLike });
    }
    this.devresSeen.add(ptr);

    // kfree side
    const h = hashString(ptr);
    const list = this.pending.get(h);
    if (list) {
      const i = indexOfPtr(list, ptr);
      if (i >= 0) {
        list.splice(i, 1);
        this.pendingCount--;
        if (list.length === 0) this.pending.delete(h);
      }
    }
    if (releaseLike) {
      const entry: PendingFree = { ptr, eventIndex, reg: this.kfcount };
      const l = this.pending.get(h);
      if (l) l.push(entry);
      else this.pending.set(h, [entry]);
      this.pendingCount++;
    }
  }

  /**
   * A kfree line. `current` builds its event (asked only when needed); `kept` is the event
   * when keepKmem already keeps it.
   */
  onKfree(
    b: Uint8Array,
    ptrStart: number,
    ptrEnd: number,
    kept: KfreeEvent | undefined,
    current: CurrentKfree,
  ): void {
    const idx = this.kfcount++;
    let ptr: string | undefined;
    let ev = kept;
    if (idx < KFREE_WINDOW) {
      ptr = decode(b, ptrStart, ptrEnd);
      if (!this.devresSeen.has(ptr) && !this.kfreeSeenHead.has(ptr)) {
        ev ??= current.currentKfree();
        this.headKfrees.push({ ptr, idx, kept: kept !== undefined, event: ev });
      }
      this.kfreeSeenHead.add(ptr);
    }
    if (this.pendingCount > 0) {
      const h = hashBytes(b, ptrStart, ptrEnd);
      const list = this.pending.get(h);
      if (list) {
        ptr ??= decode(b, ptrStart, ptrEnd);
        // A plain loop: a closure capturing `ptr` would make every call allocate a context.
        const i = indexOfPtr(list, ptr);
        if (i >= 0) {
          const p = list[i] as PendingFree;
          list.splice(i, 1);
          this.pendingCount--;
          if (list.length === 0) this.pending.delete(h);
          if (idx - p.reg < KFREE_WINDOW) {
            if (ev === undefined && !this.keepLinked)
              (this.events[p.eventIndex] as DevresEvent).freeSite = current.currentKfreeSite();
            else {
              ev ??= current.currentKfree();
              linkFree(this.events[p.eventIndex] as DevresEvent, ev);
              if (kept === undefined && this.keepLinked)
                this.extras.push({ event: ev, owner: p.eventIndex });
            }
          }
        }
      }
      if (idx % KFREE_WINDOW === KFREE_WINDOW - 1) this.prunePending();
    }
  }

  private prunePending(): void {
    for (const [h, list] of this.pending) {
      const live = list.filter((p) => this.kfcount - p.reg < KFREE_WINDOW);
      this.pendingCount -= list.length - live.length;
      if (live.length === 0) this.pending.delete(h);
      else this.pending.set(h, live);
    }
  }

  /** What a merge needs; `last`: no segment follows, so nothing is carried forward. */
  export(last = false): LinkExport {
    const tailKmallocs: KmallocRecord[] = [];
    for (
      let i = last ? this.kcount : Math.max(0, this.kcount - KMALLOC_WINDOW);
      i < this.kcount;
      i++
    ) {
      const slot = i % KMALLOC_WINDOW;
      const { event, kept } = this.eventOf(i);
      // Superseded by a newer kmalloc of the same ptr: unreachable, as if consumed.
      const newest = this.findLocal(event.ptr) === i;
      tailKmallocs.push({
        ptr: event.ptr,
        idx: i,
        consumed: this.ringConsumed[slot] === 1 || !newest,
        kept,
        event,
      });
    }
    const endPending: PendingFree[] = [];
    if (!last)
      for (const list of this.pending.values())
        for (const p of list) if (this.kfcount - p.reg < KFREE_WINDOW) endPending.push(p);
    endPending.sort((a, b) => a.eventIndex - b.eventIndex);
    return {
      kmallocCount: this.kcount,
      kfreeCount: this.kfcount,
      tailKmallocs,
      unresolved: this.unresolved,
      headKfrees: this.headKfrees,
      devresPtrs: [...this.devresSeen],
      endPending,
    };
  }
}
