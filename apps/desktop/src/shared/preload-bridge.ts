import type {
  HostFileRef,
  MenuCommand,
  ReadRequest,
  RecentFile,
  SaveRequest,
} from "./ipc-contract.ts";

/**
 * What the preload script exposes to the renderer as `window.devscopeHost` (contextBridge).
 * Each method is one IPC call; main validates every argument (ipc-contract.ts).
 */
export interface PreloadBridge {
  readonly platform: string;
  openDialog(): Promise<HostFileRef[]>;
  openRecent(path: string): Promise<HostFileRef | null>;
  recentList(): Promise<RecentFile[]>;
  readFile(req: ReadRequest): Promise<Uint8Array>;
  saveFile(req: SaveRequest): Promise<boolean>;
  setTitle(title: string): void;
  /** Returns the unsubscribe function. */
  onMenu(handler: (cmd: MenuCommand) => void): () => void;
}

export const BRIDGE_GLOBAL = "devscopeHost";
