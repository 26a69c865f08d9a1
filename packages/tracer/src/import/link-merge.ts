/**
 * Completes kmalloc/kfree links across segment boundaries (see kmem-linker.ts for the rules).
 * Segments are merged in file order; the carried state is the last KMALLOC_WINDOW kmallocs and
 * the released nodes still waiting for their kfree. Pure: runs in Node and in browser workers.
 */
import type { DevresEvent, KfreeEvent, KmallocEvent, TraceEvent } from "../model/events.js";
import {
  KFREE_WINDOW,
  KMALLOC_WINDOW,
  linkAlloc,
  linkFree,
  type KmemExtra,
  type LinkExport,
} from "./kmem-linker.js";

interface CarriedKmalloc {
  ptr: string;
  /** Global kmalloc index. */
  gidx: number;
  consumed: boolean;
  kept: boolean;
  event: KmallocEvent;
}

interface CarriedPending {
  /** Global index of the releasing devres event in the merged events. */
  eventIndex: number;
  /** Global kfree count at registration. */
  reg: number;
}

export class LinkMerger {
  private ring: CarriedKmalloc[] = [];
  private kmallocBase = 0;
  private kfreeBase = 0;
  private readonly pending = new Map<string, CarriedPending>();

  constructor(
    private readonly events: TraceEvent[],
    private readonly extras: KmemExtra[],
    private readonly keepLinked: boolean,
  ) {}

  /**
   * Adds the next segment. `eventOffset`: index of its first event in the merged events;
   * `lineOffset`: lines before it (its records carry segment-local line numbers).
   */
  add(exp: LinkExport, eventOffset: number, lineOffset: number): void {
    // 1. devres events whose kmalloc may sit in an earlier segment.
    for (const u of exp.unresolved) {
      let hit: CarriedKmalloc | undefined;
      for (let i = this.ring.length - 1; i >= 0; i--) {
        const r = this.ring[i] as CarriedKmalloc;
        if (r.ptr === u.ptr) {
          hit = r;
          break;
        }
      }
      if (!hit || hit.consumed) continue;
      if (this.kmallocBase + u.kmallocsBefore - hit.gidx > KMALLOC_WINDOW) continue;
      hit.consumed = true;
      if (u.addLike) {
        const owner = eventOffset + u.eventIndex;
        linkAlloc(this.events[owner] as DevresEvent, hit.event);
        if (!hit.kept && this.keepLinked) this.extras.push({ event: hit.event, owner });
      }
    }
    // 2. kfrees that may free a node released in an earlier segment.
    for (const h of exp.headKfrees) {
      const p = this.pending.get(h.ptr);
      if (!p) continue;
      this.pending.delete(h.ptr);
      if (this.kfreeBase + h.idx - p.reg >= KFREE_WINDOW) continue;
      const ev: KfreeEvent = { ...h.event, line: h.event.line + lineOffset };
      linkFree(this.events[p.eventIndex] as DevresEvent, ev);
      if (!h.kept && this.keepLinked) this.extras.push({ event: ev, owner: p.eventIndex });
    }
    // 3. This segment's devres events cancel carried pending frees of their pointers...
    for (const ptr of exp.devresPtrs) this.pending.delete(ptr);
    // 4. ...and leave their own.
    for (const p of exp.endPending)
      this.pending.set(p.ptr, {
        eventIndex: eventOffset + p.eventIndex,
        reg: this.kfreeBase + p.reg,
      });

    // 5. Carry the last kmallocs forward.
    for (const r of exp.tailKmallocs) {
      this.ring.push({
        ptr: r.ptr,
        gidx: this.kmallocBase + r.idx,
        consumed: r.consumed,
        kept: r.kept,
        event: { ...r.event, line: r.event.line + lineOffset },
      });
    }
    this.kmallocBase += exp.kmallocCount;
    this.kfreeBase += exp.kfreeCount;
    const oldest = this.kmallocBase - KMALLOC_WINDOW;
    if (
      this.ring.length > KMALLOC_WINDOW ||
      (this.ring[0] !== undefined && this.ring[0].gidx < oldest)
    ) {
      this.ring = this.ring.filter((r) => r.gidx >= oldest);
    }
    for (const [ptr, p] of this.pending)
      if (this.kfreeBase - p.reg >= KFREE_WINDOW) this.pending.delete(ptr);
  }
}
