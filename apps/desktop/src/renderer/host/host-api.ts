import type { HostFileRef, MenuCommand, RecentFile, SaveKind } from "../../shared/ipc-contract.ts";

/**
 * A trace input as the renderer sees it: a browser File (file input, drag and drop, a
 * fetched sample) or a file opened through the desktop host, whose bytes are read by offset.
 */
export type TraceSource = { kind: "file"; file: File } | { kind: "host"; ref: HostFileRef };

export function sourceName(s: TraceSource): string {
  return s.kind === "file" ? s.file.name : s.ref.name;
}

export function sourceSize(s: TraceSource): number {
  return s.kind === "file" ? s.file.size : s.ref.size;
}

/**
 * The one seam between the web app and its platform (element-web's BasePlatform pattern):
 * the browser implementation uses file inputs, drag-and-drop and downloads; the Electron one
 * native dialogs, a native menu and main-process file reads. Views never touch either
 * directly.
 */
export interface HostApi {
  readonly kind: "web" | "electron";
  /**
   * Native open dialog. Absent in the browser, where the app clicks its own file input
   * (`data-testid="open-file-input"`) instead.
   */
  pickFiles?(): Promise<TraceSource[]>;
  /** Saves bytes under a suggested file name (download or native save dialog). */
  saveFile(suggestedName: string, kind: SaveKind, data: Blob): Promise<boolean>;
  /** Recently opened files (desktop only; empty in the browser). */
  recentFiles(): Promise<RecentFile[]>;
  openRecent?(path: string): Promise<TraceSource | null>;
  /** Reads bytes of a host file (desktop only). */
  readHostFile?(ref: HostFileRef, offset: number, length: number): Promise<Uint8Array>;
  /** Subscribes to native menu commands; returns the unsubscribe function. */
  onMenu(handler: (cmd: MenuCommand) => void): () => void;
  setTitle(title: string): void;
}
