import type { BrowserWindowConstructorOptions, WebPreferences } from "electron";

/**
 * The Electron shell's security settings in one pure module (no runtime electron import), so
 * the checklist test can verify exactly what main passes to BrowserWindow and sends as CSP.
 * Follows Electron's security checklist (docs/tutorial/security.md): isolation, sandbox, no
 * Node in the renderer, a strict CSP, no remote content, no navigation, no new windows, no
 * permissions, validated IPC.
 */

/** The renderer is served from this privileged custom scheme, never from file:// or http. */
export const APP_SCHEME = "devscope";
export const APP_HOST = "app";
export const APP_ORIGIN = `${APP_SCHEME}://${APP_HOST}`;
export const APP_ENTRY = `${APP_ORIGIN}/index.html`;

/**
 * Content-Security-Policy of every renderer response: only the app's own scripts, module
 * workers, styles and images; data:/blob: images for PNG export previews; nothing remote.
 */
export const CSP_DIRECTIVES: Readonly<Record<string, string>> = {
  "default-src": "'none'",
  "script-src": "'self'",
  "worker-src": "'self'",
  "style-src": "'self'",
  "img-src": "'self' data: blob:",
  "font-src": "'self'",
  "connect-src": "'self'",
  "object-src": "'none'",
  "base-uri": "'none'",
  "form-action": "'none'",
  "frame-ancestors": "'none'",
};

export const CONTENT_SECURITY_POLICY = Object.entries(CSP_DIRECTIVES)
  .map(([k, v]) => `${k} ${v}`)
  .join("; ");

export function webPreferences(preloadPath: string): WebPreferences {
  return {
    preload: preloadPath,
    contextIsolation: true,
    sandbox: true,
    nodeIntegration: false,
    nodeIntegrationInWorker: false,
    nodeIntegrationInSubFrames: false,
    webSecurity: true,
    allowRunningInsecureContent: false,
    experimentalFeatures: false,
    webviewTag: false,
    navigateOnDragDrop: false,
    spellcheck: false,
    safeDialogs: true,
  };
}

export function windowOptions(preloadPath: string): BrowserWindowConstructorOptions {
  return {
    width: 1440,
    height: 900,
    minWidth: 900,
    minHeight: 560,
    show: false,
    title: "devscope",
    backgroundColor: "#15181d",
    autoHideMenuBar: false,
    webPreferences: webPreferences(preloadPath),
  };
}

/** Only the app's own pages may be loaded in the window (no navigation anywhere else). */
export function isAppUrl(url: string): boolean {
  try {
    const u = new URL(url);
    return u.protocol === `${APP_SCHEME}:` && u.host === APP_HOST;
  } catch {
    return false;
  }
}

/** http(s) links may be handed to the system browser; everything else is dropped. */
export function isExternalWebUrl(url: string): boolean {
  try {
    const u = new URL(url);
    return u.protocol === "https:" || u.protocol === "http:";
  } catch {
    return false;
  }
}

/**
 * Maps an app:// request to a file under the renderer root, refusing anything that would
 * escape it (`..`, encoded separators, absolute paths). Returns the relative path or null.
 */
export function appRequestPath(url: string): string | null {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    return null;
  }
  if (u.protocol !== `${APP_SCHEME}:` || u.host !== APP_HOST) return null;
  let path: string;
  try {
    path = decodeURIComponent(u.pathname);
  } catch {
    return null;
  }
  if (path.includes("\\") || path.includes("\u0000")) return null;
  const parts = path.split("/").filter((p) => p.length > 0);
  if (parts.some((p) => p === "." || p === "..")) return null;
  return parts.length === 0 ? "index.html" : parts.join("/");
}

const MIME: Record<string, string> = {
  html: "text/html; charset=utf-8",
  js: "text/javascript; charset=utf-8",
  mjs: "text/javascript; charset=utf-8",
  css: "text/css; charset=utf-8",
  json: "application/json",
  map: "application/json",
  svg: "image/svg+xml",
  png: "image/png",
  txt: "text/plain; charset=utf-8",
  woff2: "font/woff2",
};

export function mimeType(path: string): string {
  const ext = path.slice(path.lastIndexOf(".") + 1).toLowerCase();
  return MIME[ext] ?? "application/octet-stream";
}

/** Headers of every app:// response. */
export function responseHeaders(path: string): Record<string, string> {
  return {
    "Content-Type": mimeType(path),
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "X-Content-Type-Options": "nosniff",
    "Cross-Origin-Opener-Policy": "same-origin",
    "Cross-Origin-Resource-Policy": "same-origin",
  };
}
