import { createReadStream, existsSync, statSync } from "node:fs";
import { resolve } from "node:path";
import type { Plugin } from "vite";

/**
 * Serves the bundled sample traces as static assets without duplicating them in git: the
 * files stay in fixtures/real-traces/ (byte for byte the team's captures) and are copied
 * into the web build as `samples/<name>` (and served from there by the dev server).
 */
export const SAMPLE_FILES = [
  "ahci-bind-unbind.ftrace.txt",
  "cirrus-drm-unbind.ftrace.txt",
] as const;

export function samplesPlugin(fixturesDir: string): Plugin {
  const pathOf = (name: string): string => resolve(fixturesDir, name);
  return {
    name: "devscope-samples",
    configureServer(server) {
      server.middlewares.use((req, res, next) => {
        const m = /^\/samples\/([\w.-]+)$/.exec(req.url?.split("?")[0] ?? "");
        const name = m?.[1];
        if (!name || !(SAMPLE_FILES as readonly string[]).includes(name)) return next();
        res.setHeader("Content-Type", "text/plain; charset=utf-8");
        res.setHeader("Content-Length", String(statSync(pathOf(name)).size));
        createReadStream(pathOf(name)).pipe(res);
      });
    },
    async generateBundle() {
      const { readFile } = await import("node:fs/promises");
      for (const name of SAMPLE_FILES) {
        const path = pathOf(name);
        if (!existsSync(path)) this.error(`sample trace missing: ${path}`);
        this.emitFile({ type: "asset", fileName: `samples/${name}`, source: await readFile(path) });
      }
    },
  };
}
