import type { DrmresEvent, TraceEvent } from "../model/events.js";
import type { DevresAnomaly, ResourceRecord } from "./analysis-model.js";
import type { DevresHandler } from "./devres-handler.js";
import { type AnalysisHandler, taskLabel } from "./handler.js";
import { classifyDrmm } from "./resource-kinds.js";
import type { ResourceRegistry } from "./resource-registry.js";

/**
 * DRM managed resources (drivers/gpu/drm/drm_managed.c): each drm_device has its own list,
 * separate from its parent device's devres list. drm_dev_init() registers
 * `drm_dev_init_release` first (drivers/gpu/drm/drm_drv.c :: drm_dev_init), so that ADD starts
 * a new drm_device instance; drm_managed_release() releases the list newest-first between
 * `drmres release begin` and `drmres release end` when the last reference is dropped, which
 * can be long after the parent's unbind (an open file descriptor). Lines are matched to live
 * nodes by pointer across instances, since an old instance may be released after a new one
 * was created by a rebind; the prefix may also change (`pci 0000:00:01.0` once unbound).
 */
interface DrmState {
  instances: number;
  /** Instance currently receiving ADDs (-1 before the first). */
  current: number;
  live: Map<string, ResourceRecord>;
  ended: Map<string, ResourceRecord>;
}

export interface DrmresData {
  anomalies: DevresAnomaly[];
}

export class DrmresHandler implements AnalysisHandler<DrmresData> {
  readonly name = "drmres";
  readonly kinds = ["drmres", "drmres_release"] as const;
  readonly #devres: DevresHandler;
  readonly #registry: ResourceRegistry;
  #states = new Map<string, DrmState>();
  #anomalies: DevresAnomaly[] = [];
  /** Device whose `drmres release begin` was seen last (for prefix-less lines). */
  #releasing: string | undefined;

  constructor(devres: DevresHandler, registry: ResourceRegistry) {
    this.#devres = devres;
    this.#registry = registry;
  }

  reset(): void {
    this.#states = new Map();
    this.#anomalies = [];
    this.#releasing = undefined;
  }

  #state(dev: string): DrmState {
    let st = this.#states.get(dev);
    if (st === undefined) {
      st = { instances: 0, current: -1, live: new Map(), ended: new Map() };
      this.#states.set(dev, st);
    }
    return st;
  }

  /** The device a prefix-less line belongs to: the one holding the node, else the releasing one. */
  #resolveDev(e: DrmresEvent): string | undefined {
    if (e.dev !== "") return e.dev;
    for (const [dev, st] of this.#states) if (st.live.has(e.node)) return dev;
    return this.#releasing;
  }

  handleEvent(e: TraceEvent, index: number): void {
    if (e.kind === "drmres_release") {
      if (e.phase === "begin")
        this.#releasing = e.dev !== undefined && e.dev !== "" ? e.dev : this.#releasing;
      else this.#releasing = undefined;
      return;
    }
    if (e.kind !== "drmres") return;
    const dev = this.#resolveDev(e);
    if (dev === undefined) return;
    const st = this.#state(dev);
    const device = this.#devres.device(dev);
    device.drm ??= { add: 0, rel: 0, del: 0, liveAtEnd: 0 };
    const counts = device.drm;
    if (e.op === "ADD") {
      counts.add++;
      if (e.name === "drm_dev_init_release" || st.current < 0) st.current = st.instances++;
      st.ended.delete(e.node);
      const res = this.#record(e, dev, index, false);
      res.drmInstance = st.current;
      st.live.set(e.node, res);
      return;
    }
    if (e.op === "REL") counts.rel++;
    else counts.del++;
    const res = st.live.get(e.node);
    if (res !== undefined) {
      st.live.delete(e.node);
      res.end = e.op === "REL" ? "released" : "removed";
      res.endedNs = e.ts;
      res.endLine = e.line;
      res.endIndex = index;
      res.endOp = e.op;
      if (e.pid !== undefined) res.endPid = e.pid;
      const task = taskLabel(e);
      if (task !== undefined) res.endTask = task;
      st.ended.set(e.node, res);
      return;
    }
    const prev = st.ended.get(e.node);
    if (prev !== undefined && prev.name === e.name && prev.size === e.size) {
      this.#anomalies.push({
        kind: "double-release",
        device: dev,
        list: "drmm",
        eventIndex: index,
        resource: prev,
        covered: true,
        epoch: prev.epoch,
      });
      return;
    }
    // Released but never seen added: its drm_device predates the trace.
    const cut = this.#record(e, dev, index, true);
    st.ended.set(e.node, cut);
    this.#anomalies.push({
      kind: "release-unknown",
      device: dev,
      list: "drmm",
      eventIndex: index,
      resource: cut,
      covered: false,
      epoch: cut.epoch,
    });
  }

  #record(e: DrmresEvent, dev: string, index: number, cutOff: boolean): ResourceRecord {
    const epoch = this.#devres.currentEpoch(dev);
    const base: ResourceRecord = {
      id: "",
      device: dev,
      node: e.node,
      name: e.name,
      kind: classifyDrmm().kind,
      size: e.size,
      list: "drmm" as const,
      addedNs: e.ts,
      end: "live" as const,
      epoch: epoch?.index ?? -1,
      addIndex: cutOff ? -1 : index,
      endIndex: -1,
      seq: -1,
      isGroup: false,
    };
    const res = this.#registry.add(base);
    if (e.src !== undefined) res.src = e.src;
    const task = taskLabel(e);
    if (cutOff) {
      res.addCutOff = true;
      res.end = e.op === "REL" ? "released" : "removed";
      res.endedNs = e.ts;
      res.endLine = e.line;
      res.endIndex = index;
      res.endOp = e.op === "REL" ? "REL" : "DEL";
      if (e.pid !== undefined) res.endPid = e.pid;
      if (task !== undefined) res.endTask = task;
    } else {
      res.addLine = e.line;
      if (e.pid !== undefined) res.addPid = e.pid;
      if (task !== undefined) res.addTask = task;
    }
    this.#devres.device(dev).drmm.push(res);
    epoch?.resources.push(res);
    return res;
  }

  finalize(): void {
    for (const [dev, st] of this.#states) {
      const drm = this.#devres.device(dev).drm;
      if (drm !== undefined) drm.liveAtEnd = st.live.size;
    }
  }

  data(): DrmresData {
    return { anomalies: this.#anomalies };
  }
}
