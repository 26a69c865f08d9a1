// @vitest-environment node
import { describe, expect, it } from "vitest";
import {
  appRequestPath,
  CONTENT_SECURITY_POLICY,
  CSP_DIRECTIVES,
  isAppUrl,
  isExternalWebUrl,
  responseHeaders,
  webPreferences,
  windowOptions,
} from "./security.ts";

// Electron security checklist (https://www.electronjs.org/docs/latest/tutorial/security),
// checked on the exact options main passes to BrowserWindow and the CSP it sends.
describe("Electron security checklist: BrowserWindow options", () => {
  const o = windowOptions("/app/preload/index.cjs");
  const wp = o.webPreferences as Electron.WebPreferences;

  it("isolates the context and sandboxes the renderer (checklist 3, 4)", () => {
    expect(wp.contextIsolation).toBe(true);
    expect(wp.sandbox).toBe(true);
  });

  it("never gives the renderer, its workers or frames Node.js (checklist 2)", () => {
    expect(wp.nodeIntegration).toBe(false);
    expect(wp.nodeIntegrationInWorker).toBe(false);
    expect(wp.nodeIntegrationInSubFrames).toBe(false);
  });

  it("keeps web security on and insecure content off (checklist 6, 8, 9)", () => {
    expect(wp.webSecurity).toBe(true);
    expect(wp.allowRunningInsecureContent).toBe(false);
    expect(wp.experimentalFeatures).toBe(false);
  });

  it("has no <webview> and no navigation by drag and drop (checklist 12)", () => {
    expect(wp.webviewTag).toBe(false);
    expect(wp.navigateOnDragDrop).toBe(false);
  });

  it("loads only the given preload", () => {
    expect(wp.preload).toBe("/app/preload/index.cjs");
    expect(webPreferences("x").preload).toBe("x");
  });

  it("sets no option that weakens the defaults", () => {
    const forbidden = [
      "enableBlinkFeatures",
      "additionalArguments",
      "devTools",
      "enableRemoteModule",
      "disableBlinkFeatures",
    ];
    for (const k of forbidden) expect(Object.keys(wp)).not.toContain(k);
  });
});

describe("Electron security checklist: Content-Security-Policy (checklist 7)", () => {
  const directives = new Map(
    CONTENT_SECURITY_POLICY.split("; ").map((d) => [
      d.slice(0, d.indexOf(" ")),
      d.slice(d.indexOf(" ") + 1),
    ]),
  );

  it("defaults to nothing and allows scripts only from the app itself", () => {
    expect(directives.get("default-src")).toBe("'none'");
    expect(directives.get("script-src")).toBe("'self'");
    expect(directives.get("worker-src")).toBe("'self'");
    expect(directives.get("object-src")).toBe("'none'");
    expect(directives.get("base-uri")).toBe("'none'");
    expect(directives.get("frame-ancestors")).toBe("'none'");
  });

  it("never allows inline or evaluated script, or remote origins", () => {
    for (const [, v] of directives) {
      expect(v).not.toMatch(/unsafe-inline|unsafe-eval|wasm-unsafe-eval|\*|https?:/);
    }
  });

  it("is the policy of the web build too (index.html meta)", async () => {
    const { readFile } = await import("node:fs/promises");
    const html = await readFile(new URL("../renderer/index.html", import.meta.url), "utf8");
    const meta = /http-equiv="Content-Security-Policy"\s+content="([^"]+)"/.exec(html)?.[1];
    expect(meta).toBeDefined();
    const metaDirectives = new Map(
      (meta as string)
        .split(";")
        .map((d) => d.trim())
        .filter(Boolean)
        .map((d) => [d.slice(0, d.indexOf(" ")), d.slice(d.indexOf(" ") + 1)]),
    );
    // frame-ancestors is ignored in <meta>; everything else must agree.
    for (const [k, v] of Object.entries(CSP_DIRECTIVES))
      if (k !== "frame-ancestors") expect(metaDirectives.get(k)).toBe(v);
  });

  it("is sent with every app:// response, with nosniff", () => {
    const h = responseHeaders("assets/index.js");
    expect(h["Content-Security-Policy"]).toBe(CONTENT_SECURITY_POLICY);
    expect(h["X-Content-Type-Options"]).toBe("nosniff");
    expect(h["Content-Type"]).toMatch(/javascript/);
  });
});

describe("navigation and the app:// protocol (checklist 13, 14, 18)", () => {
  it("treats only devscope://app as the app", () => {
    expect(isAppUrl("devscope://app/index.html")).toBe(true);
    expect(isAppUrl("devscope://evil/index.html")).toBe(false);
    expect(isAppUrl("https://example.com/")).toBe(false);
    expect(isAppUrl("file:///etc/passwd")).toBe(false);
    expect(isAppUrl("not a url")).toBe(false);
  });

  it("opens only http(s) links externally", () => {
    expect(isExternalWebUrl("https://kernel.org")).toBe(true);
    expect(isExternalWebUrl("file:///etc/passwd")).toBe(false);
    expect(isExternalWebUrl("javascript:alert(1)")).toBe(false);
  });

  it("never serves a file outside the renderer root", () => {
    expect(appRequestPath("devscope://app/")).toBe("index.html");
    expect(appRequestPath("devscope://app/assets/a.js?x=1")).toBe("assets/a.js");
    expect(appRequestPath("devscope://app/../../etc/passwd")).not.toMatch(/\.\./);
    // The URL parser resolves encoded dot segments against the root, so they cannot climb out.
    expect(appRequestPath("devscope://app/assets/%2e%2e/%2e%2e/secret")).toBe("secret");
    expect(appRequestPath("devscope://app/a%2F..%2F..%2Fb")).toBeNull();
    expect(appRequestPath("devscope://app/a%5Cb")).toBeNull();
    expect(appRequestPath("devscope://app/a%00b")).toBeNull();
    expect(appRequestPath("devscope://other/index.html")).toBeNull();
    expect(appRequestPath("file:///index.html")).toBeNull();
  });
});
