#!/usr/bin/env node
// Thin launcher: the command is compiled to dist/ by `pnpm build`.
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
const main = fileURLToPath(new URL("../dist/main.js", import.meta.url));
if (!existsSync(main)) {
  process.stderr.write("devscope: not built yet. Run `pnpm build` at the repository root.\n");
  process.exit(2);
}
await import(main);
