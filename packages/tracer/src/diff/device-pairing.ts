import { DiffInputError, type DeviceMapping, type DevicePairing } from "./diff-model.js";
import { LISTS, type DeviceSide } from "./epoch-sequences.js";

/**
 * Which device of A is compared with which device of B: user mappings first (every name must
 * exist on its side, and a name may be mapped once), then equal names, then, only when asked,
 * the remaining devices by resource-sequence similarity.
 */

export interface DevicePair {
  a: string;
  b: string;
  pairing: DevicePairing;
  /** Similarity that justified an automatic pairing (0–1). */
  similarity?: number;
  epochA?: number;
  epochB?: number;
}

export interface DevicePairs {
  pairs: DevicePair[];
  onlyA: string[];
  onlyB: string[];
}

/** Auto pairing needs this similarity (overlap / larger side) ... */
export const AUTO_MIN_SIMILARITY = 0.5;
/** ... and this many resources in common: the probe's pinctrl pair alone proves nothing. */
export const AUTO_MIN_COMMON = 3;

function list(names: Iterable<string>): string {
  const all = [...names];
  const shown = all.slice(0, 12).join(", ");
  return all.length > 12 ? `${shown}, ... (${all.length} devices)` : shown || "none";
}

/**
 * Parse one `--map` value: `A=B`, each side a device name with an optional `#N` epoch index
 * (`0000:00:1f.2#0=0000:00:1f.2#2`). Names are split at the first `=` (dev_name() never
 * holds one); `#N` is read as an epoch only when the name with it is not a device itself
 * (checked by diffAnalyses against the analyses).
 */
export function parseDeviceMapping(spec: string): DeviceMapping {
  const eq = spec.indexOf("=");
  const a = eq > 0 ? spec.slice(0, eq).trim() : "";
  const b = eq > 0 ? spec.slice(eq + 1).trim() : "";
  if (a === "" || b === "")
    throw new DiffInputError(
      `--map "${spec}": expected A=B (device of A = device of B, each optionally #epoch)`,
    );
  return { a, b };
}

/** Split a trailing `#N` off a name unless the whole text is a device of that side. */
function withEpoch(
  text: string,
  devices: ReadonlyMap<string, DeviceSide>,
  given: number | undefined,
): { name: string; epoch?: number } {
  if (given !== undefined || devices.has(text))
    return given !== undefined ? { name: text, epoch: given } : { name: text };
  const m = /^(.*)#(\d+)$/.exec(text);
  if (m?.[1] !== undefined && m[2] !== undefined) return { name: m[1], epoch: Number(m[2]) };
  return { name: text };
}

export function pairDevices(
  A: ReadonlyMap<string, DeviceSide>,
  B: ReadonlyMap<string, DeviceSide>,
  map: readonly DeviceMapping[] = [],
  autoPair = false,
): DevicePairs {
  const mapped: DevicePair[] = [];
  const claimedA = new Map<string, DevicePair>();
  const claimedB = new Set<string>();
  // A whole device may be mapped once; single epochs of it as often as wanted.
  const wholeA = new Map<string, string>();
  const wholeB = new Map<string, string>();
  for (const m of map) {
    const spec = `${m.a}=${m.b}`;
    const x = withEpoch(m.a, A, m.epochA);
    const y = withEpoch(m.b, B, m.epochB);
    const da = A.get(x.name);
    const db = B.get(y.name);
    if (da === undefined)
      throw new DiffInputError(
        `--map ${spec}: no device "${x.name}" in A (A has: ${list(A.keys())})`,
      );
    if (db === undefined)
      throw new DiffInputError(
        `--map ${spec}: no device "${y.name}" in B (B has: ${list(B.keys())})`,
      );
    const epochs = (d: DeviceSide): number => d.epochs.filter((e) => e.index >= 0).length;
    if (x.epoch !== undefined && x.epoch >= epochs(da))
      throw new DiffInputError(
        `--map ${spec}: device "${x.name}" of A has ${epochs(da)} epoch(s) (#0..#${epochs(da) - 1})`,
      );
    if (y.epoch !== undefined && y.epoch >= epochs(db))
      throw new DiffInputError(
        `--map ${spec}: device "${y.name}" of B has ${epochs(db)} epoch(s) (#0..#${epochs(db) - 1})`,
      );
    if (x.epoch === undefined) {
      const prev = wholeA.get(x.name);
      if (prev !== undefined)
        throw new DiffInputError(`--map ${spec}: "${x.name}" of A is already mapped (${prev})`);
      wholeA.set(x.name, spec);
    }
    if (y.epoch === undefined) {
      const prev = wholeB.get(y.name);
      if (prev !== undefined)
        throw new DiffInputError(`--map ${spec}: "${y.name}" of B is already mapped (${prev})`);
      wholeB.set(y.name, spec);
    }
    const p: DevicePair = { a: x.name, b: y.name, pairing: "map" };
    if (x.epoch !== undefined) p.epochA = x.epoch;
    if (y.epoch !== undefined) p.epochB = y.epoch;
    mapped.push(p);
    if (!claimedA.has(x.name)) claimedA.set(x.name, p);
    claimedB.add(y.name);
  }
  for (const x of A.keys()) {
    if (claimedA.has(x) || claimedB.has(x) || !B.has(x)) continue;
    claimedA.set(x, { a: x, b: x, pairing: "name" });
    claimedB.add(x);
  }
  if (autoPair) {
    const freeA = [...A.values()].filter((d) => !claimedA.has(d.name));
    const freeB = [...B.values()].filter((d) => !claimedB.has(d.name));
    const cands: { a: DeviceSide; b: DeviceSide; sim: number; ia: number; ib: number }[] = [];
    const bags = new Map<DeviceSide, Map<string, number>>();
    const bag = (d: DeviceSide): Map<string, number> => {
      let m = bags.get(d);
      if (m === undefined) {
        m = new Map();
        for (const e of d.epochs)
          for (const l of LISTS)
            for (const it of e.lists[l].all) {
              const k = `${it.key}:${it.res.size}`;
              m.set(k, (m.get(k) ?? 0) + 1);
            }
        bags.set(d, m);
      }
      return m;
    };
    freeA.forEach((a, ia) =>
      freeB.forEach((b, ib) => {
        let common = 0;
        for (const [k, n] of bag(a)) common += Math.min(n, bag(b).get(k) ?? 0);
        const denom = Math.max(a.count, b.count);
        const sim = denom === 0 ? 0 : common / denom;
        if (sim >= AUTO_MIN_SIMILARITY && common >= AUTO_MIN_COMMON)
          cands.push({ a, b, sim, ia, ib });
      }),
    );
    cands.sort((x, y) => y.sim - x.sim || x.ia - y.ia || x.ib - y.ib);
    for (const c of cands) {
      if (claimedA.has(c.a.name) || claimedB.has(c.b.name)) continue;
      claimedA.set(c.a.name, { a: c.a.name, b: c.b.name, pairing: "auto", similarity: c.sim });
      claimedB.add(c.b.name);
    }
  }
  // Mappings first, in the order given; then the other pairs in A's device order.
  const pairs: DevicePair[] = [...mapped];
  const onlyA: string[] = [];
  for (const x of A.keys()) {
    const p = claimedA.get(x);
    if (p === undefined) onlyA.push(x);
    else if (p.pairing !== "map") pairs.push(p);
  }
  const onlyB = [...B.keys()].filter((y) => !claimedB.has(y));
  return { pairs, onlyA, onlyB };
}
