import { fileURLToPath } from "node:url";
import { defineConfig } from "vitest/config";
// A static import: vitest bundles the config with its static imports, while a dynamic
// import() of a .ts path is left to Node 20, which cannot load TypeScript.
import { desktopProjects } from "./apps/desktop/vitest.projects.ts";

// One vitest run over every package (and the desktop's dom + browser projects), ending with
// CI's closing line. Named vitest.all.config.ts so package-level `vitest run` never finds it.

export default defineConfig({
  resolve: { conditions: ["@devscope/source"] },
  ssr: { resolve: { conditions: ["@devscope/source"] } },
  test: {
    testTimeout: 60_000,
    projects: [
      ...["tracer", "core", "hw-sim", "cli"].map((name) => ({
        extends: true as const,
        test: { name, root: `packages/${name}`, include: ["src/**/*.test.ts"] },
      })),
      ...desktopProjects.map((p) => ({ extends: true as const, ...p })),
    ],
    reporters: ["default", fileURLToPath(new URL("./tools/summary-reporter.ts", import.meta.url))],
  },
});
