import { BRIDGE_GLOBAL, type PreloadBridge } from "../../shared/preload-bridge.ts";
import { createElectronHost } from "./electron-host.ts";
import type { HostApi } from "./host-api.ts";
import { createWebHost } from "./web-host.ts";

function isBridge(v: unknown): v is PreloadBridge {
  if (typeof v !== "object" || v === null) return false;
  const o = v as Record<string, unknown>;
  return (
    typeof o["openDialog"] === "function" &&
    typeof o["readFile"] === "function" &&
    typeof o["onMenu"] === "function"
  );
}

/** The Electron host when the preload bridge is present, else the browser host. */
export function selectHost(win: Window = window): HostApi {
  const bridge = (win as unknown as Record<string, unknown>)[BRIDGE_GLOBAL];
  return isBridge(bridge) ? createElectronHost(bridge) : createWebHost(win.document);
}
