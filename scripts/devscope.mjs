#!/usr/bin/env node
// `pnpm devscope <args>` from the repository root. Builds the CLI (and the packages it uses)
// first when any source is newer than its build, so a fresh checkout just works.
// Build output goes to stderr so `pnpm -s devscope analyze --format json > out.json` stays clean.
import { spawnSync } from "node:child_process";
import { existsSync, readdirSync, statSync, utimesSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL("..", import.meta.url));
const pkgs = ["packages/tracer", "packages/core", "packages/hw-sim", "packages/cli"];
const newest = (dir) => {
  let t = 0;
  if (!existsSync(dir)) return t;
  for (const e of readdirSync(dir)) {
    const p = join(dir, e);
    // Tests beside the code are not part of the build (tsconfig.build excludes them).
    if (/\.test\.tsx?$/.test(e)) continue;
    const s = statSync(p);
    t = Math.max(t, s.isDirectory() ? newest(p) : s.mtimeMs);
  }
  return t;
};
const stale = pkgs.some((p) => {
  const info = join(root, p, "dist/.tsbuildinfo");
  return !existsSync(info) || newest(join(root, p, "src")) > statSync(info).mtimeMs;
});
if (stale) {
  process.stderr.write("devscope: building the CLI (first run or sources changed)...\n");
  const r = spawnSync(
    "pnpm",
    ["turbo", "run", "build", "--filter=@devscope/cli...", "--output-logs=errors-only"],
    {
      cwd: root,
      stdio: ["ignore", 2, 2],
      env: { ...process.env, TURBO_TELEMETRY_DISABLED: "1", DO_NOT_TRACK: "1" },
    },
  );
  if (r.status !== 0) process.exit(r.status ?? 1);
  // A turbo cache hit restores dist/ without touching an unchanged .tsbuildinfo; mark the build
  // as current so the next run does not ask turbo again.
  const now = new Date();
  for (const p of pkgs) {
    const info = join(root, p, "dist/.tsbuildinfo");
    if (existsSync(info)) utimesSync(info, now, now);
  }
}
// pnpm runs scripts from the root; keep the user's working directory for relative paths.
if (process.env.INIT_CWD) process.chdir(process.env.INIT_CWD);
await import(join(root, "packages/cli/dist/main.js"));
