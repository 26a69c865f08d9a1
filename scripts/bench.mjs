#!/usr/bin/env node
// `pnpm bench`: builds, then runs every benchmark script
//   packages/*/bench/*.bench.mjs and apps/desktop/bench/*.bench.mjs
// one after another (never in parallel: the machine has 2 cores and is shared). Each script
// prints its own human-readable report and may write machine-readable results to .bench/.
// Speed and memory are measured here, never by timed assertions in tests.
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readdirSync } from "node:fs";
import { join } from "node:path";

const only = process.argv.slice(2);
const env = { ...process.env, TURBO_TELEMETRY_DISABLED: "1", DO_NOT_TRACK: "1" };
const b = spawnSync("pnpm", ["turbo", "run", "build", "--output-logs=errors-only"], {
  stdio: "inherit",
  env,
});
if (b.status !== 0) process.exit(b.status ?? 1);
mkdirSync(".bench", { recursive: true });
const dirs = [
  ...readdirSync("packages").map((p) => join("packages", p, "bench")),
  "apps/desktop/bench",
];
let failed = 0;
for (const dir of dirs) {
  if (!existsSync(dir)) continue;
  for (const f of readdirSync(dir)
    .filter((n) => n.endsWith(".bench.mjs"))
    .sort()) {
    const path = join(dir, f);
    if (only.length && !only.some((o) => path.includes(o))) continue;
    process.stdout.write(`\n### ${path}\n`);
    const r = spawnSync(process.execPath, ["--expose-gc", path], { stdio: "inherit", env });
    if (r.status !== 0) {
      failed++;
      process.stdout.write(`!!! ${path} exited ${r.status}\n`);
    }
  }
}
process.exit(failed ? 1 : 0);
