import { fileURLToPath } from "node:url";
import react from "@vitejs/plugin-react";
import { defineConfig } from "electron-vite";
import { defaultClientConditions } from "vite";
import { samplesPlugin } from "./build/samples-plugin.ts";

// `pnpm build:electron`: main (ESM), preload (CommonJS: sandboxed preloads cannot be ES
// modules) and the same renderer as the web build, into out/. Works without the Electron
// binary (stack.md §2.5).
const here = (p: string): string => fileURLToPath(new URL(p, import.meta.url));

export default defineConfig({
  main: {
    build: {
      outDir: here("out/main"),
      rollupOptions: { input: { index: here("src/main/index.ts") } },
    },
  },
  preload: {
    build: {
      outDir: here("out/preload"),
      rollupOptions: {
        input: { index: here("src/preload/index.ts") },
        output: { format: "cjs", entryFileNames: "[name].cjs" },
      },
    },
  },
  renderer: {
    root: here("src/renderer"),
    base: "./",
    plugins: [react(), samplesPlugin(here("../../fixtures/real-traces"))],
    resolve: { conditions: ["@devscope/source", ...defaultClientConditions] },
    // Keep function names: the simulated kernel names devres nodes after release functions.
    worker: { format: "es", rolldownOptions: { output: { keepNames: true } } },
    build: {
      outDir: here("out/renderer"),
      target: "es2022",
      rollupOptions: {
        input: { index: here("src/renderer/index.html") },
        output: { keepNames: true },
      },
    },
  },
});
