#!/usr/bin/env node
// Package-level layering check (Perfetto's check_imports.py, in miniature):
// every workspace package may depend only on the packages below it.
//   tracer <- core <- hw-sim <- cli / desktop
import { readFileSync, readdirSync, statSync } from "node:fs";
import { join } from "node:path";

const allowed = {
  "@devscope/tracer": [],
  "@devscope/core": ["@devscope/tracer"],
  "@devscope/hw-sim": ["@devscope/tracer", "@devscope/core"],
  "@devscope/cli": ["@devscope/tracer", "@devscope/core", "@devscope/hw-sim"],
  "@devscope/desktop": ["@devscope/tracer", "@devscope/core", "@devscope/hw-sim"],
};
const dirs = {
  "@devscope/tracer": "packages/tracer",
  "@devscope/core": "packages/core",
  "@devscope/hw-sim": "packages/hw-sim",
  "@devscope/cli": "packages/cli",
  "@devscope/desktop": "apps/desktop",
};
let bad = 0;
const walk = (d, out = []) => {
  for (const e of readdirSync(d)) {
    if (e === "node_modules" || e === "dist" || e === "out") continue;
    const p = join(d, e);
    if (statSync(p).isDirectory()) walk(p, out);
    else if (/\.(ts|tsx|mjs|js)$/.test(e)) out.push(p);
  }
  return out;
};
for (const [pkg, dir] of Object.entries(dirs)) {
  const manifest = JSON.parse(readFileSync(join(dir, "package.json"), "utf8"));
  const deps = Object.keys({ ...manifest.dependencies, ...manifest.devDependencies }).filter((d) =>
    d.startsWith("@devscope/"),
  );
  for (const d of deps)
    if (!allowed[pkg].includes(d)) {
      console.error(`layer violation: ${pkg} depends on ${d}`);
      bad++;
    }
  let files = [];
  try {
    files = walk(join(dir, "src"));
  } catch {
    /* no src yet */
  }
  for (const f of files) {
    const text = readFileSync(f, "utf8");
    for (const m of text.matchAll(/from\s+["'](@devscope\/[a-z-]+)/g)) {
      if (m[1] !== pkg && !allowed[pkg].includes(m[1])) {
        console.error(`layer violation: ${f} imports ${m[1]}`);
        bad++;
      }
    }
  }
}
if (bad) process.exit(1);
console.log("layers ok");
