/**
 * Model-based property test: random sequences of devres operations run on the simulated
 * devres list and on a small, independent reference model of drivers/base/devres.c written
 * over a plain array (no linked lists, no colors): a released range frees every plain entry
 * newest first, preceded by the open markers of the groups wholly inside it — ordered by their
 * deciding marker (close marker, or open marker of an open group), latest first.
 */
import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { Kernel, KernelBug } from "../kernel/kernel.js";
import { Device } from "../base/device.js";
import { GFP_KERNEL } from "../kernel/gfp.js";
import {
  devres_add,
  devres_alloc,
  devres_destroy,
  devres_find,
  devres_get,
  devres_nodes,
  devres_release,
  devres_release_all,
  devres_remove,
  type MatchFn,
} from "./devres.js";
import {
  devres_close_group,
  devres_open_group,
  devres_release_group,
  devres_remove_group,
} from "./devres-group.js";

type Kind = 0 | 1 | 2;
interface Payload {
  id: number;
}

type Op =
  | { op: "add"; kind: Kind }
  | { op: "get"; kind: Kind }
  | { op: "remove" | "destroy" | "release"; kind: Kind; match: number | null }
  | { op: "readd" }
  | { op: "open"; id: string | null }
  | { op: "close" | "removeGroup" | "releaseGroup"; id: string | null }
  | { op: "releaseAll" };

type Entry =
  { t: "res"; id: number; kind: Kind } | { t: "open"; g: number } | { t: "close"; g: number };

/** The reference model. */
class Model {
  list: Entry[] = [];
  groups: { id: string; closed: boolean }[] = [];
  released: number[] = [];
  held: { id: number; kind: Kind }[] = [];
  private nextId = 1;

  private findRes(kind: Kind, match: number | null): number {
    for (let i = this.list.length - 1; i >= 0; i--) {
      const e = this.list[i] as Entry;
      if (e.t === "res" && e.kind === kind && (match === null || e.id % 3 === match)) return i;
    }
    return -1;
  }

  private openIndex(g: number): number {
    return this.list.findIndex((e) => e.t === "open" && e.g === g);
  }
  private closeIndex(g: number): number {
    return this.list.findIndex((e) => e.t === "close" && e.g === g);
  }

  private findGroup(id: string | null): number {
    for (let i = this.list.length - 1; i >= 0; i--) {
      const e = this.list[i] as Entry;
      if (e.t !== "open") continue;
      const grp = this.groups[e.g] as { id: string; closed: boolean };
      if (id !== null ? grp.id === id : this.closeIndex(e.g) < 0) return e.g;
    }
    return -1;
  }

  /** Release [s, e): returns released ids in order (-1 - g for group markers). */
  private releaseRange(s: number, e: number): number {
    const range = this.list.slice(s, e);
    const plain = range.filter((x): x is Extract<Entry, { t: "res" }> => x.t === "res");
    const contained: { g: number; decide: number }[] = [];
    for (const x of range) {
      if (x.t !== "open") continue;
      const ci = this.closeIndex(x.g);
      const oi = this.openIndex(x.g);
      if (ci < 0) contained.push({ g: x.g, decide: oi });
      else if (ci >= s && ci < e) contained.push({ g: x.g, decide: ci });
    }
    contained.sort((a, b) => b.decide - a.decide);
    const gone = new Set<Entry>(plain);
    for (const c of contained)
      for (const x of this.list) if (x.t !== "res" && x.g === c.g) gone.add(x);
    for (const c of contained) this.released.push(-1 - c.g);
    for (let i = plain.length - 1; i >= 0; i--) this.released.push((plain[i] as { id: number }).id);
    this.list = this.list.filter((x) => !gone.has(x));
    return plain.length;
  }

  /** Apply; returns "bug" when the kernel would BUG(), "warn" on WARN, else a result value. */
  apply(o: Op): string | number | null {
    switch (o.op) {
      case "add": {
        const id = this.nextId++;
        this.list.push({ t: "res", id, kind: o.kind });
        return id;
      }
      case "get": {
        const id = this.nextId++;
        const i = this.findRes(o.kind, null);
        if (i >= 0) return (this.list[i] as { id: number }).id;
        this.list.push({ t: "res", id, kind: o.kind });
        return id;
      }
      case "remove":
      case "destroy":
      case "release": {
        const i = this.findRes(o.kind, o.match);
        if (i < 0) return null;
        const e = this.list[i] as { id: number; kind: Kind };
        this.list.splice(i, 1);
        if (o.op === "remove") this.held.push({ id: e.id, kind: e.kind });
        if (o.op === "release") this.released.push(e.id);
        return e.id;
      }
      case "readd": {
        const h = this.held.pop();
        if (h === undefined) return null;
        this.list.push({ t: "res", id: h.id, kind: h.kind });
        return h.id;
      }
      case "open": {
        const g = this.groups.length;
        this.groups.push({ id: o.id ?? `anon${g}`, closed: false });
        this.list.push({ t: "open", g });
        return g;
      }
      case "close": {
        const g = this.findGroup(o.id);
        if (g < 0) return "warn";
        if (this.closeIndex(g) >= 0) return "bug";
        this.list.push({ t: "close", g });
        return g;
      }
      case "removeGroup": {
        const g = this.findGroup(o.id);
        if (g < 0) return "warn";
        this.list = this.list.filter((x) => x.t === "res" || x.g !== g);
        return g;
      }
      case "releaseGroup": {
        const g = this.findGroup(o.id);
        // 6.1: WARN even on an empty list (silent only since the 2025 fix).
        if (g < 0) return "warn";
        const s = this.openIndex(g);
        const ci = this.closeIndex(g);
        return this.releaseRange(s, ci < 0 ? this.list.length : ci + 1);
      }
      case "releaseAll":
        return this.releaseRange(0, this.list.length);
    }
  }

  /** The list as the simulator should show it. */
  shape(): string[] {
    return this.list.map((e) =>
      e.t === "res"
        ? `r${e.id}`
        : `${e.t === "open" ? "grp<" : "grp>"}${this.groups[e.g]?.id ?? "?"}`,
    );
  }
}

/** One release function per resource kind, named like kernel release functions; each records its payload's id. */
const releases = [0, 1, 2].map((kind) => {
  const name = `kind${kind}_release`;
  const fn = {
    [name]: (_d: Device, r: Payload): void => {
      (r as Payload & { sink: number[] }).sink.push(r.id);
    },
  }[name];
  return fn as (d: Device, r: Payload) => void;
});

const opArb: fc.Arbitrary<Op> = fc.oneof(
  {
    weight: 6,
    arbitrary: fc.record({ op: fc.constant("add" as const), kind: fc.constantFrom<Kind>(0, 1, 2) }),
  },
  {
    weight: 1,
    arbitrary: fc.record({ op: fc.constant("get" as const), kind: fc.constantFrom<Kind>(0, 1, 2) }),
  },
  {
    weight: 3,
    arbitrary: fc.record({
      op: fc.constantFrom("remove" as const, "destroy" as const, "release" as const),
      kind: fc.constantFrom<Kind>(0, 1, 2),
      match: fc.constantFrom(null, 0, 1, 2),
    }),
  },
  { weight: 1, arbitrary: fc.constant({ op: "readd" as const }) },
  {
    weight: 3,
    arbitrary: fc.record({
      op: fc.constant("open" as const),
      id: fc.constantFrom(null, "A", "B", "C"),
    }),
  },
  {
    weight: 3,
    arbitrary: fc.record({
      op: fc.constantFrom("close" as const, "removeGroup" as const, "releaseGroup" as const),
      id: fc.constantFrom(null, "A", "B", "C"),
    }),
  },
  { weight: 1, arbitrary: fc.constant({ op: "releaseAll" as const }) },
);

function run(ops: readonly Op[], seed: number): void {
  const k = new Kernel({ seed, trace: { devres: true, kmem: false } });
  const dev = new Device(k, "model-dev");
  const model = new Model();
  const sink: number[] = [];
  const held: (Payload & { sink: number[] })[] = [];
  const anonIds = new Map<number, unknown>();
  const gid = (id: string | null): unknown => id;
  const matchFn: MatchFn<Payload> = (_d, r, m) => r.id % 3 === m;
  const shape = (): string[] =>
    devres_nodes(dev).map((n) => {
      if (n.group === null) return `r${(n.res as Payload).id}`;
      const id =
        n.group.id === n.group
          ? `anon${[...anonIds.entries()].find(([, v]) => v === n.group)?.[0] ?? "?"}`
          : String(n.group.id);
      return `${n.name ?? ""}${id}`;
    });
  let nextId = 1;
  for (const o of ops) {
    const expected = model.apply(o);
    let got: string | number | null = null;
    const warnsBefore = k.warnings.length;
    try {
      switch (o.op) {
        case "add":
        case "get": {
          const id = nextId++;
          const p = devres_alloc(
            dev,
            releases[o.kind] as (d: Device, r: Payload) => void,
            8,
            GFP_KERNEL,
            { id, sink },
          ) as Payload & { sink: number[] };
          if (o.op === "add") {
            devres_add(dev, p);
            got = id;
          } else got = devres_get(dev, p, null, null).id;
          break;
        }
        case "remove":
        case "destroy":
        case "release": {
          const rel = releases[o.kind] as (d: Device, r: Payload) => void;
          const m = o.match === null ? null : matchFn;
          const found = devres_find(dev, rel, m, o.match);
          if (o.op === "remove") {
            const r = devres_remove(dev, rel, m, o.match) as (Payload & { sink: number[] }) | null;
            if (r !== null) held.push(r);
            got = r === null ? null : r.id;
          } else {
            const rc =
              o.op === "destroy"
                ? devres_destroy(dev, rel, m, o.match)
                : devres_release(dev, rel, m, o.match);
            got = rc === 0 ? (found as Payload).id : null;
          }
          break;
        }
        case "readd": {
          const r = held.pop();
          if (r !== undefined) devres_add(dev, r);
          got = r === undefined ? null : r.id;
          break;
        }
        case "open": {
          const id = devres_open_group(dev, gid(o.id), GFP_KERNEL);
          if (o.id === null) anonIds.set(model.groups.length - 1, id);
          got = model.groups.length - 1;
          break;
        }
        case "close":
          devres_close_group(dev, gid(o.id));
          got = k.warnings.length > warnsBefore ? "warn" : (expected as number);
          break;
        case "removeGroup":
          devres_remove_group(dev, gid(o.id));
          got = k.warnings.length > warnsBefore ? "warn" : (expected as number);
          break;
        case "releaseGroup": {
          const n = devres_release_group(dev, gid(o.id));
          got = k.warnings.length > warnsBefore ? "warn" : n;
          break;
        }
        case "releaseAll":
          got = devres_release_all(dev);
          break;
      }
    } catch (e) {
      if (!(e instanceof KernelBug)) throw e;
      got = "bug";
    }
    expect(got).toEqual(expected);
    if (got === "bug") return;
    expect(shape()).toEqual(model.shape());
    expect(sink).toEqual(model.released.filter((x) => x > 0));
  }
  // Invariants over the whole trace: nothing released twice; each REL burst is LIFO among plain nodes.
  expect(new Set(sink).size).toBe(sink.length);
  expect(model.released.filter((x) => x > 0)).toEqual(sink);
}

describe("devres list vs a reference model (fast-check)", () => {
  it("agrees on every operation for thousands of random sequences", () => {
    fc.assert(
      fc.property(
        fc.array(opArb, { minLength: 1, maxLength: 40 }),
        fc.integer({ min: 1, max: 2 ** 31 - 1 }),
        (ops, seed) => run(ops, seed),
      ),
      { numRuns: 3000, seed: 0x5eed },
    );
  });

  it("release order is the reverse of list order within each released range", () => {
    fc.assert(
      fc.property(
        fc.array(fc.constantFrom<Kind>(0, 1, 2), { minLength: 1, maxLength: 60 }),
        (kinds) => {
          const k = new Kernel({ trace: false });
          const dev = new Device(k, "lifo");
          const sink: number[] = [];
          kinds.forEach((kind, i) =>
            devres_add(
              dev,
              devres_alloc(dev, releases[kind] as (d: Device, r: Payload) => void, 8, GFP_KERNEL, {
                id: i + 1,
                sink,
              }) as object,
            ),
          );
          devres_release_all(dev);
          expect(sink).toEqual(kinds.map((_, i) => i + 1).reverse());
          expect(k.slab.liveObjects).toBe(0);
        },
      ),
      { numRuns: 1000 },
    );
  });
});
