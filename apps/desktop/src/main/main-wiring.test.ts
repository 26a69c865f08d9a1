// @vitest-environment node
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { IPC } from "../shared/ipc-contract.ts";
import { CONTENT_SECURITY_POLICY, windowOptions } from "./security.ts";
import { must } from "../shared/must.ts";

// Loads the real main/index.ts against a mocked `electron` (the binary cannot run here, and
// tests must never require the real module) and checks what it does with it.
type Listener = (...args: unknown[]) => void;
const h = vi.hoisted(() => {
  const state = {
    windows: [] as {
      options: unknown;
      listeners: Map<string, Listener>;
      openHandler?: (d: { url: string }) => { action: string };
      loaded?: string;
    }[],
    ipcHandlers: new Map<string, (e: unknown, arg: unknown) => unknown>(),
    protocolHandler: undefined as undefined | ((req: { url: string }) => Promise<Response>),
    privileged: [] as unknown[],
    permissionHandler: undefined as
      undefined | ((wc: unknown, p: string, cb: (ok: boolean) => void) => void),
    permissionCheck: undefined as undefined | (() => boolean),
    beforeRequest: undefined as
      undefined | ((d: { url: string }, cb: (r: { cancel: boolean }) => void) => void),
    menu: undefined as unknown,
    userData: "",
  };
  return state;
});

vi.mock("electron", () => {
  class BrowserWindow {
    static getAllWindows = () => h.windows;
    static fromWebContents = () => null;
    webContents: {
      on: (ev: string, fn: Listener) => void;
      setWindowOpenHandler: (fn: (d: { url: string }) => { action: string }) => void;
      send: () => void;
    };
    constructor(options: unknown) {
      const rec: (typeof h.windows)[number] = { options, listeners: new Map() };
      h.windows.push(rec);
      this.webContents = {
        on: (ev, fn) => rec.listeners.set(ev, fn),
        setWindowOpenHandler: (fn) => (rec.openHandler = fn),
        send: () => undefined,
      };
      this.loadURL = async (url: string) => {
        rec.loaded = url;
      };
    }
    loadURL: (url: string) => Promise<void>;
    once(): void {}
    on(): void {}
    show(): void {}
    setTitle(): void {}
  }
  return {
    app: {
      whenReady: () => Promise.resolve(),
      getPath: () => h.userData,
      on: () => undefined,
      quit: () => undefined,
    },
    BrowserWindow,
    dialog: {
      showOpenDialog: async () => ({ canceled: true, filePaths: [] }),
      showSaveDialog: async () => ({ canceled: true }),
    },
    ipcMain: {
      handle: (ch: string, fn: (e: unknown, arg: unknown) => unknown) => h.ipcHandlers.set(ch, fn),
      on: () => undefined,
    },
    Menu: {
      buildFromTemplate: (t: unknown) => t,
      setApplicationMenu: (m: unknown) => (h.menu = m),
    },
    protocol: {
      registerSchemesAsPrivileged: (s: unknown[]) => h.privileged.push(...s),
      handle: (_scheme: string, fn: (req: { url: string }) => Promise<Response>) =>
        (h.protocolHandler = fn),
    },
    session: {
      defaultSession: {
        setPermissionRequestHandler: (fn: typeof h.permissionHandler) => (h.permissionHandler = fn),
        setPermissionCheckHandler: (fn: typeof h.permissionCheck) => (h.permissionCheck = fn),
        webRequest: { onBeforeRequest: (fn: typeof h.beforeRequest) => (h.beforeRequest = fn) },
      },
    },
    shell: { openExternal: vi.fn(async () => undefined) },
  };
});

describe("Electron main wiring (electron mocked)", () => {
  beforeAll(async () => {
    h.userData = mkdtempSync(join(tmpdir(), "devscope-main-"));
    await import("./index.ts");
    await vi.waitFor(() => expect(h.windows.length).toBe(1));
  });
  afterAll(() => vi.restoreAllMocks());

  it("creates the window with exactly the checked options", () => {
    const opts = must(h.windows[0]).options as ReturnType<typeof windowOptions>;
    expect(opts).toEqual(windowOptions((opts.webPreferences as { preload: string }).preload));
    expect(opts.webPreferences?.preload).toMatch(/preload[/\\]index\.cjs$/);
  });

  it("loads the app from its own scheme, never file:// or http", () => {
    expect(must(h.windows[0]).loaded).toBe("devscope://app/index.html");
    expect(h.privileged).toEqual([
      {
        scheme: "devscope",
        privileges: { standard: true, secure: true, supportFetchAPI: true, stream: true },
      },
    ]);
  });

  it("blocks navigation away from the app and every new window", () => {
    const nav = must(h.windows[0]).listeners.get("will-navigate") as Listener;
    const ev = { preventDefault: vi.fn() };
    nav(ev, "https://example.com/");
    expect(ev.preventDefault).toHaveBeenCalled();
    const ok = { preventDefault: vi.fn() };
    nav(ok, "devscope://app/index.html");
    expect(ok.preventDefault).not.toHaveBeenCalled();
    expect(must(must(h.windows[0]).openHandler)({ url: "https://example.com" })).toEqual({
      action: "deny",
    });
    expect(must(must(h.windows[0]).openHandler)({ url: "file:///etc/passwd" })).toEqual({
      action: "deny",
    });
    const wv = { preventDefault: vi.fn() };
    (must(h.windows[0]).listeners.get("will-attach-webview") as Listener)(wv);
    expect(wv.preventDefault).toHaveBeenCalled();
  });

  it("denies every permission request and check", () => {
    const cb = vi.fn();
    must(h.permissionHandler)({}, "media", cb);
    expect(cb).toHaveBeenCalledWith(false);
    expect(must(h.permissionCheck)()).toBe(false);
  });

  it("cancels every request that is not to the app itself (no remote content)", () => {
    const cb = vi.fn();
    must(h.beforeRequest)({ url: "https://cdn.example.com/x.js" }, cb);
    expect(cb).toHaveBeenLastCalledWith({ cancel: true });
    must(h.beforeRequest)({ url: "devscope://app/assets/index.js" }, cb);
    expect(cb).toHaveBeenLastCalledWith({ cancel: false });
  });

  it("serves app files with the strict CSP header and refuses traversal", async () => {
    const res = await must(h.protocolHandler)({ url: "devscope://app/index.html" });
    expect(res.status).toBe(200);
    expect(res.headers.get("Content-Security-Policy")).toBe(CONTENT_SECURITY_POLICY);
    const bad = await must(h.protocolHandler)({ url: "devscope://app/..%2f..%2fpackage.json" });
    expect(bad.status).toBe(404);
  });

  it("validates IPC callers and arguments", async () => {
    const read = must(h.ipcHandlers.get(IPC.readFile));
    const fromApp = { senderFrame: { url: "devscope://app/index.html" } };
    const fromElsewhere = { senderFrame: { url: "https://evil.example/" } };
    await expect(
      read(fromElsewhere, { token: "0".repeat(32), offset: 0, length: 1 }),
    ).rejects.toThrow(/not the devscope app/);
    await expect(
      read(fromApp, { token: "../../etc/passwd", offset: 0, length: 1 }),
    ).rejects.toThrow(/token must be 32 hex/);
    await expect(read(fromApp, { token: "0".repeat(32), offset: 0, length: 1 })).rejects.toThrow(
      /unknown token/,
    );
    await expect(read(fromApp, { token: "0".repeat(32), offset: -1, length: 1 })).rejects.toThrow(
      /offset/,
    );
    await expect(must(h.ipcHandlers.get(IPC.openRecent))(fromApp, "/etc/passwd")).rejects.toThrow(
      /not a recent file/,
    );
    await expect(
      must(h.ipcHandlers.get(IPC.saveFile))(fromApp, {
        suggestedName: "../x.json",
        kind: "json",
        data: new Uint8Array(1),
      }),
    ).rejects.toThrow(/plain file name/);
  });

  it("installs the native menu with Open…, Open Recent, Compare…, Export… and Quit", () => {
    const menu = h.menu as { label?: string; submenu?: { label?: string }[] }[];
    const file = must(menu.find((m) => m.label === "&File"));
    expect(
      must(file.submenu)
        .map((i) => i.label)
        .filter(Boolean),
    ).toEqual(["Open…", "Open Recent", "Compare…", "Run Simulation…", "Export", "Quit"]);
  });
});
