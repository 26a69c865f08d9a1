import type { ProbeFailedEvent, TraceEvent } from "../model/events.js";
import type { DeviceRecord, EpochRecord } from "./analysis-model.js";
import type { KernelLogData } from "./kernel-log-handler.js";
import { callSiteModule } from "./name-recovery.js";
import { type TaskActivity, userReturnBetween } from "./task-activity-handler.js";

/**
 * Decide how each epoch ended: unbind, probe-failed, or bound-at-end. No tracepoint marks a
 * probe's outcome, so the decision is made from evidence, strongest first:
 *
 * 1. A `probe of <dev> failed with error -N` line (drivers/base/dd.c :: call_driver_probe) at
 *    the epoch's end: probe-failed, with its errno.
 * 2. The epoch's start predates the trace: unbind (the probe had succeeded long before).
 * 3. The release burst ran in another task than the probe: unbind. A failing probe unwinds
 *    in the probing task itself: really_probe -> device_unbind_cleanup ->
 *    devres_release_all (drivers/base/dd.c :: really_probe).
 * 4. The probing task returned to user space between the probe and the burst (a trace_marker
 *    write, a sysfs write finishing, execve...; task-activity-handler.ts): unbind.
 * 5. Otherwise the burst ran in the probing task without it ever leaving the kernel: the
 *    probe failed and really_probe rolled it back (-ENODEV/-ENXIO print nothing).
 */

/** A probe_failed line belongs to an epoch that ended at most this long before it (ns). */
const PROBE_FAILED_WINDOW_NS = 1_000_000_000;

export interface InferenceInput {
  events: readonly TraceEvent[];
  devices: Map<string, DeviceRecord>;
  activity: TaskActivity;
  log: KernelLogData;
}

export function inferEpochEnds(input: InferenceInput): void {
  const { events, devices, activity, log } = input;
  const failedByDev = new Map<string, { pf: ProbeFailedEvent; index: number }[]>();
  for (const i of log.probeFailed) {
    const e = events[i];
    if (e?.kind !== "probe_failed") continue;
    let list = failedByDev.get(e.dev);
    if (list === undefined) {
      list = [];
      failedByDev.set(e.dev, list);
    }
    list.push({ pf: e, index: i });
  }
  const unapplied: { pf: ProbeFailedEvent; index: number }[] = [];
  for (const dev of devices.values()) {
    const failed = failedByDev.get(dev.name) ?? [];
    for (const epoch of dev.epochs) decide(epoch, events, activity);
    for (const f of failed) if (!applyProbeFailed(dev, f.pf, f.index)) unapplied.push(f);
    assignDrivers(dev, log, activity);
  }
  for (const [name, failed] of failedByDev) if (!devices.has(name)) unapplied.push(...failed);
  // A probe that failed before adding any devres node (or whose device never logged one)
  // is still a bind attempt the user should see: one epoch made of the kernel's line alone.
  unapplied.sort((x, y) => x.index - y.index);
  for (const { pf, index } of unapplied) {
    const name = pf.dev;
    let dev = devices.get(name);
    // Appended only: epochs are indexed in time order and resources refer to them by index.
    if (dev !== undefined && dev.epochs.some((ep) => ep.start_ns > pf.ts)) continue;
    if (dev === undefined) {
      dev = {
        name,
        epochs: [],
        resources: [],
        drmm: [],
        counts: { add: 0, rel: 0, rem: 0, replace: 0 },
        coveredFrom: -1,
      };
      devices.set(name, dev);
    }
    const epoch: EpochRecord = {
      index: dev.epochs.length,
      start_ns: pf.ts,
      end_ns: pf.ts,
      end: "probe-failed",
      device: name,
      startIndex: index,
      endIndex: index,
      closure: "probe-failed-line",
      endNotLogged: true,
      resources: [],
      leftovers: [],
      liveAtStart: [],
      covered: false,
      added: 0,
      errno: pf.errno,
      driver: pf.driver,
      startEvidence: `only the kernel's probe_failed line (${pf.via ?? "log"} line ${pf.line}): the probe logged no devres activity`,
      endEvidence: `${pf.driver}: probe of ${pf.dev} failed with error ${pf.errno} (${pf.via ?? "log"} line ${pf.line})`,
    };
    dev.epochs.push(epoch);
    dev.driver ??= pf.driver;
  }
}

function decide(epoch: EpochRecord, events: readonly TraceEvent[], activity: TaskActivity): void {
  switch (epoch.closure) {
    case "trace-end":
      epoch.end = "bound-at-end";
      epoch.endEvidence = "still bound when the trace ended";
      return;
    case "next-probe":
      epoch.end = "unbind";
      epoch.endEvidence = `nothing left to release, so the end was not logged; the next probe started at line ${lineOf(events, epoch.endIndex)}`;
      return;
    case "probe-failed-line":
      return;
    case "release-all":
    case "release-incomplete":
      break;
  }
  const burst = epoch.releaseStartIndex ?? epoch.endIndex;
  const burstLine = lineOf(events, burst);
  if (epoch.startCutOff === true || epoch.startIndex < 0) {
    epoch.end = "unbind";
    epoch.endEvidence = `release burst at line ${burstLine}; the probe predates the trace`;
    return;
  }
  const probePid = epoch.probePid;
  const relPid = epoch.releasePid;
  if (probePid === undefined || relPid === undefined) {
    epoch.end = "unbind";
    epoch.endEvidence = `release burst at line ${burstLine}; no task information to tell a failed probe from an unbind`;
    return;
  }
  if (probePid !== relPid) {
    const relTask = taskOf(events, burst);
    epoch.end = "unbind";
    epoch.endEvidence = `released by ${relTask} (line ${burstLine}), not by the probing task ${epoch.probeTask ?? probePid}`;
    return;
  }
  const back = userReturnBetween(activity, probePid, epoch.startIndex, burst);
  if (back !== undefined) {
    epoch.end = "unbind";
    epoch.endEvidence = `${epoch.probeTask ?? probePid} returned to user space after the probe (${back.reason}, line ${lineOf(events, back.index)})`;
    return;
  }
  epoch.end = "probe-failed";
  const observable = activity.observablePids.has(probePid);
  epoch.endEvidence =
    `rolled back by the probing task ${epoch.probeTask ?? probePid} at line ${burstLine} without returning to user space` +
    (observable
      ? ""
      : " (the trace shows no user-space activity of this task at all: weak evidence)");
}

/** Ties the line to the epoch it ended; false when no epoch of the device can be it. */
function applyProbeFailed(dev: DeviceRecord, pf: ProbeFailedEvent, index: number): boolean {
  // The last epoch that started before the line: really_probe prints it after the rollback,
  // so a retry (deferred probe) that starts later is not it.
  let target: EpochRecord | undefined;
  for (const epoch of dev.epochs) if (epoch.start_ns <= pf.ts) target = epoch;
  if (target === undefined) return false;
  const open = target.closure === "trace-end" || target.closure === "next-probe";
  if (!open && pf.ts - target.end_ns > PROBE_FAILED_WINDOW_NS) return false;
  const where = `${pf.via ?? "log"} line ${pf.line}`;
  if (open) {
    // Nothing was released (the list was empty): the line is the only sign of the end.
    if (target.closure === "trace-end") {
      target.end_ns = pf.ts;
      // The line itself is the last event of the epoch (rules bound "during the probe" by it).
      target.endIndex = index;
      target.closure = "probe-failed-line";
      target.endNotLogged = true;
    }
  }
  target.end = "probe-failed";
  target.errno = pf.errno;
  target.endEvidence = `${pf.driver}: probe of ${pf.dev} failed with error ${pf.errno} (${where})`;
  target.driver ??= pf.driver;
  return true;
}

function assignDrivers(dev: DeviceRecord, log: KernelLogData, activity: TaskActivity): void {
  const sightings = log.drivers.get(dev.name) ?? [];
  for (const epoch of dev.epochs) {
    if (epoch.driver !== undefined) continue;
    // 1. A dev_printk prefix during the epoch; 2. the last one before its end (sightings only
    // record changes of the prefix).
    const within = sightings.find((s) => s.ts >= epoch.start_ns && s.ts <= epoch.end_ns);
    const before = [...sightings].reverse().find((s) => s.ts <= epoch.end_ns);
    const seen = within ?? before;
    if (seen !== undefined) {
      epoch.driver = seen.driver;
      continue;
    }
    // 3. The module the probing task loaded right before probing (modprobe -> do_init_module),
    // 4. the module named by the epoch's allocation call sites (`... [ata_piix]`).
    if (epoch.probePid !== undefined && epoch.startIndex >= 0) {
      const pid = epoch.probePid;
      const load = [...log.moduleLoads]
        .reverse()
        .find((m) => m.pid === pid && m.index < epoch.startIndex);
      // Same finit_module() call: no user-space return of the task in between.
      if (
        load !== undefined &&
        userReturnBetween(activity, pid, load.index, epoch.startIndex) === undefined
      ) {
        epoch.driver = load.module;
        continue;
      }
    }
    const fromSite = epoch.resources
      .map((r) => (r.allocSite !== undefined ? callSiteModule(r.allocSite) : undefined))
      .find((m) => m !== undefined);
    if (fromSite !== undefined) epoch.driver = fromSite;
  }
  const last = [...dev.epochs].reverse().find((e) => e.driver !== undefined);
  if (last?.driver !== undefined) dev.driver = last.driver;
  else {
    const s = sightings[sightings.length - 1];
    if (s !== undefined) dev.driver = s.driver;
  }
}

function lineOf(events: readonly TraceEvent[], index: number): number | string {
  return events[index]?.line ?? "?";
}

function taskOf(events: readonly TraceEvent[], index: number): string {
  const e = events[index];
  if (e === undefined) return "?";
  return e.pid !== undefined ? `${e.task ?? "?"}-${e.pid}` : (e.task ?? "?");
}
