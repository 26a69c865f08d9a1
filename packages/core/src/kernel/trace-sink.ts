import type { TraceEvent } from "@devscope/tracer";

/** Where the simulated kernel writes its trace events (the ring buffer, in effect). */
export interface TraceSink {
  emit(ev: TraceEvent): void;
}

/** A sink that keeps every event in order (what `cat trace` would read back). */
export class TraceBuffer implements TraceSink {
  readonly events: TraceEvent[] = [];
  emit(ev: TraceEvent): void {
    this.events.push(ev);
  }
}

/** Which trace events are enabled (`events/<system>/<event>/enable`). */
export interface TraceEventsEnabled {
  /** dev:devres_log */
  devres: boolean;
  /** kmem:kmalloc + kmem:kfree */
  kmem: boolean;
  /** irq:irq_handler_entry + irq:irq_handler_exit */
  irq: boolean;
  /** module:module_load + module:module_free */
  module: boolean;
  /** printk:console */
  console: boolean;
  /** trace_marker writes (always recorded when tracing is on in the real kernel). */
  marker: boolean;
}

export const DEFAULT_TRACE_EVENTS: TraceEventsEnabled = {
  devres: true,
  kmem: true,
  irq: false,
  module: true,
  console: false,
  marker: true,
};

type WithoutOrigin<E> = E extends TraceEvent
  ? Omit<E, "ts" | "line" | "src" | "cpu" | "task" | "pid" | "flags" | "via">
  : never;
/** An event as a kernel subsystem describes it; the kernel adds time, CPU, task and flags. */
export type EventPayload = WithoutOrigin<TraceEvent>;
