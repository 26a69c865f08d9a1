/**
 * Recovers devres_log ops that `trace-cmd report` printed as raw kernel pointers.
 *
 * Before v6.13 the devres tracepoint stored `op` (and `name`) as `const char *`; a binary
 * trace.dat reader cannot dereference kernel memory, so it prints the pointer. The op strings
 * are four literals ("ADD", "REL", "REM", "REPLACE" in drivers/base/devres.c), hence at most four
 * distinct pointers. This tries every one-to-one assignment of pointers to ops and keeps the one
 * under which replaying the events per (device, node) is most consistent with how devres works
 * (drivers/base/devres.c :: add_dr, devres_remove, release_nodes):
 *   - ADD only on a node that is not live; REL/REM/REPLACE only on a live node (a node never
 *     seen before may have been added before the trace started: neutral);
 *   - REL lines come in bursts (release_nodes walks a whole range) that release the newest
 *     live node each time; REM (devres_remove) takes any single node;
 *   - a node's own kmalloc comes just before its ADD, its kfree just after its REL/REM
 *     (evidence from kmem events, when traced); the kfree's call site names the path:
 *     release_nodes frees REL'd nodes, devres_free/devres_destroy/devres_release/devm_kfree/
 *     devres_remove_group free REM'd ones, devm_krealloc the node it REPLACEd;
 *   - REPLACE (devm_krealloc) is rare.
 * Structure alone cannot always tell REL from REM (a two-node release_all looks exactly like
 * the pinctrl ADD/ADD/REM/REM pair of every probe); such cases are reported as ambiguous.
 */
import type { DevresOp } from "../model/events.js";

export interface OpEvidence {
  dev: string;
  node: string;
  opAddr: string;
  /** A kmalloc of this pointer came shortly before (see kmem-linker.ts). */
  hasAlloc: boolean;
  /** A kfree of this pointer came shortly after. */
  hasFree: boolean;
  /** That kfree's call site (`release_nodes+0x4b`), when known. */
  freeSite?: string;
}

/** Which op the kfree call site of a released node points to (drivers/base/devres.c). */
export function opOfFreeSite(site: string): DevresOp | undefined {
  const fn = site.replace(/\+.*$/, "").replace(/\.(?:isra|constprop|part|cold)\.\d+$/, "");
  // release_nodes (v5.x-v6.x), or its callers when it is inlined.
  if (fn === "release_nodes" || fn === "devres_release_all" || fn === "devres_release_group")
    return "REL";
  if (fn === "devm_krealloc") return "REPLACE";
  if (
    fn === "devres_free" ||
    fn === "devres_destroy" ||
    fn === "devres_release" ||
    fn === "devm_kfree" ||
    fn === "devres_remove_group" ||
    fn === "devm_remove_action" ||
    fn === "devm_release_action"
  )
    return "REM";
  return undefined;
}

export interface OpAssignment {
  mapping: Map<string, DevresOp>;
  counts: Map<string, number>;
  score: number;
  runnerUp?: number;
  ambiguous: boolean;
  /** Pointers beyond the four possible op strings (their events cannot be assigned). */
  unassignable: string[];
}

const OPS: readonly DevresOp[] = ["ADD", "REL", "REM", "REPLACE"];

function permutations(k: number): DevresOp[][] {
  const out: DevresOp[][] = [];
  const pick = (prefix: DevresOp[]): void => {
    if (prefix.length === k) {
      out.push(prefix);
      return;
    }
    for (const op of OPS) if (!prefix.includes(op)) pick([...prefix, op]);
  };
  pick([]);
  return out;
}

interface DeviceState {
  live: Map<string, number>;
  stack: { node: string; seq: number }[];
  lastPtr: string;
  /** Consecutive removals by lastPtr so far. */
  run: number;
}

/** Replay score of one assignment (points; see the rules above). */
export function scoreAssignment(
  items: readonly OpEvidence[],
  mapping: ReadonlyMap<string, DevresOp>,
): number {
  const devices = new Map<string, DeviceState>();
  const seen = new Set<string>();
  let seq = 0;
  let score = 0;
  for (const it of items) {
    const op = mapping.get(it.opAddr);
    if (op === undefined) continue;
    let d = devices.get(it.dev);
    if (!d) {
      d = { live: new Map(), stack: [], lastPtr: "", run: 0 };
      devices.set(it.dev, d);
    }
    const key = `${it.dev}\u0000${it.node}`;
    const live = d.live.has(it.node);
    if (op === "ADD") {
      score += live ? -4 : 2;
      if (it.hasAlloc) score += 2;
      else if (it.hasFree) score -= 2;
      d.live.set(it.node, ++seq);
      d.stack.push({ node: it.node, seq });
      d.run = 0;
    } else {
      score += live ? 2 : seen.has(key) ? -4 : 0;
      if (it.hasFree) score += 2;
      else if (it.hasAlloc) score -= 2;
      const byFree = it.freeSite !== undefined ? opOfFreeSite(it.freeSite) : undefined;
      if (byFree !== undefined) score += byFree === op ? 4 : -4;
      let newest = false;
      if (live) {
        while (d.stack.length > 0) {
          const top = d.stack[d.stack.length - 1] as { node: string; seq: number };
          if (d.live.get(top.node) === top.seq) break;
          d.stack.pop();
        }
        newest = d.stack[d.stack.length - 1]?.node === it.node;
      }
      d.run = d.lastPtr === it.opAddr ? d.run + 1 : 1;
      if (op === "REL") {
        // The third and later removals of one burst: release_nodes walking a range. Two in a
        // row prove nothing (the pinctrl ADD/ADD/REM/REM pair of every probe looks the same).
        if (d.run >= 3) score += 1;
        if (live && !newest) score -= 1;
      } else if (op === "REM") {
        if (live && !newest) score += 1;
      } else score -= 1; // REPLACE
      d.live.delete(it.node);
    }
    seen.add(key);
    d.lastPtr = it.opAddr;
  }
  return score;
}

export function recoverOps(items: readonly OpEvidence[]): OpAssignment {
  const counts = new Map<string, number>();
  for (const it of items) counts.set(it.opAddr, (counts.get(it.opAddr) ?? 0) + 1);
  // At most four op strings exist; keep the four most frequent pointers.
  const pointers = [...counts.keys()];
  const ranked = [...pointers].sort((a, b) => (counts.get(b) ?? 0) - (counts.get(a) ?? 0));
  const usable = new Set(ranked.slice(0, 4));
  const ordered = pointers.filter((p) => usable.has(p));
  const unassignable = pointers.filter((p) => !usable.has(p));

  let best: { mapping: Map<string, DevresOp>; score: number } | undefined;
  let runnerUp: number | undefined;
  for (const perm of permutations(ordered.length)) {
    const mapping = new Map<string, DevresOp>(ordered.map((p, i) => [p, perm[i] as DevresOp]));
    const score = scoreAssignment(items, mapping);
    if (!best || score > best.score) {
      if (best) runnerUp = best.score;
      best = { mapping, score };
    } else if (runnerUp === undefined || score > runnerUp) runnerUp = score;
  }
  const chosen = best ?? { mapping: new Map<string, DevresOp>(), score: 0 };
  const margin = runnerUp === undefined ? Infinity : chosen.score - runnerUp;
  const out: OpAssignment = {
    mapping: chosen.mapping,
    counts,
    score: chosen.score,
    ambiguous: margin < Math.max(4, 0.05 * items.length),
    unassignable,
  };
  if (runnerUp !== undefined) out.runnerUp = runnerUp;
  return out;
}
