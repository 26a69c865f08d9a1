#!/usr/bin/env node
// `pnpm start`: the Electron app when its binary is available; otherwise the same app in the
// browser (vite preview of the web build), saying so. Never lets Electron download anything.
import { spawn, spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const appDir = join(dirname(fileURLToPath(import.meta.url)), "..");
const PORT = Number(process.env.DEVSCOPE_PORT ?? 4173);
const env = { ...process.env, ELECTRON_SKIP_BINARY_DOWNLOAD: "1" };

/**
 * The Electron binary's path, or the reason there is none. Resolved the way the electron
 * package's own index.js does (path.txt + dist/, or ELECTRON_OVERRIDE_DIST_PATH) but without
 * its fallback: `require("electron")` downloads the binary when it is missing (electron >= 42
 * fetches lazily and ignores ELECTRON_SKIP_BINARY_DOWNLOAD), and this script must never
 * download anything. Runs in a child process with a short timeout.
 */
function electronBinary() {
  const probe = `
    const fs = require("fs"), path = require("path");
    let dir;
    try { dir = path.dirname(require.resolve("electron/package.json")); }
    catch { process.stdout.write("NO the electron package is not installed"); process.exit(0); }
    const pathFile = path.join(dir, "path.txt");
    const exe = fs.existsSync(pathFile) ? fs.readFileSync(pathFile, "utf8").trim() : "";
    const override = process.env.ELECTRON_OVERRIDE_DIST_PATH;
    const full = override ? path.join(override, exe || "electron") : exe ? path.join(dir, "dist", exe) : "";
    if (full && fs.existsSync(full)) process.stdout.write("OK " + full);
    else process.stdout.write("NO " + (exe ? "no binary at " + full : "electron " + require(path.join(dir, "package.json")).version + " is installed without its binary (node_modules/electron/dist is missing; it is downloaded on first use and this machine cannot download it)"));`;
  const r = spawnSync(process.execPath, ["-e", probe], {
    cwd: appDir,
    env,
    encoding: "utf8",
    timeout: 8000,
  });
  if (r.error) return { ok: false, why: `probing it failed (${r.error.message})` };
  const out = (r.stdout ?? "").trim();
  if (out.startsWith("OK ")) return { ok: true, path: out.slice(3) };
  return { ok: false, why: out.replace(/^NO /, "") || `the probe exited with ${r.status}` };
}

function run(cmd, args) {
  const r = spawnSync(cmd, args, { cwd: appDir, env, stdio: "inherit" });
  if (r.status !== 0) process.exit(r.status ?? 1);
}

function openBrowser(url) {
  // Only if the machine has one; a headless server simply serves.
  for (const b of ["xdg-open", "open", "chromium", "google-chrome", "firefox"]) {
    const which = spawnSync("sh", ["-c", `command -v ${b}`], { encoding: "utf8" });
    if (
      which.status === 0 &&
      which.stdout.trim() &&
      (process.env.DISPLAY || process.env.WAYLAND_DISPLAY || process.platform === "darwin")
    ) {
      spawn(b, [url], { stdio: "ignore", detached: true }).unref();
      return;
    }
  }
}

const bin = electronBinary();
if (bin.ok) {
  console.log(`devscope: starting Electron (${bin.path})`);
  run("pnpm", ["exec", "electron-vite", "build"]);
  const child = spawn(bin.path, [appDir], { cwd: appDir, env, stdio: "inherit" });
  child.on("exit", (code) => process.exit(code ?? 0));
} else {
  const url = `http://127.0.0.1:${PORT}/`;
  console.log(
    `devscope: Electron's binary is not available on this machine (${bin.why}); serving the same app at ${url} instead`,
  );
  if (!existsSync(join(appDir, "dist/web/index.html")) || process.env.DEVSCOPE_REBUILD !== "0")
    run("pnpm", ["exec", "vite", "build"]);
  const server = spawn(
    "pnpm",
    ["exec", "vite", "preview", "--host", "127.0.0.1", "--port", String(PORT), "--strictPort"],
    { cwd: appDir, env, stdio: "inherit" },
  );
  setTimeout(() => openBrowser(url), 1500);
  const stop = () => server.kill("SIGTERM");
  process.on("SIGINT", stop);
  process.on("SIGTERM", stop);
  server.on("exit", (code) => process.exit(code ?? 0));
}
