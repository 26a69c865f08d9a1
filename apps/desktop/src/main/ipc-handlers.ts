import {
  type HostFileRef,
  IPC,
  IpcValidationError,
  type RecentFile,
  type SaveKind,
  validateReadRequest,
  validateRecentPath,
  validateSaveRequest,
} from "../shared/ipc-contract.ts";
import type { FileRegistry } from "./file-registry.ts";

/** What the handlers need from Electron and the file system (injected: tests use fakes). */
export interface HandlerDeps {
  showOpenDialog(): Promise<string[]>;
  showSaveDialog(suggestedName: string, kind: SaveKind): Promise<string | null>;
  /** Size in bytes, or null when the path is not a readable regular file. */
  fileSize(path: string): Promise<number | null>;
  readRange(path: string, offset: number, length: number): Promise<Uint8Array>;
  writeFile(path: string, data: Uint8Array): Promise<void>;
  basename(path: string): string;
  registry: FileRegistry;
  recentList(): RecentFile[];
  addRecent(path: string, name: string): void;
}

export interface Handlers {
  openDialog(): Promise<HostFileRef[]>;
  openPaths(paths: readonly string[]): Promise<HostFileRef[]>;
  openRecent(raw: unknown): Promise<HostFileRef | null>;
  recentList(): RecentFile[];
  readFile(raw: unknown): Promise<Uint8Array>;
  saveFile(raw: unknown): Promise<boolean>;
}

/** IPC handlers as plain functions: every argument from the renderer is validated first. */
export function createHandlers(d: HandlerDeps): Handlers {
  const refOf = async (path: string): Promise<HostFileRef | null> => {
    const size = await d.fileSize(path);
    if (size === null) return null;
    const name = d.basename(path);
    d.addRecent(path, name);
    return { token: d.registry.add(path), name, path, size };
  };
  const openPaths = async (paths: readonly string[]): Promise<HostFileRef[]> => {
    const refs: HostFileRef[] = [];
    for (const p of paths) {
      const r = await refOf(p);
      if (r) refs.push(r);
    }
    return refs;
  };
  return {
    async openDialog() {
      return openPaths(await d.showOpenDialog());
    },
    openPaths,
    async openRecent(raw) {
      const path = validateRecentPath(
        raw,
        d.recentList().map((r) => r.path),
      );
      return refOf(path);
    },
    recentList() {
      return d.recentList();
    },
    async readFile(raw) {
      const req = validateReadRequest(raw);
      const path = d.registry.path(req.token);
      if (path === null)
        throw new IpcValidationError(IPC.readFile, "unknown token (not a file the user opened)");
      return d.readRange(path, req.offset, req.length);
    },
    async saveFile(raw) {
      const req = validateSaveRequest(raw);
      const target = await d.showSaveDialog(req.suggestedName, req.kind);
      if (!target) return false;
      await d.writeFile(target, req.data);
      return true;
    },
  };
}
