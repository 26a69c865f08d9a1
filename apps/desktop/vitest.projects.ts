import { fileURLToPath } from "node:url";
import react from "@vitejs/plugin-react";
import { playwright } from "@vitest/browser-playwright";
import type { TestProjectInlineConfiguration } from "vitest/config";

// The desktop's two vitest projects, shared by apps/desktop/vite.config.ts and the root
// vitest.all.config.ts (vitest does not nest `projects`). stack.md §3.5.
const root = fileURLToPath(new URL(".", import.meta.url));
export const chromiumArgs = [
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
  // Stable pixels (Perfetto's ui/playwright.config.ts uses the same switches).
  "--disable-accelerated-2d-canvas",
  "--disable-lcd-text",
  "--font-render-hinting=none",
  "--force-device-scale-factor=1",
];
const conditions = ["@devscope/source"];

export const desktopProjects: TestProjectInlineConfiguration[] = [
  {
    plugins: [react()],
    resolve: { conditions: [...conditions, "browser", "module", "import", "default"] },
    test: {
      name: "desktop:dom",
      root,
      environment: "happy-dom",
      include: ["src/**/*.test.{ts,tsx}"],
      exclude: ["src/**/*.browser.test.{ts,tsx}"],
      testTimeout: 30_000,
    },
  },
  {
    plugins: [react()],
    resolve: { conditions: [...conditions, "browser", "module", "import", "default"] },
    optimizeDeps: {
      include: ["react", "react-dom", "react/jsx-dev-runtime", "vitest-browser-react"],
    },
    test: {
      name: "desktop:browser",
      root,
      include: ["src/**/*.browser.test.{ts,tsx}"],
      testTimeout: 30_000,
      browser: {
        enabled: true,
        headless: true,
        screenshotFailures: false,
        instances: [{ browser: "chromium", viewport: { width: 1200, height: 800 } }],
        provider: playwright({
          launchOptions: {
            executablePath: process.env["CHROMIUM_PATH"] ?? "/usr/bin/chromium",
            args: chromiumArgs,
          },
        }),
      },
    },
  },
];
