import { describe, expect, it, vi } from "vitest";
import type { HostFileRef, MenuCommand } from "../../shared/ipc-contract.ts";
import { BRIDGE_GLOBAL, type PreloadBridge } from "../../shared/preload-bridge.ts";
import { createElectronHost } from "./electron-host.ts";
import { selectHost } from "./select-host.ts";
import { createWebHost, downloadBlob } from "./web-host.ts";

const ref: HostFileRef = { token: "a".repeat(32), name: "t.txt", path: "/tmp/t.txt", size: 10 };

function fakeBridge(): PreloadBridge & { menu: ((c: MenuCommand) => void)[] } {
  const menu: ((c: MenuCommand) => void)[] = [];
  return {
    menu,
    platform: "linux",
    openDialog: vi.fn(async () => [ref]),
    openRecent: vi.fn(async (p: string) => (p === ref.path ? ref : null)),
    recentList: vi.fn(async () => [{ path: ref.path, name: ref.name, openedAtMs: 1 }]),
    readFile: vi.fn(async () => new Uint8Array([1, 2, 3])),
    saveFile: vi.fn(async () => true),
    setTitle: vi.fn(),
    onMenu(h) {
      menu.push(h);
      return () => menu.splice(menu.indexOf(h), 1);
    },
  };
}

describe("hosts", () => {
  it("the web host downloads and sets the document title", async () => {
    const clicks: string[] = [];
    const spy = vi.spyOn(HTMLAnchorElement.prototype, "click").mockImplementation(function (
      this: HTMLAnchorElement,
    ) {
      clicks.push(this.download);
    });
    const host = createWebHost(document);
    expect(host.kind).toBe("web");
    expect(host.pickFiles).toBeUndefined();
    expect(await host.saveFile("x.analysis.json", "json", new Blob(["{}"]))).toBe(true);
    expect(clicks).toEqual(["x.analysis.json"]);
    downloadBlob("y.png", new Blob([""]));
    expect(clicks).toEqual(["x.analysis.json", "y.png"]);
    host.setTitle("t — devscope");
    expect(document.title).toBe("t — devscope");
    expect(await host.recentFiles()).toEqual([]);
    spy.mockRestore();
  });

  it("the Electron host maps every call to one bridge call", async () => {
    const bridge = fakeBridge();
    const host = createElectronHost(bridge);
    expect(await host.pickFiles?.()).toEqual([{ kind: "host", ref }]);
    expect(await host.openRecent?.("/tmp/t.txt")).toEqual({ kind: "host", ref });
    expect(await host.openRecent?.("/nope")).toBeNull();
    expect(await host.readHostFile?.(ref, 5, 3)).toEqual(new Uint8Array([1, 2, 3]));
    expect(bridge.readFile).toHaveBeenCalledWith({ token: ref.token, offset: 5, length: 3 });
    expect(await host.saveFile("a.png", "png", new Blob([new Uint8Array([9])]))).toBe(true);
    expect(bridge.saveFile).toHaveBeenCalledWith({
      suggestedName: "a.png",
      kind: "png",
      data: new Uint8Array([9]),
    });
    const got: MenuCommand[] = [];
    const off = host.onMenu((c) => got.push(c));
    bridge.menu.forEach((h) => h({ command: "export-json" }));
    off();
    expect(bridge.menu).toHaveLength(0);
    expect(got).toEqual([{ command: "export-json" }]);
  });

  it("selects the Electron host only when the preload bridge is really there", () => {
    expect(selectHost(window).kind).toBe("web");
    const w = window as unknown as Record<string, unknown>;
    w[BRIDGE_GLOBAL] = { openDialog: "not a function" };
    expect(selectHost(window).kind).toBe("web");
    w[BRIDGE_GLOBAL] = fakeBridge();
    expect(selectHost(window).kind).toBe("electron");
    Reflect.deleteProperty(w, BRIDGE_GLOBAL);
  });
});
