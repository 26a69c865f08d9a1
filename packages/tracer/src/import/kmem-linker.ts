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
export type KmallocMaterializer = (b: Uint8Array, start: number, end: number, line: number) => KmallocEvent;

export function linkAlloc(ev: DevresEvent, k: KmallocEvent): void {
  ev.allocSite = k.callSite;
  ev.allocBytes = k.bytesAlloc;
}

export function linkFree(ev: DevresEvent, f: KfreeEvent): void {
  ev.freeSite = f.callSite;
}

export class KmemLinker {
  private kcount = 0;
  private readonly ringHash = new Int32Array(KMALLOC_WINDOW);
  private readonly ringLine = new Float64Array(KMALLOC_WINDOW);
  /** The line's bytes stay in the caller's chunk until release(chunk) copies them. */
  private readonly ringBuf: (Uint8Array | undefined)[] = new Array<Uint8Array | undefined>(KMALLOC_WINDOW);
  private readonly ringStart = new Int32Array(KMALLOC_WINDOW);
  private readonly ringEnd = new Int32Array(KMALLOC_WINDOW);
  private readonly ringPtrStart = new Int32Array(KMALLOC_WINDOW);
  private readonly ringPtrEnd = new Int32Array(KMALLOC_WINDOW);
  private readonly ringConsumed = new Uint8Array(KMALLOC_WINDOW);
  private readonly ringKept: (KmallocEvent | undefined)[] = new Array<KmallocEvent | undefined>(KMALLOC_WINDOW);
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
  ) {}

  /**
   * A kmalloc line: remember where it is (the chunk must not be modified afterwards) and its
   * ptr position.
   */
  onKmalloc(b: Uint8Array, lineStart: number, lineEnd: number, ptrStart: number, ptrEnd: number, line: number, kept: KmallocEvent | undefined): void {
    const idx = this.kcount++;
    const slot = idx % KMALLOC_WINDOW;
    const h = hashBytes(b, ptrStart, ptrEnd);
    this.ringHash[slot] = h;
    this.ringLine[slot] = line;
    this.ringBuf[slot] = b;
    this.ringStart[slot] = lineStart;
    this.ringEnd[slot] = lineEnd;
    this.ringPtrStart[slot] = ptrStart;
    this.ringPtrEnd[slot] = ptrEnd;
    this.ringConsumed[slot] = 0;
    this.ringKept[slot] = kept;
    this.latest[h & (LATEST_SLOTS - 1)] = idx;
  }

  /** The caller will overwrite `chunk`: copy the remembered kmalloc lines that are there. */
  release(chunk: Uint8Array): void {
    let bytes = 0;
    for (let slot = 0; slot < KMALLOC_WINDOW; slot++) if (this.ringBuf[slot] === chunk) bytes += (this.ringEnd[slot] as number) - (this.ringStart[slot] as number);
    if (bytes === 0) return;
    const out = new Uint8Array(bytes);
    let o = 0;
    for (let slot = 0; slot < KMALLOC_WINDOW; slot++) {
      if (this.ringBuf[slot] !== chunk) continue;
      const s = this.ringStart[slot] as number;
      const e = this.ringEnd[slot] as number;
      out.set(chunk.subarray(s, e), o);
      this.ringBuf[slot] = out;
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
    if (this.ringHash[idx % KMALLOC_WINDOW] === h && this.slotPtrEquals(idx % KMALLOC_WINDOW, ptr)) return idx;
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
    return { event: this.materialize(this.ringBuf[slot] as Uint8Array, this.ringStart[slot] as number, this.ringEnd[slot] as number, this.ringLine[slot] as number), kept: false };
  }

  /**
   * A devres event for `ptr` (index `eventIndex` in the segment's events). `addLike`: ADD or
   * unknown op; `releaseLike`: REL/REM/REPLACE or unknown op.
   */
  onDevres(ev: DevresEvent, eventIndex: number, ptr: string, addLike: boolean, releaseLike: boolean): void {
    // kmalloc side
    const idx = this.findLocal(ptr);
    if (idx >= 0) {
      const slot = idx % KMALLOC_WINDOW;
      if (this.ringConsumed[slot] === 0) {
        this.ringConsumed[slot] = 1;
        if (addLike) {
          const { event, kept } = this.eventOf(idx);
          linkAlloc(ev, event);
          if (!kept && this.keepLinked) this.extras.push({ event, owner: eventIndex });
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
      const i = list.findIndex((p) => p.ptr === ptr);
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
  onKfree(b: Uint8Array, ptrStart: number, ptrEnd: number, kept: KfreeEvent | undefined, current: { currentKfree(): KfreeEvent }): void {
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
        const i = list.findIndex((p) => p.ptr === ptr);
        if (i >= 0) {
          const p = list[i] as PendingFree;
          list.splice(i, 1);
          this.pendingCount--;
          if (list.length === 0) this.pending.delete(h);
          if (idx - p.reg < KFREE_WINDOW) {
            ev ??= current.currentKfree();
            linkFree(this.events[p.eventIndex] as DevresEvent, ev);
            if (kept === undefined && this.keepLinked) this.extras.push({ event: ev, owner: p.eventIndex });
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

  export(): LinkExport {
    const tailKmallocs: KmallocRecord[] = [];
    for (let i = Math.max(0, this.kcount - KMALLOC_WINDOW); i < this.kcount; i++) {
      const slot = i % KMALLOC_WINDOW;
      const { event, kept } = this.eventOf(i);
      // Superseded by a newer kmalloc of the same ptr: unreachable, as if consumed.
      const newest = this.findLocal(event.ptr) === i;
      tailKmallocs.push({ ptr: event.ptr, idx: i, consumed: this.ringConsumed[slot] === 1 || !newest, kept, event });
    }
    const endPending: PendingFree[] = [];
    for (const list of this.pending.values()) for (const p of list) if (this.kfcount - p.reg < KFREE_WINDOW) endPending.push(p);
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
