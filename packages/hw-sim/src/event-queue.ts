/**
 * Device activity scheduled on the simulated clock: a binary min-heap of (time, sequence)
 * so events due at the same nanosecond run in the order they were scheduled — the
 * determinism the simulator promises (same seed, same bytes).
 */
export interface TimedEvent {
  /** When it is due, ns on the kernel clock. */
  atNs: number;
  /** Tie-breaker: scheduling order. */
  seq: number;
  run: () => void;
}

export class EventQueue {
  private readonly heap: TimedEvent[] = [];
  private seq = 0;

  get size(): number {
    return this.heap.length;
  }

  /** Due time of the earliest event, or +Infinity when empty. */
  get nextNs(): number {
    return this.heap.length === 0 ? Number.POSITIVE_INFINITY : (this.heap[0] as TimedEvent).atNs;
  }

  push(atNs: number, run: () => void): TimedEvent {
    const ev: TimedEvent = { atNs, seq: this.seq++, run };
    const h = this.heap;
    h.push(ev);
    let i = h.length - 1;
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (!before(ev, h[p] as TimedEvent)) break;
      h[i] = h[p] as TimedEvent;
      i = p;
    }
    h[i] = ev;
    return ev;
  }

  /** Remove and return the earliest event. */
  pop(): TimedEvent | undefined {
    const h = this.heap;
    const top = h[0];
    if (top === undefined) return undefined;
    const last = h.pop() as TimedEvent;
    if (h.length > 0) {
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        if (l >= h.length) break;
        const r = l + 1;
        const c = r < h.length && before(h[r] as TimedEvent, h[l] as TimedEvent) ? r : l;
        if (!before(h[c] as TimedEvent, last)) break;
        h[i] = h[c] as TimedEvent;
        i = c;
      }
      h[i] = last;
    }
    return top;
  }

  clear(): void {
    this.heap.length = 0;
  }
}

function before(a: TimedEvent, b: TimedEvent): boolean {
  return a.atNs < b.atNs || (a.atNs === b.atNs && a.seq < b.seq);
}
