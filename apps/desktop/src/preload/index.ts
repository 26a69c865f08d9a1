import { contextBridge, ipcRenderer, type IpcRendererEvent } from "electron";
import { IPC, type MenuCommand } from "../shared/ipc-contract.ts";
import { BRIDGE_GLOBAL, type PreloadBridge } from "../shared/preload-bridge.ts";

// contextBridge only: one IPC call per method, no logic (main validates every argument).
const bridge: PreloadBridge = {
  platform: process.platform,
  openDialog: () => ipcRenderer.invoke(IPC.openDialog),
  openRecent: (path) => ipcRenderer.invoke(IPC.openRecent, path),
  recentList: () => ipcRenderer.invoke(IPC.recentList),
  readFile: (req) => ipcRenderer.invoke(IPC.readFile, req),
  saveFile: (req) => ipcRenderer.invoke(IPC.saveFile, req),
  setTitle: (title) => ipcRenderer.send(IPC.setTitle, title),
  onMenu(handler) {
    const listener = (_e: IpcRendererEvent, cmd: MenuCommand): void => handler(cmd);
    ipcRenderer.on(IPC.menu, listener);
    return () => ipcRenderer.removeListener(IPC.menu, listener);
  },
};
contextBridge.exposeInMainWorld(BRIDGE_GLOBAL, bridge);
