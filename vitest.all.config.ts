import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { defineConfig, type TestProjectInlineConfiguration } from "vitest/config";

// One vitest run over every package (and the desktop's dom + browser projects), ending with
// CI's closing line. Named vitest.all.config.ts so package-level `vitest run` never finds it.
const desktopProjectsFile = fileURLToPath(new URL("./apps/desktop/vitest.projects.ts", import.meta.url));
const desktopProjects: TestProjectInlineConfiguration[] = existsSync(desktopProjectsFile)
  ? ((await import(desktopProjectsFile)) as { desktopProjects: TestProjectInlineConfiguration[] }).desktopProjects
  : [];

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
