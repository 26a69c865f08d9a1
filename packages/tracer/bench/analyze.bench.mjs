#!/usr/bin/env node
// Import and analysis speed on the real 185 MB capture (large-stress: 200 bind/unbind cycles of
// 7 devices; 1,187,507 lines, 24,079 devres_log, 1.16 M kmem lines), against two baselines run
// in the same invocation on the same unpacked file:
//   - `wc -l FILE`                      (reads every byte, parses nothing)
//   - a mawk one-liner pairing devres ADD with REL/REM per (device, node); it skips every
//     non-devres line, so it does a small fraction of our work.
// Every case runs in its own child process (peak RSS = that process's maxRSS, worker threads
// included), RUNS times; the best and the median wall time are reported. Uses the built dist/.
//   pnpm bench analyze      (node --expose-gc packages/tracer/bench/analyze.bench.mjs)
import { spawnSync } from "node:child_process";
import {
  createReadStream,
  createWriteStream,
  existsSync,
  mkdirSync,
  statSync,
  writeFileSync,
} from "node:fs";
import { availableParallelism, loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { pipeline } from "node:stream/promises";
import { performance } from "node:perf_hooks";
import { fileURLToPath } from "node:url";
import { createGunzip } from "node:zlib";

const root = fileURLToPath(new URL("../../../", import.meta.url));
const gz = `${root}fixtures/real-traces/large-stress.ftrace.txt.gz`;
const small = `${root}fixtures/real-traces/ahci-bind-unbind.ftrace.txt`;
const UNPACKED_BYTES = 185469927;
const RUNS = Number(process.env.BENCH_RUNS ?? 3);
const self = fileURLToPath(import.meta.url);

// ------------------------------------------------------------------ child: one measured case
async function runCase(name, path, threads) {
  const { importFile } = await import("../dist/node/index.js");
  const { analyzeImports } = await import("../dist/index.js");
  // "import + analyze" is what `devscope analyze FILE` runs (node/analyze-files.ts ::
  // analyzeFiles): importFile with keepKmem "evidence" (the kmem events the analysis reads), src
  // 0, then analyzeImports. "import" alone is the importer's default (keepKmem "linked").
  const analyze = name.includes("analyze");
  const keepKmem = analyze ? "evidence" : "linked";
  const workers = threads === "default" ? undefined : Number(threads);
  globalThis.gc?.();
  const t0 = performance.now();
  const r = await importFile(path, {
    keepKmem,
    ...(analyze ? { path, src: 0 } : {}),
    ...(workers !== undefined ? { workers } : {}),
  });
  const t1 = performance.now();
  let analyzeMs = 0;
  let findings = -1;
  if (analyze) {
    const a = analyzeImports([r]);
    analyzeMs = performance.now() - t1;
    findings = a.findings.length;
  }
  const ignored = Object.values(r.lines.ignored).reduce((a, b) => a + b, 0);
  const out = {
    ms: performance.now() - t0,
    importMs: t1 - t0,
    analyzeMs,
    findings,
    maxRssKiB: process.resourceUsage().maxRSS,
    lines: r.lines.total,
    accounted: r.lines.parsed + ignored + r.lines.rejected === r.lines.total,
    rejected: r.lines.rejected,
    devres: r.events.filter((e) => e.kind === "devres").length,
    error: r.error ?? null,
  };
  process.stdout.write(`${JSON.stringify(out)}\n`);
}

if (process.argv[2] === "--case") {
  await runCase(process.argv[3], process.argv[4], process.argv[5]);
  process.exit(0);
}

// ------------------------------------------------------------------ driver
const gc = () => globalThis.gc?.();
const median = (xs) => [...xs].sort((a, b) => a - b)[xs.length >> 1];
const mbps = (bytes, ms) => bytes / 1e6 / (ms / 1000);

if (!existsSync(gz)) {
  console.log(`skip: ${gz} not found`);
  process.exit(0);
}
const dir = join(tmpdir(), "devscope-bench");
mkdirSync(dir, { recursive: true });
const plain = join(dir, "large-stress.ftrace.txt");
if (!existsSync(plain) || statSync(plain).size !== UNPACKED_BYTES) {
  process.stdout.write(`unpacking ${gz} -> ${plain} ... `);
  await pipeline(createReadStream(gz), createGunzip(), createWriteStream(plain));
  console.log("done");
}
const bytes = statSync(plain).size;
console.log(
  `input: ${plain} (${bytes} bytes unpacked; ${statSync(gz).size} bytes gzip), ${availableParallelism()} cores, ${RUNS} runs per case`,
);

function timeCmd(cmd, args) {
  const times = [];
  let stdout = "";
  for (let i = 0; i < RUNS; i++) {
    const t0 = performance.now();
    const r = spawnSync(cmd, args, { encoding: "utf8", maxBuffer: 1 << 20 });
    times.push(performance.now() - t0);
    if (r.status !== 0) throw new Error(`${cmd} failed: ${r.stderr}`);
    stdout = r.stdout.trim();
  }
  return { best: Math.min(...times), median: median(times), stdout };
}

const awk = ["mawk", "awk"].find((a) => spawnSync("sh", ["-c", `command -v ${a}`]).status === 0);
const MAWK =
  '/devres_log:/ { k = $(NF-5) " " $(NF-3); if ($(NF-4) == "ADD") { live[k] = 1; add++ } else if (k in live) { delete live[k]; rel++ } else orphan++ } END { n = 0; for (k in live) n++; print add, rel, orphan, n }';
const wc = timeCmd("wc", ["-l", plain]);
const mawk = timeCmd(awk, [MAWK, plain]);
console.log(`\nbaselines (same file, same run):`);
console.log(
  `  wc -l                          best ${wc.best.toFixed(0)} ms  median ${wc.median.toFixed(0)} ms  ${mbps(bytes, wc.best).toFixed(0)} MB/s   -> ${wc.stdout.split(" ")[0]} lines`,
);
console.log(
  `  ${awk} ADD/REL pairing          best ${mawk.best.toFixed(0)} ms  median ${mawk.median.toFixed(0)} ms  ${mbps(bytes, mawk.best).toFixed(0)} MB/s   -> add rel orphan live = ${mawk.stdout}`,
);
console.log(`    command: ${awk} '${MAWK}' FILE`);

const cores = availableParallelism();
const { defaultThreads, DEFAULT_PARALLEL_MIN_BYTES } = await import("../dist/node/index.js");
const defaultParallel = bytes >= DEFAULT_PARALLEL_MIN_BYTES ? defaultThreads() : 1;
console.log(
  `importFile's default for this file: ${defaultParallel} parsing thread(s) (parallel from ${DEFAULT_PARALLEL_MIN_BYTES >> 20} MiB on ${defaultThreads()} idle core(s); load average ${loadavg()[0].toFixed(2)})`,
);
const cases = [
  [`import, plain, ${cores} threads`, plain, String(cores)],
  ["import, plain, 1 thread", plain, "1"],
  [`import, .gz, ${cores} threads`, gz, String(cores)],
  ["import, .gz, 1 thread", gz, "1"],
  ["import + analyze, plain", plain, "default"],
  ["import + analyze, .gz", gz, "default"],
  ["import + analyze, ahci-bind-unbind (2.4 MB)", small, "default"],
];
const results = {};
console.log(
  `\ncases (MB/s over the ${bytes}-byte unpacked text; peak RSS of the measuring process):`,
);
for (const [name, path, threads] of cases) {
  const runs = [];
  for (let i = 0; i < RUNS; i++) {
    gc();
    const r = spawnSync(process.execPath, ["--expose-gc", self, "--case", name, path, threads], {
      encoding: "utf8",
      maxBuffer: 1 << 20,
    });
    if (r.status !== 0) throw new Error(`case ${name} failed:\n${r.stderr}`);
    runs.push(JSON.parse(r.stdout.trim().split("\n").pop()));
  }
  const best = runs.reduce((a, b) => (b.ms < a.ms ? b : a));
  const size = path === small ? statSync(small).size : bytes;
  const res = {
    bestMs: best.ms,
    medianMs: median(runs.map((x) => x.ms)),
    importMs: best.importMs,
    analyzeMs: best.analyzeMs,
    mbPerS: mbps(size, best.ms),
    peakRssMiB: Math.max(...runs.map((x) => x.maxRssKiB)) / 1024,
    lines: best.lines,
    accounted: runs.every((x) => x.accounted),
    rejected: best.rejected,
    devres: best.devres,
    findings: best.findings,
    vsWc: path === small ? null : best.ms / wc.best,
    vsMawk: path === small ? null : best.ms / mawk.best,
  };
  results[name] = res;
  console.log(
    `  ${name.padEnd(44)} best ${res.bestMs.toFixed(0).padStart(5)} ms  median ${res.medianMs.toFixed(0).padStart(5)} ms  ${res.mbPerS.toFixed(0).padStart(4)} MB/s  peak RSS ${res.peakRssMiB.toFixed(0)} MiB` +
      `  lines ${res.lines} (every line accounted: ${res.accounted}, rejected ${res.rejected}), devres ${res.devres}` +
      (res.vsWc !== null
        ? `\n  ${"".padEnd(44)} time ratio: ${res.vsWc.toFixed(1)}x wc -l, ${res.vsMawk.toFixed(2)}x ${awk}`
        : "") +
      (res.analyzeMs > 0
        ? `\n  ${"".padEnd(44)} import ${res.importMs.toFixed(0)} ms + analyze ${res.analyzeMs.toFixed(0)} ms (analyze/import ${(res.analyzeMs / res.importMs).toFixed(2)}), ${res.findings} findings`
        : ""),
  );
}
mkdirSync(`${root}.bench`, { recursive: true });
writeFileSync(
  `${root}.bench/tracer-analyze.json`,
  `${JSON.stringify({ bytes, cores, runs: RUNS, baselines: { wc, [awk]: mawk }, cases: results }, null, 2)}\n`,
);
