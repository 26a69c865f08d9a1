/**
 * The Electron IPC contract between main, preload and the renderer's Electron host: channel
 * names, payload types and the validators main applies to every argument that crosses from
 * the renderer (which is treated as untrusted, like a web page). Pure: no electron import, so
 * main, preload and tests all share it.
 */

export const IPC = {
  /** renderer -> main (invoke): native open dialog; returns HostFileRef[]. */
  openDialog: "devscope:open-dialog",
  /** renderer -> main (invoke): reopen a recent file by path; returns HostFileRef | null. */
  openRecent: "devscope:open-recent",
  /** renderer -> main (invoke): the recent-files list; returns RecentFile[]. */
  recentList: "devscope:recent-list",
  /** renderer -> main (invoke): read bytes of an opened file; returns Uint8Array. */
  readFile: "devscope:read-file",
  /** renderer -> main (invoke): native save dialog + write; returns boolean (saved). */
  saveFile: "devscope:save-file",
  /** renderer -> main (send): window title. */
  setTitle: "devscope:set-title",
  /** main -> renderer: a menu command. */
  menu: "devscope:menu",
} as const;

/** A file the user picked in a native dialog (or reopened from the recent list). */
export interface HostFileRef {
  /** Unguessable handle main maps to the path; the only way the renderer can read bytes. */
  token: string;
  name: string;
  path: string;
  /** Bytes. */
  size: number;
}

export interface RecentFile {
  path: string;
  name: string;
  /** When it was last opened, ms since the epoch. */
  openedAtMs: number;
}

export type MenuCommand =
  | { command: "open" }
  | { command: "open-files"; files: HostFileRef[] }
  | { command: "compare" }
  | { command: "export-json" }
  | { command: "export-png" }
  | { command: "toggle-theme" }
  | { command: "shortcuts" }
  | { command: "simulate" };

export type SaveKind = "json" | "png";

export interface SaveRequest {
  suggestedName: string;
  kind: SaveKind;
  data: Uint8Array;
}

export interface ReadRequest {
  token: string;
  /** Byte offset. */
  offset: number;
  /** Bytes to read (at most MAX_READ_BYTES). */
  length: number;
}

/** Largest single read the renderer may ask for (bytes): bounds main's memory per call. */
export const MAX_READ_BYTES = 16 * 1024 * 1024;
/** Largest export the renderer may ask main to write (bytes). */
export const MAX_SAVE_BYTES = 512 * 1024 * 1024;

export class IpcValidationError extends Error {
  constructor(channel: string, what: string) {
    super(`${channel}: invalid argument: ${what}`);
    this.name = "IpcValidationError";
  }
}

const TOKEN_RE = /^[0-9a-f]{32}$/;

export function validateReadRequest(v: unknown): ReadRequest {
  if (typeof v !== "object" || v === null)
    throw new IpcValidationError(IPC.readFile, "expected an object {token, offset, length}");
  const o = v as Record<string, unknown>;
  if (typeof o["token"] !== "string" || !TOKEN_RE.test(o["token"]))
    throw new IpcValidationError(IPC.readFile, "token must be 32 hex characters");
  const offset = o["offset"];
  const length = o["length"];
  if (typeof offset !== "number" || !Number.isSafeInteger(offset) || offset < 0)
    throw new IpcValidationError(IPC.readFile, "offset must be a non-negative integer");
  if (
    typeof length !== "number" ||
    !Number.isSafeInteger(length) ||
    length < 0 ||
    length > MAX_READ_BYTES
  ) {
    throw new IpcValidationError(
      IPC.readFile,
      `length must be an integer in [0, ${MAX_READ_BYTES}]`,
    );
  }
  return { token: o["token"], offset, length };
}

/** A plain file name: no path separators, no characters Windows forbids, no controls (C0). */
function isSafeName(name: string): boolean {
  if (name.length === 0 || name.length > 200 || name === "." || name === "..") return false;
  for (let i = 0; i < name.length; i++) {
    const c = name.charCodeAt(i);
    if (c < 0x20 || '/\\:*?"<>|'.includes(name[i] ?? "")) return false;
  }
  return true;
}

export function validateSaveRequest(v: unknown): SaveRequest {
  if (typeof v !== "object" || v === null)
    throw new IpcValidationError(IPC.saveFile, "expected an object {suggestedName, kind, data}");
  const o = v as Record<string, unknown>;
  const name = o["suggestedName"];
  if (typeof name !== "string" || !isSafeName(name)) {
    throw new IpcValidationError(
      IPC.saveFile,
      "suggestedName must be a plain file name (no path separators)",
    );
  }
  const kind = o["kind"];
  if (kind !== "json" && kind !== "png")
    throw new IpcValidationError(IPC.saveFile, 'kind must be "json" or "png"');
  const data = o["data"];
  if (!(data instanceof Uint8Array))
    throw new IpcValidationError(IPC.saveFile, "data must be a Uint8Array");
  if (data.byteLength > MAX_SAVE_BYTES)
    throw new IpcValidationError(IPC.saveFile, `data larger than ${MAX_SAVE_BYTES} bytes`);
  return { suggestedName: name, kind, data };
}

export function validateRecentPath(v: unknown, known: readonly string[]): string {
  if (typeof v !== "string") throw new IpcValidationError(IPC.openRecent, "path must be a string");
  // Only paths main itself put on the recent list may be reopened: the renderer cannot make
  // main read an arbitrary file.
  if (!known.includes(v)) throw new IpcValidationError(IPC.openRecent, "not a recent file");
  return v;
}

export function validateTitle(v: unknown): string {
  if (typeof v !== "string") throw new IpcValidationError(IPC.setTitle, "title must be a string");
  let out = "";
  for (const ch of v.slice(0, 200)) out += ch.charCodeAt(0) < 0x20 ? " " : ch;
  return out;
}
