import type { DevresEvent, TraceEvent } from "../model/events.js";
import type {
  DevresAnomaly,
  DeviceRecord,
  EpochClosure,
  EpochRecord,
  ResourceRecord,
} from "./analysis-model.js";
import { type AnalysisHandler, taskLabel } from "./handler.js";
import { callSiteFunction } from "./name-recovery.js";
import { classifyDevres } from "./resource-kinds.js";
import type { ResourceRegistry } from "./resource-registry.js";

/**
 * Replays every device's devres list exactly as drivers/base/devres.c keeps it, and cuts each
 * device's history into bind epochs.
 *
 * List semantics (drivers/base/devres.c):
 * - ADD appends at the tail (add_dr); `grp<` opens a group, `grp>` closes one.
 * - REM unlinks one node without releasing it (devres_remove, devm_kfree...); `REM grp<` is
 *   devres_remove_group: both markers go, the group's members stay and join the enclosing scope.
 * - REPLACE is devm_krealloc swapping the node in place (replace_dr logs the *old* node); the
 *   new node's pointer first shows up when it is released.
 * - REL comes only from release_nodes(): devres_release_all (driver core, whole list) and
 *   devres_release_group (one group's range). A run of consecutive RELs of one device is one
 *   such call. It releases group markers first, then plain nodes newest-first; that exact
 *   order is checked.
 *
 * Epochs: a probe starts with really_probe -> pinctrl_bind_pins, which ADDs
 * `devm_kzalloc_release` (the dev_pin_info, 40 bytes here) then `devm_pinctrl_release`
 * (drivers/pinctrl/core.c :: pinctrl_bind_pins); really_probe refuses to probe a device whose
 * list is not empty (drivers/base/dd.c :: really_probe), so a probe start proves the list was
 * empty. An epoch ends when a REL run releases every node it held (devres_release_all, called
 * by device_unbind_cleanup for both unbind and a failed probe). Whether that was an unbind or
 * a failed probe is decided afterwards from evidence (epoch-inference.ts).
 */

/** How far ahead (events) to look for the `devm_pinctrl_release` ADD after the dev_pin_info. */
const PINCTRL_LOOKAHEAD = 512;
/** An ADD this soon after a release burst, by its task, came from a release callback (ns). */
const RELEASE_CALLBACK_WINDOW_NS = 10_000_000;

interface GroupState {
  res: ResourceRecord;
  openSeq: number;
  /** Seq of the `grp>` marker once devres_close_group ran. */
  closeSeq?: number;
  closeNode?: string;
}

interface Entry {
  res: ResourceRecord;
  seq: number;
  group?: GroupState;
}

interface ReleaseRun {
  startIndex: number;
  lastIndex: number;
  pid?: number;
  /** The list when the run started, in list order. */
  present: Entry[];
  /** Known entries released by the run, in release order. */
  released: Entry[];
  /** The device's list was fully known when the run started. */
  covered: boolean;
}

interface DeviceState {
  rec: DeviceRecord;
  /** Live entries keyed by seq; Map iteration order is list order (seq grows with ADD). */
  list: Map<number, Entry>;
  /** Live entries by node pointer. */
  live: Map<string, Entry>;
  /** The last ended resource of each node pointer (double-release detection). */
  ended: Map<string, ResourceRecord>;
  /** Entries whose node moved by REPLACE; their new pointer is not known yet. */
  placeholders: Entry[];
  openGroups: GroupState[];
  epoch: EpochRecord | undefined;
  run: ReleaseRun | undefined;
  hadEpoch: boolean;
  covered: boolean;
  /** Entries still listed that an ended epoch never released (counted in `list`). */
  leftoverCount: number;
  /** Task and time (ns) of the release burst that just ended, until the device's next event. */
  justReleasedBy: { pid: number | undefined; ts: number } | undefined;
  nextSeq: number;
  lastEventIndex: number;
}

export interface DevresData {
  devices: Map<string, DeviceRecord>;
  anomalies: DevresAnomaly[];
  /** Whether any probe-start signal (pinctrl_bind_pins) exists in the trace. */
  probeSignals: boolean;
  notes: string[];
}

export interface DevresHandlerOptions {
  events: readonly TraceEvent[];
  registry: ResourceRegistry;
  /** Names recovered for pointer-printed names (name-recovery.ts). */
  pointerNames: ReadonlyMap<string, string>;
}

export class DevresHandler implements AnalysisHandler<DevresData> {
  readonly name = "devres";
  readonly kinds = ["devres"] as const;
  readonly #events: readonly TraceEvent[];
  readonly #registry: ResourceRegistry;
  readonly #pointerNames: ReadonlyMap<string, string>;
  #devices = new Map<string, DeviceState>();
  #anomalies: DevresAnomaly[] = [];
  #notes: string[] = [];
  #probeSignals = false;
  #grpCloseGuesses = 0;
  /** The trace's time span, set by the analyzer before finalize(). */
  #span: { startNs: number; endNs: number } | undefined;
  /** First timestamp of each input (src): where a cut-off input's knowledge begins. */
  #firstTsBySrc: ReadonlyMap<number, number> = new Map();

  constructor(opts: DevresHandlerOptions) {
    this.#events = opts.events;
    this.#registry = opts.registry;
    this.#pointerNames = opts.pointerNames;
  }

  reset(): void {
    this.#devices = new Map();
    this.#anomalies = [];
    this.#notes = [];
    this.#grpCloseGuesses = 0;
    this.#span = undefined;
    // A cheap pre-scan: does this kernel log probe starts at all (CONFIG_PINCTRL)? Without it
    // the first ADD after an empty list must be taken as a probe start.
    this.#probeSignals = this.#events.some(
      (e) =>
        e.kind === "devres" &&
        e.op === "ADD" &&
        (this.#nameOf(e) === "devm_pinctrl_release" ||
          (e.allocSite !== undefined && callSiteFunction(e.allocSite) === "pinctrl_bind_pins")),
    );
  }

  /** The current epoch index of a device at this point of the pass (-1 if none). */
  currentEpoch(dev: string): EpochRecord | undefined {
    return this.#devices.get(dev)?.epoch;
  }

  /** The device record, created on first use (drmm lines can name a device first). */
  device(dev: string): DeviceRecord {
    return this.#state(dev).rec;
  }

  #nameOf(e: DevresEvent): string {
    if (e.nameForm === "pointer") return this.#pointerNames.get(e.nameAddr ?? e.name) ?? e.name;
    return e.name;
  }

  #state(dev: string): DeviceState {
    let st = this.#devices.get(dev);
    if (st === undefined) {
      st = {
        rec: {
          name: dev,
          epochs: [],
          resources: [],
          drmm: [],
          counts: { add: 0, rel: 0, rem: 0, replace: 0 },
          coveredFrom: -1,
        },
        list: new Map(),
        live: new Map(),
        ended: new Map(),
        placeholders: [],
        openGroups: [],
        epoch: undefined,
        run: undefined,
        hadEpoch: false,
        covered: false,
        leftoverCount: 0,
        justReleasedBy: undefined,
        nextSeq: 0,
        lastEventIndex: -1,
      };
      this.#devices.set(dev, st);
    }
    return st;
  }

  /** The trace's first and last timestamps (cut-off starts, still-bound ends). */
  setSpan(
    span: { startNs: number; endNs: number } | undefined,
    firstTsBySrc: ReadonlyMap<number, number>,
  ): void {
    this.#span = span;
    this.#firstTsBySrc = firstTsBySrc;
  }

  /** Where the input that carried an event starts (the trace start for cut-off lifetimes). */
  traceStartFor(src: number | undefined): number {
    return this.#firstTsBySrc.get(src ?? 0) ?? this.#span?.startNs ?? 0;
  }

  handleEvent(e: TraceEvent, index: number): void {
    if (e.kind !== "devres") return;
    const st = this.#state(e.dev);
    let releasedBy: { pid: number | undefined; ts: number } | undefined;
    if (e.op !== "REL" && st.run !== undefined) releasedBy = this.#endRun(st);
    else if (st.justReleasedBy !== undefined) releasedBy = st.justReleasedBy;
    st.justReleasedBy = undefined;
    // An ADD within moments of a release burst, by the burst's task, that is not a new probe:
    // a release callback added it while devres_release_all ran (drivers/base/devres.c ::
    // devres_release_all releases only what was listed when it started).
    const duringRelease =
      e.op === "ADD" &&
      releasedBy !== undefined &&
      releasedBy.pid === e.pid &&
      e.ts - releasedBy.ts <= RELEASE_CALLBACK_WINDOW_NS;
    switch (e.op) {
      case "ADD":
        st.rec.counts.add++;
        this.#add(st, e, index, duringRelease);
        break;
      case "REL":
        st.rec.counts.rel++;
        this.#release(st, e, index);
        break;
      case "REM":
        st.rec.counts.rem++;
        this.#release(st, e, index);
        break;
      case "REPLACE":
        st.rec.counts.replace++;
        this.#replace(st, e, index);
        break;
    }
    st.lastEventIndex = index;
  }

  #isProbeStart(e: DevresEvent, index: number): boolean {
    if (this.#nameOf(e) !== "devm_kzalloc_release") return false;
    if (e.allocSite !== undefined && callSiteFunction(e.allocSite) !== undefined) {
      return callSiteFunction(e.allocSite) === "pinctrl_bind_pins";
    }
    const end = Math.min(this.#events.length, index + 1 + PINCTRL_LOOKAHEAD);
    for (let j = index + 1; j < end; j++) {
      const n = this.#events[j];
      if (n === undefined || n.kind !== "devres" || n.dev !== e.dev) continue;
      if (n.pid !== e.pid) return false;
      if (n.op === "ADD" && this.#nameOf(n) === "devm_pinctrl_release") return true;
      // pinctrl_bind_pins without a pin handle frees the dev_pin_info right away
      // (devm_kfree): a probe start too, when the device is not bound.
      return (
        n.op === "REM" &&
        n.node === e.node &&
        this.#devices.get(e.dev)?.epoch === undefined &&
        this.#probeSignals
      );
    }
    return false;
  }

  #newEpoch(
    st: DeviceState,
    e: DevresEvent,
    index: number,
    how: "probe" | "cut-off" | "first-add",
  ): EpochRecord {
    const task = taskLabel(e);
    const epoch: EpochRecord = {
      index: st.rec.epochs.length,
      start_ns: e.ts,
      end_ns: e.ts,
      end: "bound-at-end",
      device: st.rec.name,
      startIndex: how === "cut-off" ? -1 : index,
      endIndex: -1,
      closure: "trace-end",
      resources: [],
      leftovers: [],
      liveAtStart: [],
      covered: how === "probe" || (how === "first-add" && st.covered),
      added: 0,
    };
    if (how === "probe") {
      epoch.startEvidence = `pinctrl_bind_pins (really_probe) at line ${e.line}`;
      if (e.pid !== undefined) epoch.probePid = e.pid;
      if (task !== undefined) epoch.probeTask = task;
    } else if (how === "first-add") {
      epoch.startEvidence = this.#probeSignals
        ? `first ADD after the list emptied, line ${e.line}`
        : `first ADD at line ${e.line} (this kernel logs no probe-start signal)`;
      if (e.pid !== undefined) epoch.probePid = e.pid;
      if (task !== undefined) epoch.probeTask = task;
    } else {
      epoch.startCutOff = true;
      epoch.startEvidence = `started before the trace (first event for the device: ${e.op} at line ${e.line})`;
    }
    st.rec.epochs.push(epoch);
    st.epoch = epoch;
    st.hadEpoch = true;
    return epoch;
  }

  #closeEpoch(st: DeviceState, closure: EpochClosure, endIndex: number, endNs: number): void {
    const epoch = st.epoch;
    if (epoch === undefined) return;
    epoch.closure = closure;
    epoch.endIndex = endIndex;
    epoch.end_ns = endNs;
    if (closure === "next-probe" || closure === "probe-failed-line") epoch.endNotLogged = true;
    // Whatever of this epoch is still listed was never released.
    for (const entry of st.list.values()) {
      if (entry.res.epoch === epoch.index && entry.res.leftover !== true) {
        entry.res.leftover = true;
        st.leftoverCount++;
        epoch.leftovers.push(entry.res);
      }
    }
    st.epoch = undefined;
  }

  #add(st: DeviceState, e: DevresEvent, index: number, afterRelease = false): void {
    const name = this.#nameOf(e);
    if (name === "grp>") {
      this.#closeGroup(st, e);
      return;
    }
    const probeStart = this.#isProbeStart(e, index);
    const duringRelease = afterRelease && !probeStart;
    if (probeStart) {
      if (st.epoch !== undefined) this.#closeEpoch(st, "next-probe", index, e.ts);
      const epoch = this.#newEpoch(st, e, index, "probe");
      for (const entry of st.list.values()) epoch.liveAtStart.push(entry.res);
      st.covered = true;
      if (st.rec.coveredFrom < 0) st.rec.coveredFrom = index;
    } else if (st.epoch === undefined) {
      if (!st.hadEpoch) {
        // First sight of the device is a mid-life ADD: it was probed before the trace began
        // (when this kernel logs probe starts at all).
        this.#newEpoch(st, e, index, this.#probeSignals ? "cut-off" : "first-add");
      } else if (!this.#probeSignals) {
        this.#newEpoch(st, e, index, "first-add");
      }
      // else: the device has no bound driver (its last epoch ended and no probe started):
      // the node belongs to no epoch.
    }
    const prevLive = st.live.get(e.node);
    if (prevLive !== undefined) {
      // The same pointer cannot be linked twice (add_dr BUGs): its REL/REM is missing.
      this.#removeEntry(st, prevLive);
      prevLive.res.end = "released";
      prevLive.res.endMissing = true;
      prevLive.res.endedNs = e.ts;
      this.#anomalies.push({
        kind: "add-live-node",
        device: st.rec.name,
        list: "devres",
        eventIndex: index,
        resource: prevLive.res,
        covered: st.covered,
        epoch: prevLive.res.epoch,
      });
    }
    st.ended.delete(e.node);
    const kind = classifyDevres(name, name !== e.name ? undefined : e.nameForm);
    const epoch = st.epoch;
    const innermost = st.openGroups[st.openGroups.length - 1];
    const seq = st.nextSeq++;
    const res = this.#registry.add({
      id: "",
      device: st.rec.name,
      node: e.node,
      name: e.name,
      kind: kind.kind,
      size: e.size,
      list: "devres",
      addedNs: e.ts,
      end: "live",
      epoch: epoch?.index ?? -1,
      addLine: e.line,
      addIndex: index,
      endIndex: -1,
      seq,
      isGroup: name === "grp<",
    });
    copyNameFacts(res, e, name, kind.note);
    if (e.allocSite !== undefined) res.allocSite = e.allocSite;
    if (e.pid !== undefined) res.addPid = e.pid;
    const task = taskLabel(e);
    if (task !== undefined) res.addTask = task;
    if (innermost !== undefined) res.group = innermost.res.id;
    if (duringRelease) res.addedDuringRelease = true;
    const entry: Entry = { res, seq };
    if (res.isGroup) {
      entry.group = { res, openSeq: seq };
      st.openGroups.push(entry.group);
    }
    st.list.set(seq, entry);
    st.live.set(e.node, entry);
    st.rec.resources.push(res);
    if (epoch !== undefined) {
      epoch.resources.push(res);
      epoch.added = (epoch.added ?? 0) + 1;
    }
  }

  /**
   * devres_close_group appends the `grp>` marker of the group it closes. The marker's pointer
   * is &group->node[1], right after &group->node[0] (the `grp<` pointer): with raw pointers
   * (trace-cmd) that pairs them exactly. With hashed `%p` pointers it cannot, so the latest
   * open group is taken, which is what devres_close_group(dev, NULL) itself does.
   */
  #closeGroup(st: DeviceState, e: DevresEvent): void {
    let target: GroupState | undefined;
    const closeAddr = rawAddress(e.node);
    if (closeAddr !== undefined) {
      for (const g of st.openGroups) {
        const open = rawAddress(g.res.node);
        if (open !== undefined && closeAddr > open && closeAddr - open <= 128n) target = g;
      }
    }
    if (target === undefined) {
      target = st.openGroups[st.openGroups.length - 1];
      if (target !== undefined && st.openGroups.length > 1) this.#grpCloseGuesses++;
    }
    if (target === undefined) {
      this.#notes.push(
        `${st.rec.name}: grp> at line ${e.line} closes no open group (devres_close_group WARNs)`,
      );
      return;
    }
    target.closeSeq = st.nextSeq++;
    target.closeNode = e.node;
    target.res.closedNs = e.ts;
    st.openGroups = st.openGroups.filter((g) => g !== target);
  }

  #removeEntry(st: DeviceState, entry: Entry): void {
    if (st.list.delete(entry.seq) && entry.res.leftover === true) st.leftoverCount--;
    if (st.live.get(entry.res.node) === entry) st.live.delete(entry.res.node);
    if (
      entry.res.nodeAfterReplace !== undefined &&
      st.live.get(entry.res.nodeAfterReplace) === entry
    ) {
      st.live.delete(entry.res.nodeAfterReplace);
    }
    if (entry.group !== undefined) st.openGroups = st.openGroups.filter((g) => g !== entry.group);
  }

  #release(st: DeviceState, e: DevresEvent, index: number): void {
    let entry = st.live.get(e.node);
    if (entry === undefined && st.placeholders.length > 0 && !st.ended.has(e.node)) {
      // The node that devm_krealloc put in place of a REPLACEd one: newest placeholder first,
      // as a release burst frees newest-first.
      st.placeholders.sort((a, b) => a.seq - b.seq);
      entry = st.placeholders.pop();
      if (entry !== undefined) entry.res.nodeAfterReplace = e.node;
    }
    const op = e.op === "REL" ? "REL" : "REM";
    if (entry === undefined) {
      this.#releaseUnknown(st, e, index, op);
    } else {
      this.#removeEntry(st, entry);
      const res = entry.res;
      res.end = op === "REL" ? "released" : "removed";
      res.endedNs = e.ts;
      res.endLine = e.line;
      res.endIndex = index;
      res.endOp = op;
      if (e.pid !== undefined) res.endPid = e.pid;
      const task = taskLabel(e);
      if (task !== undefined) res.endTask = task;
      st.ended.set(e.node, res);
    }
    if (op !== "REL") return;
    let run = st.run;
    if (run === undefined) {
      // Leftovers of an earlier epoch are not really listed any more (their REL was not logged).
      const present = [...st.list.values()].filter((p) => p.res.leftover !== true);
      run = { startIndex: index, lastIndex: index, present, released: [], covered: st.covered };
      if (entry !== undefined) run.present.push(entry);
      run.present.sort((a, b) => a.seq - b.seq);
      if (e.pid !== undefined) run.pid = e.pid;
      st.run = run;
    }
    run.lastIndex = index;
    if (entry !== undefined) run.released.push(entry);
    // A covered list that just became empty: the burst is over (devres_release_all emptied it).
    if (
      entry !== undefined &&
      st.covered &&
      st.list.size === st.leftoverCount &&
      st.placeholders.length === 0
    ) {
      st.justReleasedBy = this.#endRun(st);
    }
  }

  #releaseUnknown(st: DeviceState, e: DevresEvent, index: number, op: "REL" | "REM"): void {
    const prev = st.ended.get(e.node);
    // The same pointer with another name or size is a different node that reused the address
    // (its ADD is missing), not the ended one released again.
    if (prev !== undefined && prev.name === e.name && prev.size === e.size) {
      this.#anomalies.push({
        kind: "double-release",
        device: st.rec.name,
        list: "devres",
        eventIndex: index,
        resource: prev,
        covered: st.covered,
        epoch: prev.epoch,
      });
      return;
    }
    if (st.epoch === undefined && !st.hadEpoch) this.#newEpoch(st, e, index, "cut-off");
    const name = this.#nameOf(e);
    const kind = classifyDevres(name, name !== e.name ? undefined : e.nameForm);
    const epoch = st.epoch;
    const res = this.#registry.add({
      id: "",
      device: st.rec.name,
      node: e.node,
      name: e.name,
      kind: kind.kind,
      size: e.size,
      list: "devres",
      addedNs: e.ts,
      endedNs: e.ts,
      end: op === "REL" ? "released" : "removed",
      epoch: epoch?.index ?? -1,
      addCutOff: true,
      endLine: e.line,
      addIndex: -1,
      endIndex: index,
      endOp: op,
      seq: -1,
      isGroup: name === "grp<",
    });
    copyNameFacts(res, e, name, kind.note);
    if (e.pid !== undefined) res.endPid = e.pid;
    const task = taskLabel(e);
    if (task !== undefined) res.endTask = task;
    st.rec.resources.push(res);
    epoch?.resources.push(res);
    st.ended.set(e.node, res);
    this.#anomalies.push({
      kind: "release-unknown",
      device: st.rec.name,
      list: "devres",
      eventIndex: index,
      resource: res,
      covered: st.covered,
      epoch: res.epoch,
    });
  }

  #replace(st: DeviceState, e: DevresEvent, index: number): void {
    const entry = st.live.get(e.node);
    if (entry !== undefined) {
      st.live.delete(e.node);
      entry.res.replaced = true;
      st.placeholders.push(entry);
      return;
    }
    // REPLACE of a node the trace never saw: it predates the trace.
    if (st.epoch === undefined && !st.hadEpoch) this.#newEpoch(st, e, index, "cut-off");
    const res = this.#registry.add({
      id: "",
      device: st.rec.name,
      node: e.node,
      name: e.name,
      kind: classifyDevres(this.#nameOf(e), e.nameForm).kind,
      size: e.size,
      list: "devres",
      addedNs: e.ts,
      end: "live",
      epoch: st.epoch?.index ?? -1,
      addCutOff: true,
      addIndex: -1,
      endIndex: -1,
      seq: -1,
      isGroup: false,
      replaced: true,
    });
    if (e.src !== undefined) res.src = e.src;
    st.rec.resources.push(res);
    st.epoch?.resources.push(res);
    st.placeholders.push({ res, seq: -1 });
  }

  /**
   * A REL run ended (the next devres event of the device was not a REL, or the list emptied).
   * Classify it: devres_release_all (the epoch ends), devres_release_group (the epoch goes
   * on), or a release_all whose log skips nodes (the epoch ends with leftovers).
   */
  #endRun(st: DeviceState): { pid: number | undefined; ts: number } | undefined {
    const run = st.run;
    if (run === undefined) return undefined;
    st.run = undefined;
    const releasedSet = new Set(run.released);
    const present = run.present;
    const remaining = present.filter((p) => !releasedSet.has(p));
    let closure: EpochClosure | undefined;
    if (remaining.length === 0 && (run.released.length > 0 || !run.covered)) {
      // Everything listed was released. A run of only unknown nodes closes an epoch only when
      // the list was not known (a cut-off start); on a known list it is an anomaly, not an end.
      closure = "release-all";
    } else if (run.released.length > 0 && !this.#isGroupRelease(present, releasedSet)) {
      closure = "release-incomplete";
    }
    if (closure === undefined) return undefined;
    const endEvent = this.#events[run.lastIndex];
    const epoch = st.epoch;
    if (epoch !== undefined) {
      epoch.releaseStartIndex = run.startIndex;
      if (run.pid !== undefined) epoch.releasePid = run.pid;
      if (run.released.length > 0)
        epoch.releaseOrderOk = releaseOrderMatches(present, run.released);
      this.#closeEpoch(st, closure, run.lastIndex, endEvent?.ts ?? 0);
    }
    st.covered = true;
    if (st.rec.coveredFrom < 0) st.rec.coveredFrom = run.lastIndex;
    return { pid: run.pid, ts: endEvent?.ts ?? 0 };
  }

  /**
   * devres_release_group releases one contiguous range of the list: from the group's open
   * marker up to its close marker (closed group) or the tail (open group).
   */
  #isGroupRelease(present: readonly Entry[], released: ReadonlySet<Entry>): boolean {
    const first = present.find((p) => released.has(p));
    if (first?.group === undefined) return false;
    const endSeq = first.group.closeSeq ?? Number.POSITIVE_INFINITY;
    for (const p of present) {
      const inRange = p.seq >= first.seq && p.seq <= endSeq;
      if (inRange !== released.has(p)) return false;
    }
    return true;
  }

  finalize(): void {
    const endTs = this.#span?.endNs ?? 0;
    for (const st of this.#devices.values()) {
      if (st.run !== undefined) this.#endRun(st);
      if (st.epoch !== undefined) {
        const epoch = st.epoch;
        epoch.end_ns = endTs;
        epoch.closure = "trace-end";
        st.epoch = undefined;
      }
      for (const epoch of st.rec.epochs) {
        if (epoch.startCutOff !== true) continue;
        const first = epoch.resources.find((r) => r.list === "devres");
        epoch.start_ns = Math.min(epoch.start_ns, this.traceStartFor(first?.src));
      }
      for (const res of st.rec.resources)
        if (res.addCutOff === true) res.addedNs = this.traceStartFor(res.src);
    }
    if (this.#grpCloseGuesses > 0) {
      this.#notes.push(
        `${this.#grpCloseGuesses} grp> marker(s) closed the latest open group: hashed %p pointers do not say which group devres_close_group() meant`,
      );
    }
  }

  data(): DevresData {
    const devices = new Map<string, DeviceRecord>();
    for (const [k, st] of this.#devices) devices.set(k, st.rec);
    return {
      devices,
      anomalies: this.#anomalies,
      probeSignals: this.#probeSignals,
      notes: this.#notes,
    };
  }
}

/** Raw `0xffff...`/`ffff...` kernel pointers (trace-cmd); hashed `%p` values give undefined. */
function rawAddress(node: string): bigint | undefined {
  const hex = node.startsWith("0x") ? node.slice(2) : node;
  if (!/^[0-9a-f]{16}$/i.test(hex) || !/^ff/i.test(hex)) return undefined;
  return BigInt(`0x${hex}`);
}

/**
 * release_nodes() order (drivers/base/devres.c :: remove_nodes, release_nodes): the open
 * markers of contained groups first, ordered by their deciding marker (close marker of a
 * closed group, open marker of an open one) from last to first, then plain nodes newest-first.
 */
function releaseOrderMatches(present: readonly Entry[], released: readonly Entry[]): boolean {
  const rel = new Set(released);
  const groups = present
    .filter((p) => p.group !== undefined && rel.has(p))
    .sort((a, b) => decidingSeq(b) - decidingSeq(a));
  const plain = present
    .filter((p) => p.group === undefined && rel.has(p))
    .sort((a, b) => b.seq - a.seq);
  const expected = [...groups, ...plain];
  if (expected.length !== released.length) return false;
  return expected.every((p, i) => p === released[i]);
}

function decidingSeq(e: Entry): number {
  return e.group?.closeSeq ?? e.seq;
}

/** Name facts a resource takes from its first logged event (ADD, or a release of an unseen node). */
function copyNameFacts(
  res: ResourceRecord,
  e: DevresEvent,
  name: string,
  kindNote: string | undefined,
): void {
  if (name !== e.name) res.recoveredName = name;
  if (kindNote !== undefined) res.kindNote = kindNote;
  if (e.nameForm !== undefined && e.nameForm !== "plain") res.nameForm = e.nameForm;
  if (e.nameAddr !== undefined) res.nameAddr = e.nameAddr;
  if (e.src !== undefined) res.src = e.src;
}
