import type { TraceEvent, TraceEventKind } from "../model/events.js";

/**
 * One concern of the analysis (devres lists, user-space activity, kmem, drmm...). The
 * analyzer walks the events once and hands each event to every handler in order, like the
 * Chrome DevTools trace engine's handlers: reset -> handleEvent* -> finalize -> data.
 * `index` is the event's position in the analysed array; handlers keep indices, not copies.
 */
export interface AnalysisHandler<T> {
  readonly name: string;
  /** The event kinds it wants; the analyzer dispatches only those (1M+ kmem events add up). */
  readonly kinds: readonly TraceEventKind[];
  reset(): void;
  handleEvent(event: TraceEvent, index: number): void;
  finalize(): void;
  data(): T;
}

/** The last label built per pid (a trace has a few hundred tasks; labels repeat per event). */
const labels = new Map<number, { task: string | undefined; label: string }>();

/** `comm-pid` as ftrace prints it, or undefined when the line had no task. */
export function taskLabel(e: { task?: string; pid?: number }): string | undefined {
  const pid = e.pid;
  if (pid === undefined) return e.task;
  const hit = labels.get(pid);
  if (hit !== undefined && hit.task === e.task) return hit.label;
  const label = `${e.task ?? "?"}-${pid}`;
  if (labels.size >= 4096) labels.clear();
  labels.set(pid, { task: e.task, label });
  return label;
}
