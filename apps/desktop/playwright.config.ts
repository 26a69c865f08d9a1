import { defineConfig } from "@playwright/test";
import { chromiumArgs } from "./vitest.projects.ts";

// Browser e2e against the built web app (`vite build` -> dist/web) served by `vite preview`
// on 127.0.0.1, in Debian's Chromium (stack.md §3.6). Screenshots of each main view are
// saved as test artifacts under test-results/.
const CHROMIUM = process.env["CHROMIUM_PATH"] ?? "/usr/bin/chromium";
const PORT = Number(process.env["DEVSCOPE_E2E_PORT"] ?? 4173);

export default defineConfig({
  testDir: "e2e",
  outputDir: "test-results",
  workers: 1,
  timeout: 120_000,
  expect: { timeout: 30_000 },
  reporter: process.env["CI"] ? "line" : "list",
  use: {
    baseURL: `http://127.0.0.1:${PORT}`,
    browserName: "chromium",
    headless: true,
    viewport: { width: 1600, height: 1000 },
    acceptDownloads: true,
    launchOptions: { executablePath: CHROMIUM, args: chromiumArgs },
  },
  webServer: {
    command: `pnpm exec vite preview --port ${PORT} --strictPort --host 127.0.0.1`,
    url: `http://127.0.0.1:${PORT}`,
    reuseExistingServer: !process.env["CI"],
    timeout: 60_000,
  },
});
