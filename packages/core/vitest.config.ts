import { defineConfig } from "vitest/config";

// Workspace packages resolve to their TypeScript sources in tests (no build needed).
export default defineConfig({
  resolve: { conditions: ["@devscope/source"] },
  ssr: { resolve: { conditions: ["@devscope/source"] } },
  test: { include: ["src/**/*.test.ts"], testTimeout: 60_000 },
});
