/**
 * Completes keepKmem "evidence" across segments (kmem-evidence.ts says what is kept and why),
 * so that any split of the input gives exactly the events one sequential pass keeps:
 * - a line a segment kept only for lack of knowledge (the pid's first kmem line, a comm the
 *   segment could not compare, a user-entry line before the segment's first non-kmem event)
 *   stays only if the segments before it do not make it redundant;
 * - of the segments' earliest and latest lines, only the input's earliest and latest stay;
 * - a module allocation still open at a segment's end is closed by any later segment that
 *   names its ptr (a kept one gets `freedLater`); those open at the input's end are added.
 * Segments are added in file order. Pure.
 */
import type { KmallocEvent } from "../model/events.js";
import { Why, type EvidenceExport, type KmemEvent } from "./kmem-evidence.js";
import { PtrSet } from "./ptr-table.js";

interface Open {
  event: KmallocEvent;
}

export class EvidenceMerger {
  private readonly kept = new Set<KmemEvent>();
  private readonly open = new Map<string, Open>();
  private readonly kmemPids = new Set<number>();
  private readonly comms = new Map<number, string>();
  /** Pids with kept user-entry evidence after the last non-kmem event so far. */
  private gapPids = new Set<number>();
  private first: KmemEvent | undefined;
  private last: KmemEvent | undefined;

  /** The next segment's export; `lineOffset`: lines before the segment. */
  add(ev: EvidenceExport, lineOffset: number): void {
    // 1. This segment's kmalloc/kfree lines end allocations left open before it.
    if (this.open.size > 0) {
      if (ev.touched === undefined)
        throw new Error(
          "evidence merge: a segment after the first one was parsed as the input's start (SegmentOptions.startsInput)",
        );
      const touched = new PtrSet(ev.touched);
      for (const [ptr, o] of this.open) {
        if (!touched.has(ptr)) continue;
        o.event.freedLater = true;
        this.open.delete(ptr);
      }
    }
    // 2. Keep what a sequential pass keeps, knowing the segments before.
    for (let i = 0; i < ev.events.length; i++) {
      const e = ev.events[i] as KmemEvent;
      e.line += lineOffset;
      const why = ev.why[i] as number;
      const pid = e.pid ?? 0;
      if (
        (why & (Why.Entry | Why.Comm)) !== 0 ||
        ((why & Why.FirstOfPid) !== 0 && !this.kmemPids.has(pid)) ||
        ((why & Why.CommUnknown) !== 0 && this.comms.get(pid) !== e.task) ||
        ((why & Why.EntryAtStart) !== 0 && !this.gapPids.has(pid))
      )
        this.kept.add(e);
    }
    const first = ev.events[ev.first];
    if (first !== undefined && (this.first === undefined || first.ts < this.first.ts))
      this.first = first;
    const last = ev.events[ev.last];
    if (last !== undefined && (this.last === undefined || last.ts > this.last.ts)) this.last = last;
    // 3. What the segment tells the ones after it.
    for (const pid of ev.kmemPids) this.kmemPids.add(pid);
    for (const [pid, comm] of ev.comms) this.comms.set(pid, comm);
    // The gap after the last non-kmem event goes on through a segment without one.
    if (ev.anchored) this.gapPids = new Set(ev.openGapPids);
    else for (const pid of ev.openGapPids) this.gapPids.add(pid);
    for (const o of ev.open) {
      const event = o.kept >= 0 ? (ev.events[o.kept] as KmallocEvent) : o.event;
      if (event === undefined) continue;
      if (o.kept < 0) event.line += lineOffset;
      this.open.set(o.ptr, { event });
    }
  }

  /** The kept kmem events (any order). */
  events(): KmemEvent[] {
    const out = new Set(this.kept);
    if (this.first !== undefined) out.add(this.first);
    if (this.last !== undefined) out.add(this.last);
    // Still open at the end of the input: never freed.
    for (const o of this.open.values()) out.add(o.event);
    return [...out];
  }
}
