#!/usr/bin/env node
// `pnpm test`: everything CI checks, in one command, ending with `N passed, N failed`.
//   1. build (turbo)        2. typecheck (turbo)     3. lint (eslint + package layers)
//   4. unit/integration tests: one vitest run over all packages (+ desktop dom/browser)
//   5. browser e2e: Playwright in Debian Chromium (apps/desktop/e2e), if the app has any
// Steps 1-3 count as one check each; vitest and Playwright report their own tests.
import { spawnSync } from "node:child_process";
import { existsSync, readFileSync, rmSync } from "node:fs";

const env = {
  ...process.env,
  TURBO_TELEMETRY_DISABLED: "1",
  DO_NOT_TRACK: "1",
  ELECTRON_SKIP_BINARY_DOWNLOAD: "1",
};
let passed = 0;
let failed = 0;
const failures = [];
const run = (label, cmd, args, extraEnv = {}) => {
  process.stdout.write(`\n=== ${label}: ${cmd} ${args.join(" ")}\n`);
  const t0 = Date.now();
  const r = spawnSync(cmd, args, { stdio: "inherit", env: { ...env, ...extraEnv } });
  process.stdout.write(
    `=== ${label}: ${r.status === 0 ? "ok" : `FAILED (exit ${r.status})`} in ${((Date.now() - t0) / 1000).toFixed(1)} s\n`,
  );
  return r.status === 0;
};
const check = (label, cmd, args) => {
  if (run(label, cmd, args)) passed++;
  else {
    failed++;
    failures.push(label);
  }
};

check("build", "pnpm", ["turbo", "run", "build", "--output-logs=errors-only"]);
check("typecheck", "pnpm", ["turbo", "run", "typecheck", "--output-logs=errors-only"]);
check("lint", "pnpm", ["lint"]);

rmSync(".test-results/vitest.json", { force: true });
run("unit", "pnpm", ["exec", "vitest", "run", "-c", "vitest.all.config.ts"]);
if (existsSync(".test-results/vitest.json")) {
  const v = JSON.parse(readFileSync(".test-results/vitest.json", "utf8"));
  passed += v.passed;
  failed += v.failed;
  failures.push(...v.failures);
} else {
  failed++;
  failures.push("vitest did not report (crashed before the end of the run)");
}

if (existsSync("apps/desktop/playwright.config.ts") && existsSync("apps/desktop/e2e")) {
  const out = ".test-results/playwright.json";
  rmSync(out, { force: true });
  const ok = run(
    "e2e",
    "pnpm",
    ["--filter", "@devscope/desktop", "exec", "playwright", "test", "--reporter=line,json"],
    {
      PLAYWRIGHT_JSON_OUTPUT_NAME: out,
    },
  );
  const file = "apps/desktop/" + out;
  if (existsSync(file)) {
    const s = JSON.parse(readFileSync(file, "utf8")).stats;
    passed += s.expected + s.flaky;
    failed += s.unexpected;
    if (s.unexpected) failures.push(`${s.unexpected} e2e test(s)`);
  } else if (!ok) {
    failed++;
    failures.push("playwright did not report");
  }
}

if (failures.length)
  process.stdout.write(`\nFailures:\n${failures.map((f) => `  - ${f}`).join("\n")}\n`);
process.stdout.write(`\n${passed} passed, ${failed} failed\n`);
process.exit(failed ? 1 : 0);
