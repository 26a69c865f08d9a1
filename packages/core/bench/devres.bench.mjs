#!/usr/bin/env node
// Benchmark of the simulated devres engine, against the built dist/ (run `pnpm bench`, or
// `node --expose-gc packages/core/bench/devres.bench.mjs` after building @devscope/core).
//
// Measures:
//  1. devres add+release pairs per second (devres_alloc + devres_add, released by
//     devres_release_all in batches of 30, as a driver detach does), tracing off;
//  2. devm_kzalloc + devm_kfree pairs per second (the REM path), tracing off;
//  3. 10,000 bind/unbind cycles of a platform driver holding 30 devres (memory, actions,
//     regions, an IRQ, a DMA buffer), tracing off and with every event traced.
// Numbers are wall-clock on a shared machine: compare the ratios measured in the same run.
import { mkdirSync, writeFileSync } from "node:fs";
import {
  Kernel,
  Device,
  GFP_KERNEL,
  devres_alloc,
  devres_add,
  devres_release_all,
  devm_kzalloc,
  devm_kfree,
  devm_add_action,
  devm_request_region,
  devm_request_irq,
  dmam_alloc_coherent,
  IRQ_HANDLED,
  platform_device_alloc,
  platform_device_add,
  platform_driver_register,
} from "../dist/index.js";

const TARGET_PAIRS_PER_S = 2_000_000;

function best(runs, fn) {
  let bestNs = Infinity;
  let out;
  for (let i = 0; i < runs; i++) {
    globalThis.gc?.();
    const t0 = process.hrtime.bigint();
    out = fn();
    const ns = Number(process.hrtime.bigint() - t0);
    if (ns < bestNs) bestNs = ns;
  }
  return { ns: bestNs, out };
}

function bench_release_all(pairs) {
  const k = new Kernel({ seed: 1, trace: false });
  const dev = new Device(k, "bench.0");
  function bench_release() {}
  const batch = 30;
  return best(5, () => {
    for (let i = 0; i < pairs; i += batch) {
      for (let j = 0; j < batch; j++)
        devres_add(dev, devres_alloc(dev, bench_release, 16, GFP_KERNEL, { j }));
      devres_release_all(dev);
    }
    return k.slab.liveObjects;
  });
}

function bench_kfree(pairs) {
  const k = new Kernel({ seed: 1, trace: false });
  const dev = new Device(k, "bench.0");
  return best(5, () => {
    for (let i = 0; i < pairs; i++) devm_kfree(dev, devm_kzalloc(dev, 64, GFP_KERNEL));
    return k.slab.liveObjects;
  });
}

function bench_bind_unbind(cycles, trace) {
  const k = new Kernel({ seed: 1, trace: trace ? {} : false });
  const pdev = platform_device_alloc(k, "bench-nic", 0);
  platform_device_add(pdev);
  function bench_action() {}
  function bench_irq() {
    return IRQ_HANDLED;
  }
  platform_driver_register(k, {
    name: "bench-nic",
    probe: function bench_probe(p) {
      const dev = p.dev;
      // 30 devres: 22 kzalloc, 4 actions, 2 regions, 1 IRQ, 1 coherent buffer
      for (let i = 0; i < 22; i++)
        if (devm_kzalloc(dev, 64 + i * 16, GFP_KERNEL) === null) return -12;
      for (let i = 0; i < 4; i++) if (devm_add_action(dev, bench_action, i) !== 0) return -12;
      if (devm_request_region(dev, 0xc000, 32, "bench") === null) return -16;
      if (devm_request_region(dev, 0xc040, 32, "bench") === null) return -16;
      if (devm_request_irq(dev, 11, bench_irq, 0, null, dev) !== 0) return -16;
      if (dmam_alloc_coherent(dev, 4096, GFP_KERNEL) === null) return -12;
      return 0;
    },
  });
  k.core.unbind("platform", "bench-nic", "bench-nic.0");
  const t0 = process.hrtime.bigint();
  let ok = 0;
  for (let i = 0; i < cycles; i++) {
    if (k.core.bind("platform", "bench-nic", "bench-nic.0") === 0) ok++;
    k.core.unbind("platform", "bench-nic", "bench-nic.0");
  }
  const ns = Number(process.hrtime.bigint() - t0);
  return { ns, ok, events: trace ? k.trace.events.length : 0, live: k.slab.liveObjects };
}

const PAIRS = 1_500_000;
// Warm up the JIT on a smaller run first.
bench_release_all(60_000);
bench_kfree(60_000);
const ra = bench_release_all(PAIRS);
const kf = bench_kfree(PAIRS);
const raRate = PAIRS / (ra.ns / 1e9);
const kfRate = PAIRS / (kf.ns / 1e9);

bench_bind_unbind(200, false);
const CYCLES = 10_000;
const off = bench_bind_unbind(CYCLES, false);
const on = bench_bind_unbind(CYCLES, true);

const fmt = (n) => Math.round(n).toLocaleString("en-US");
console.log("devres engine (packages/core/bench/devres.bench.mjs, against dist/)");
console.log(
  `  add+release pairs (devres_alloc+devres_add, devres_release_all per 30): ${fmt(raRate)} pairs/s  (${(ra.ns / PAIRS).toFixed(1)} ns/pair, best of 5 x ${fmt(PAIRS)}; target >= ${fmt(TARGET_PAIRS_PER_S)}: ${raRate >= TARGET_PAIRS_PER_S ? "met" : "NOT met"})`,
);
console.log(
  `  devm_kzalloc+devm_kfree pairs:                                        ${fmt(kfRate)} pairs/s  (${(kf.ns / PAIRS).toFixed(1)} ns/pair)`,
);
console.log(
  `  10,000 bind/unbind cycles, 30-resource driver, tracing off:   ${(off.ns / 1e6).toFixed(1)} ms  (${(off.ns / CYCLES / 1000).toFixed(2)} us/cycle, ${off.ok} binds ok, ${off.live} objects live after)`,
);
console.log(
  `  10,000 bind/unbind cycles, 30-resource driver, tracing on:    ${(on.ns / 1e6).toFixed(1)} ms  (${(on.ns / CYCLES / 1000).toFixed(2)} us/cycle, ${fmt(on.events)} events)`,
);
console.log(`  ratio tracing on / off (same run): ${(on.ns / off.ns).toFixed(2)}x`);
mkdirSync(".bench", { recursive: true });
writeFileSync(
  ".bench/core-devres.json",
  JSON.stringify(
    {
      pairsPerSecond: raRate,
      kfreePairsPerSecond: kfRate,
      bindUnbind10kMsTraceOff: off.ns / 1e6,
      bindUnbind10kMsTraceOn: on.ns / 1e6,
      eventsTraced: on.events,
    },
    null,
    2,
  ) + "\n",
);
if (off.ok !== CYCLES || on.ok !== CYCLES || off.live !== on.live) {
  console.error("bind/unbind cycles did not all succeed or leaked objects");
  process.exit(1);
}
