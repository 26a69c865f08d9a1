import { fileURLToPath } from "node:url";
import react from "@vitejs/plugin-react";
import { defaultClientConditions } from "vite";
import { defineConfig } from "vitest/config";
import { samplesPlugin } from "./build/samples-plugin.ts";
import { desktopProjects } from "./vitest.projects.ts";

// The renderer as a plain web app: `vite build` -> dist/web (relative base so the same files
// load from Electron's app:// protocol, `vite preview` and any static server).
const here = (p: string): string => fileURLToPath(new URL(p, import.meta.url));

export default defineConfig({
  root: here("src/renderer"),
  base: "./",
  plugins: [react(), samplesPlugin(here("../../fixtures/real-traces"))],
  // Workspace packages are compiled from their TypeScript sources (no stale dist/).
  resolve: { conditions: ["@devscope/source", ...defaultClientConditions] },
  // The simulated kernel names devres nodes after their release functions (`#release` in the
  // kernel's devres_alloc macro is a function's `name` here): bundling must keep function names.
  worker: { format: "es", rolldownOptions: { output: { keepNames: true } } },
  build: {
    rolldownOptions: { output: { keepNames: true } },
    outDir: here("dist/web"),
    emptyOutDir: true,
    target: "es2022",
    sourcemap: true,
    chunkSizeWarningLimit: 2000,
  },
  preview: { host: "127.0.0.1", port: 4173, strictPort: true },
  test: { projects: desktopProjects },
});
