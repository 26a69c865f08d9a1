import type { TraceEvent } from "../model/events.js";
import { type AnalysisHandler } from "./handler.js";
import { callSiteFunction } from "./name-recovery.js";
import { ACTIVITY_KINDS, userEntrySite } from "./user-space-evidence.js";

export { userEntrySite } from "./user-space-evidence.js";

/**
 * Evidence that a task was in user space at some point: a probe that is still running cannot
 * have returned to user space, so such evidence between a probe's start and a release burst
 * in the same task proves the probe completed (the burst is an unbind, not a rollback).
 *
 * Sources, all from the task itself:
 * - a trace_marker write (`tracing_mark_write`): a write(2) by the task;
 * - a module_load by the task: a new finit_module(2) call;
 * - a kmalloc/kfree whose call site only runs at a system call entry or exit of the calling
 *   task (sysfs/kmsg file writes, opens and closes, execve, pipe);
 * - the task's comm changing under the same pid (execve).
 */
/** Why a task is known to have been in user space at an event. */
export interface UserReturn {
  index: number;
  reason: string;
}

export interface TaskActivity {
  /** Per pid: evidence in event order. */
  byPid: ReadonlyMap<number, readonly UserReturn[]>;
  /** Pids that logged any event able to show a user-space return (markers, kmem). */
  observablePids: ReadonlySet<number>;
  /** True when kmem events were present at all (the call-site evidence is available). */
  hasKmem: boolean;
}

/** First evidence for `pid` with from < index < to, if any (binary search). */
export function userReturnBetween(
  a: TaskActivity,
  pid: number,
  from: number,
  to: number,
): UserReturn | undefined {
  const list = a.byPid.get(pid);
  if (list === undefined || list.length === 0) return undefined;
  let lo = 0;
  let hi = list.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if ((list[mid] as UserReturn).index <= from) lo = mid + 1;
    else hi = mid;
  }
  const hit = list[lo];
  return hit !== undefined && hit.index < to ? hit : undefined;
}

/** Call sites repeat a lot (a few thousand distinct in a million kmem events): memoize. */
class SiteCache {
  readonly #map = new Map<string, string | null>();
  /** The function name when the site is a user-entry site, else null. */
  get(site: string): string | null {
    let v = this.#map.get(site);
    if (v === undefined) {
      v = userEntrySite(site) ? (callSiteFunction(site) ?? site) : null;
      this.#map.set(site, v);
    }
    return v;
  }
}

export class TaskActivityHandler implements AnalysisHandler<TaskActivity> {
  readonly name = "task-activity";
  readonly kinds = ACTIVITY_KINDS;
  #sites = new SiteCache();
  #byPid = new Map<number, UserReturn[]>();
  #observable = new Set<number>();
  #comm = new Map<number, string>();
  #hasKmem = false;

  reset(): void {
    this.#byPid = new Map();
    this.#observable = new Set();
    this.#comm = new Map();
    this.#hasKmem = false;
    this.#sites = new SiteCache();
  }

  #add(pid: number, index: number, reason: string): void {
    let list = this.#byPid.get(pid);
    if (list === undefined) {
      list = [];
      this.#byPid.set(pid, list);
    }
    list.push({ index, reason });
  }

  handleEvent(e: TraceEvent, index: number): void {
    const pid = e.pid;
    if (pid === undefined || pid <= 0) return;
    // comm changes under one pid mean execve (the `<...>` placeholder is a comm-cache miss).
    if (e.task !== undefined && e.task !== "<...>") {
      const prev = this.#comm.get(pid);
      if (prev !== e.task) {
        if (prev !== undefined) this.#add(pid, index, `comm changed ${prev} -> ${e.task} (execve)`);
        this.#comm.set(pid, e.task);
      }
    }
    switch (e.kind) {
      case "marker":
        this.#observable.add(pid);
        this.#add(pid, index, `trace_marker write "${e.text.slice(0, 60)}"`);
        break;
      case "module":
        if (e.op === "load") this.#add(pid, index, `module_load ${e.module} (finit_module)`);
        break;
      case "kmalloc":
      case "kfree":
        this.#hasKmem = true;
        this.#observable.add(pid);
        {
          const fn = this.#sites.get(e.callSite);
          if (fn !== null) this.#add(pid, index, `${e.kind} in ${fn}`);
        }
        break;
      default:
        break;
    }
  }

  finalize(): void {}

  data(): TaskActivity {
    return { byPid: this.#byPid, observablePids: this.#observable, hasKmem: this.#hasKmem };
  }
}
