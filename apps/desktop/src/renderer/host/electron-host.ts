import type { PreloadBridge } from "../../shared/preload-bridge.ts";
import type { HostApi, TraceSource } from "./host-api.ts";

/** The desktop host: everything goes through the preload bridge (one IPC call per method). */
export function createElectronHost(bridge: PreloadBridge): HostApi {
  return {
    kind: "electron",
    async pickFiles(): Promise<TraceSource[]> {
      const refs = await bridge.openDialog();
      return refs.map((ref) => ({ kind: "host", ref }));
    },
    async saveFile(suggestedName, kind, data) {
      return bridge.saveFile({
        suggestedName,
        kind,
        data: new Uint8Array(await data.arrayBuffer()),
      });
    },
    recentFiles() {
      return bridge.recentList();
    },
    async openRecent(path) {
      const ref = await bridge.openRecent(path);
      return ref ? { kind: "host", ref } : null;
    },
    readHostFile(ref, offset, length) {
      return bridge.readFile({ token: ref.token, offset, length });
    },
    onMenu(handler) {
      return bridge.onMenu(handler);
    },
    setTitle(title) {
      bridge.setTitle(title);
    },
  };
}
