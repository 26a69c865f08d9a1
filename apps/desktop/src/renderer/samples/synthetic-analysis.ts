import {
  ANALYSIS_SCHEMA,
  type Analysis,
  type DeviceSummary,
  type Resource,
  type ResourceKind,
} from "@devscope/tracer";
import { must } from "../../shared/must.ts";

/**
 * A deterministic synthetic analysis of bind/unbind cycles, for renderer benchmarks and tests
 * that need scale (e.g. one million resources). It has the shape the kernel produces — per
 * device, epochs whose resources are added in a burst and released newest-first (LIFO) at
 * unbind, a devres group per probe, the last epoch still bound with its resources live — but
 * no claim to be a real trace: it is labelled synthetic wherever it is shown.
 */
export interface SyntheticOptions {
  devices: number;
  /** Bind/unbind cycles per device. */
  cycles: number;
  /** Resources per probe. */
  perProbe: number;
  seed?: number;
}

const NAMES: readonly [string, ResourceKind, number][] = [
  ["pcim_release", "pci", 8],
  ["pcim_iomap_release", "iomap", 48],
  ["devm_kzalloc_release", "memory", 312],
  ["dmam_release", "dma-coherent", 32],
  ["devm_irq_release", "irq", 16],
  ["msi_device_data_release", "msi", 16],
  ["devm_attr_group_remove", "sysfs", 8],
  ["devm_action_release", "action", 16],
  ["devm_ioremap_release", "iomap", 8],
  ["dmam_pool_release", "dma-pool", 8],
  ["devm_clk_release", "clk", 16],
  ["devm_region_release", "region", 24],
];

/** xorshift32: tiny, seeded, deterministic. */
function rng(seed: number): () => number {
  let s = seed >>> 0 || 0x9e3779b9;
  return () => {
    s ^= s << 13;
    s >>>= 0;
    s ^= s >>> 17;
    s ^= s << 5;
    s >>>= 0;
    return s / 0x100000000;
  };
}

export function syntheticAnalysis(opts: SyntheticOptions): Analysis {
  const rand = rng(opts.seed ?? 1);
  const resources: Resource[] = [];
  const devices: DeviceSummary[] = [];
  const cycleNs = 2_000_000; // one bind/unbind cycle every 2 ms
  let id = 0;
  let spanEnd = 0;
  for (let d = 0; d < opts.devices; d++) {
    const name = `0000:${String(Math.floor(d / 32)).padStart(2, "0")}:${(d % 32).toString(16).padStart(2, "0")}.0`;
    const device: DeviceSummary = {
      name,
      driver: `synth${d % 7}`,
      epochs: [],
      counts: { add: 0, rel: 0, rem: 0, replace: 0 },
      liveAtEnd: 0,
    };
    for (let c = 0; c < opts.cycles; c++) {
      const last = c === opts.cycles - 1;
      const probeNs = 1_000_000_000 + c * cycleNs + d * 7_000 + Math.floor(rand() * 5_000);
      const addTimes: number[] = [];
      let t = probeNs;
      for (let k = 0; k < opts.perProbe; k++) {
        t += 1_000 + Math.floor(rand() * 3_000);
        addTimes.push(t);
      }
      const unbindNs = probeNs + cycleNs / 2 + Math.floor(rand() * 100_000);
      const epochIndex = device.epochs.length;
      const groupId = `r${id}`;
      let relT = unbindNs;
      const ends: number[] = new Array<number>(opts.perProbe);
      for (let k = opts.perProbe - 1; k >= 0; k--) {
        relT += 500 + Math.floor(rand() * 1_500);
        ends[k] = relT;
      }
      for (let k = 0; k < opts.perProbe; k++) {
        const [rname, kind, size] =
          k === 0 ? (["grp<", "group", 0] as const) : must(NAMES[(k + d) % NAMES.length]);
        const r: Resource = {
          id: `r${id++}`,
          device: name,
          node: (0x1000_0000 + ((id * 2654435761) >>> 0)).toString(16).padStart(16, "0"),
          name: rname,
          kind,
          size,
          list: "devres",
          addedNs: addTimes[k] as number,
          end: last ? "live" : k === 0 ? "removed" : "released",
          epoch: epochIndex,
        };
        if (k > 0) r.group = groupId;
        if (!last)
          r.endedNs =
            k === 0
              ? (addTimes[Math.min(3, opts.perProbe - 1)] as number) + 500
              : (ends[k] as number);
        device.counts.add++;
        if (r.end === "released") device.counts.rel++;
        else if (r.end === "removed") device.counts.rem++;
        else device.liveAtEnd++;
        resources.push(r);
      }
      device.epochs.push({
        index: epochIndex,
        start_ns: probeNs,
        end_ns: last ? relT : relT,
        end: last ? "bound-at-end" : "unbind",
        driver: device.driver as string,
      });
      spanEnd = Math.max(spanEnd, relT);
    }
    devices.push(device);
  }
  for (const d of devices) {
    const e = d.epochs[d.epochs.length - 1];
    if (e && e.end === "bound-at-end") e.end_ns = spanEnd;
  }
  return {
    schema: ANALYSIS_SCHEMA,
    inputs: [
      { path: `synthetic-${resources.length}-resources`, format: "synthetic", bytes: 0, lines: 0 },
    ],
    lines: { total: 0, parsed: 0, ignored: {}, rejected: 0, rejectedSamples: [] },
    devices,
    resources,
    findings: [],
    markers: [],
    span: { startNs: 1_000_000_000, endNs: spanEnd },
  };
}
