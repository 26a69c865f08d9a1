#!/usr/bin/env node
// Trace diff speed (viewer-anchors target #8: "sim-vs-real diff of two 1 M-event traces <= 2 s").
// Input: the real large-stress capture (1,187,507 lines, ~1.16 M events; 200 bind/unbind cycles of
// 7 devices: 1,400+ epochs, 24,079 devres_log lines), imported and analysed once, then diffed:
//   - against itself (every epoch pairs in order; identical sequences),
//   - against a copy without each device's first epoch (epoch counts differ: best-score pairing,
//     the dynamic programming over 200 x 199 epochs),
//   - against a copy whose every epoch is perturbed (one resource resized, two swapped, one
//     dropped: the alignment runs on every epoch instead of trimming identical ones),
// plus a synthetic worst case: one epoch of 6,000 resources against an edited copy (beyond the
// 4 Mi-cell matrix: Hirschberg's linear-space path). The import+analyze time of the same run is
// printed as the reference (ratio). Uses the built dist/.
//   pnpm bench diff      (node --expose-gc packages/tracer/bench/diff.bench.mjs)
/* global structuredClone */
import { existsSync, mkdirSync, writeFileSync } from "node:fs";
import { performance } from "node:perf_hooks";
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL("../../../", import.meta.url));
const gz = `${root}fixtures/real-traces/large-stress.ftrace.txt.gz`;
const RUNS = Number(process.env.BENCH_RUNS ?? 5);
const { importFile } = await import("../dist/node/index.js");
const { analyzeImports, diffAnalyses, renderDiffJson, renderDiffText } =
  await import("../dist/index.js");

if (!existsSync(gz)) {
  console.log(`skip: ${gz} not found`);
  process.exit(0);
}
const median = (xs) => [...xs].sort((a, b) => a - b)[xs.length >> 1];
const gc = () => globalThis.gc?.();

function time(fn) {
  const ms = [];
  let out;
  for (let i = 0; i < RUNS; i++) {
    gc();
    const t0 = performance.now();
    out = fn();
    ms.push(performance.now() - t0);
  }
  return { best: Math.min(...ms), median: median(ms), out };
}

// ---------------------------------------------------------------- the real 1 M-event input
const t0 = performance.now();
const imported = await importFile(gz, { keepKmem: "module" });
const t1 = performance.now();
const A = analyzeImports([imported]);
const t2 = performance.now();
const events = imported.events.length;
const epochs = A.devices.reduce((n, d) => n + d.epochs.length, 0);
console.log(
  `input: ${gz}: ${imported.lines.total} lines, ${events} events kept, ${A.devices.length} devices, ${epochs} epochs, ${A.resources.length} resources`,
);
console.log(
  `reference: import ${(t1 - t0).toFixed(0)} ms + analyze ${(t2 - t1).toFixed(0)} ms (one run)`,
);
imported.events.length = 0;

/** A deep copy without each device's first epoch (resources re-indexed). */
function dropFirstEpoch(a) {
  const c = structuredClone(a);
  for (const d of c.devices) {
    d.epochs = d.epochs.slice(1).map((e, i) => ({ ...e, index: i }));
  }
  c.resources = c.resources
    .filter((r) => r.epoch !== 0)
    .map((r) => ({ ...r, epoch: r.epoch > 0 ? r.epoch - 1 : r.epoch }));
  return c;
}

/** A deep copy where every epoch differs a little: a resize, a swap, a drop. */
function perturb(a) {
  const c = structuredClone(a);
  const byEpoch = new Map();
  for (const r of c.resources) {
    const k = `${r.device}#${r.epoch}`;
    if (!byEpoch.has(k)) byEpoch.set(k, []);
    byEpoch.get(k).push(r);
  }
  const drop = new Set();
  for (const rs of byEpoch.values()) {
    if (rs.length < 4) continue;
    rs[1].size += 8;
    const i = 2;
    const j = rs.length - 1;
    // Swap two resources' places in the ADD order (the array order is the ADD order).
    const ai = c.resources.indexOf(rs[i]);
    const aj = c.resources.indexOf(rs[j]);
    [c.resources[ai], c.resources[aj]] = [c.resources[aj], c.resources[ai]];
    drop.add(rs[0]);
  }
  c.resources = c.resources.filter((r) => !drop.has(r));
  return c;
}

/** Synthetic: one device, one epoch of n resources, and an edited copy. */
function synthetic(n) {
  const names = [
    "devm_kzalloc_release",
    "dmam_release",
    "devm_irq_release",
    "pcim_iomap_release",
    "devm_action_release",
  ];
  const make = (edit) => {
    const resources = [];
    for (let i = 0; i < n; i++) {
      if (edit && i % 97 === 5) continue;
      const size = edit && i % 89 === 3 ? 4096 : (i % 13) * 8;
      resources.push({
        id: `r${resources.length}`,
        device: "dev0",
        node: `n${i}`,
        name: names[(i * 7) % names.length],
        kind: "other",
        size,
        list: "devres",
        addedNs: i,
        endedNs: 10 * n - i,
        end: "released",
        epoch: 0,
        addLine: i + 1,
        endLine: 20 * n - i,
      });
    }
    if (edit) resources.reverse().splice(0, 0); // keep ADD order; releases below differ
    return {
      schema: "devscope.analysis/1",
      inputs: [{ path: edit ? "edited" : "base", format: "spec", bytes: 0, lines: 0 }],
      lines: { total: 0, parsed: 0, ignored: {}, rejected: 0, rejectedSamples: [] },
      devices: [
        {
          name: "dev0",
          epochs: [{ index: 0, start_ns: 0, end_ns: 10 * n, end: "unbind" }],
          counts: { add: n, rel: n, rem: 0, replace: 0 },
          liveAtEnd: 0,
        },
      ],
      resources: edit ? resources.reverse() : resources,
      findings: [],
    };
  };
  return [make(false), make(true)];
}

const cases = [
  ["large-stress vs itself (in order)", A, structuredClone(A)],
  ["large-stress vs first epochs dropped (best pairing)", A, dropFirstEpoch(A)],
  ["large-stress vs every epoch perturbed", A, perturb(A)],
  ["synthetic 6,000-resource epoch vs edited (Hirschberg)", ...synthetic(6000)],
];
const results = {};
console.log(`\ncases (${RUNS} runs each; diffAnalyses only, then rendering the result):`);
for (const [name, a, b] of cases) {
  const d = time(() => diffAnalyses(a, b));
  const json = time(() => renderDiffJson(d.out));
  const text = time(() => renderDiffText(d.out));
  const s = d.out.summary;
  const ep = d.out.devices.reduce((n, x) => n + x.epochs.length, 0);
  results[name] = {
    diffBestMs: d.best,
    diffMedianMs: d.median,
    jsonMs: json.best,
    jsonBytes: json.out.length,
    textMs: text.best,
    score: d.out.score,
    epochPairs: ep,
    summary: s,
    vsAnalyze: d.best / (t2 - t1),
  };
  console.log(
    `  ${name.padEnd(56)} diff best ${d.best.toFixed(1).padStart(7)} ms  median ${d.median.toFixed(1).padStart(7)} ms` +
      `  | json ${json.best.toFixed(0)} ms (${(json.out.length / 1e6).toFixed(1)} MB), text ${text.best.toFixed(0)} ms` +
      `\n  ${"".padEnd(56)} ${ep} epoch pairs, score ${d.out.score}, matched ${s.matched}, onlyA ${s.onlyA}, onlyB ${s.onlyB}, reordered ${s.reordered}, resized ${s.resized}` +
      `; diff/analyze time ratio ${(d.best / (t2 - t1)).toFixed(3)}`,
  );
}
mkdirSync(`${root}.bench`, { recursive: true });
writeFileSync(
  `${root}.bench/tracer-diff.json`,
  `${JSON.stringify({ runs: RUNS, events, epochs, importMs: t1 - t0, analyzeMs: t2 - t1, cases: results }, null, 2)}\n`,
);
