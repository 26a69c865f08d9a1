import { randomBytes } from "node:crypto";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { open, readFile, stat, writeFile } from "node:fs/promises";
import { basename, join, resolve, sep } from "node:path";
import {
  app,
  BrowserWindow,
  dialog,
  ipcMain,
  Menu,
  protocol,
  session,
  shell,
  type IpcMainInvokeEvent,
} from "electron";
import { IPC, type MenuCommand, type RecentFile, validateTitle } from "../shared/ipc-contract.ts";
import { FileRegistry } from "./file-registry.ts";
import { createHandlers } from "./ipc-handlers.ts";
import { menuTemplate } from "./menu-template.ts";
import { addRecent, parseRecent } from "./recent-files.ts";
import {
  APP_ENTRY,
  APP_SCHEME,
  appRequestPath,
  isAppUrl,
  isExternalWebUrl,
  responseHeaders,
  windowOptions,
} from "./security.ts";

// Electron main: window, menu, dialogs and IPC wiring only. Everything with logic is in the
// pure modules next to this file (security.ts, ipc-handlers.ts, menu-template.ts...).

const rendererRoot = resolve(import.meta.dirname, "../renderer");
const preloadPath = resolve(import.meta.dirname, "../preload/index.cjs");

protocol.registerSchemesAsPrivileged([
  {
    scheme: APP_SCHEME,
    privileges: { standard: true, secure: true, supportFetchAPI: true, stream: true },
  },
]);

const recentFile = (): string => join(app.getPath("userData"), "recent.json");
let recent: RecentFile[] = [];
const saveRecent = (): void => {
  try {
    mkdirSync(app.getPath("userData"), { recursive: true });
    writeFileSync(recentFile(), JSON.stringify(recent));
  } catch (e) {
    console.error(`devscope: could not save the recent-files list: ${String(e)}`);
  }
};

const registry = new FileRegistry(() => randomBytes(16).toString("hex"));
let mainWindow: BrowserWindow | null = null;

const handlers = createHandlers({
  async showOpenDialog() {
    const opts: Electron.OpenDialogOptions = {
      title: "Open kernel traces",
      properties: ["openFile", "multiSelections"],
      filters: [
        { name: "Traces", extensions: ["txt", "gz", "log", "jsonl", "trace", "dat"] },
        { name: "All files", extensions: ["*"] },
      ],
    };
    const r = mainWindow
      ? await dialog.showOpenDialog(mainWindow, opts)
      : await dialog.showOpenDialog(opts);
    return r.canceled ? [] : r.filePaths;
  },
  async showSaveDialog(suggestedName, kind) {
    const opts: Electron.SaveDialogOptions = {
      defaultPath: join(app.getPath("documents"), suggestedName),
      filters:
        kind === "json"
          ? [{ name: "JSON", extensions: ["json"] }]
          : [{ name: "PNG image", extensions: ["png"] }],
    };
    const r = mainWindow
      ? await dialog.showSaveDialog(mainWindow, opts)
      : await dialog.showSaveDialog(opts);
    return r.canceled || !r.filePath ? null : r.filePath;
  },
  async fileSize(path) {
    try {
      const s = await stat(path);
      return s.isFile() ? s.size : null;
    } catch {
      return null;
    }
  },
  async readRange(path, offset, length) {
    const fh = await open(path, "r");
    try {
      const buf = new Uint8Array(length);
      const { bytesRead } = await fh.read(buf, 0, length, offset);
      return buf.subarray(0, bytesRead);
    } finally {
      await fh.close();
    }
  },
  writeFile: (path, data) => writeFile(path, data),
  basename: (p) => basename(p),
  registry,
  recentList: () => recent,
  addRecent(path, name) {
    recent = addRecent(recent, path, name, Date.now());
    saveRecent();
    buildMenu();
  },
});

const send = (cmd: MenuCommand): void => mainWindow?.webContents.send(IPC.menu, cmd);

function buildMenu(): void {
  Menu.setApplicationMenu(
    Menu.buildFromTemplate(
      menuTemplate(
        {
          send,
          open: () =>
            void handlers
              .openDialog()
              .then((files) => files.length && send({ command: "open-files", files })),
          openRecent: (path) =>
            void handlers
              .openRecent(path)
              .then((f) => f && send({ command: "open-files", files: [f] })),
          clearRecent: () => {
            recent = [];
            saveRecent();
            buildMenu();
          },
          quit: () => app.quit(),
        },
        recent,
        process.platform === "darwin",
      ),
    ),
  );
}

/** Only the app's own frame may call IPC. */
function trusted(e: IpcMainInvokeEvent): boolean {
  const url = e.senderFrame?.url ?? "";
  return isAppUrl(url);
}

function handle<T>(channel: string, fn: (arg: unknown) => Promise<T> | T): void {
  ipcMain.handle(channel, async (e, arg: unknown) => {
    if (!trusted(e)) throw new Error(`${channel}: refused: the caller is not the devscope app`);
    return fn(arg);
  });
}

function createWindow(): void {
  const win = new BrowserWindow(windowOptions(preloadPath));
  mainWindow = win;
  win.once("ready-to-show", () => win.show());
  win.on("closed", () => {
    if (mainWindow === win) mainWindow = null;
  });
  // No navigation away from the app, no new windows; web links go to the system browser.
  win.webContents.on("will-navigate", (e, url) => {
    if (!isAppUrl(url)) e.preventDefault();
  });
  win.webContents.setWindowOpenHandler(({ url }) => {
    if (isExternalWebUrl(url)) void shell.openExternal(url);
    return { action: "deny" };
  });
  win.webContents.on("will-attach-webview", (e) => e.preventDefault());
  void win.loadURL(APP_ENTRY);
}

app.whenReady().then(() => {
  try {
    recent = parseRecent(readFileSync(recentFile(), "utf8"));
  } catch {
    recent = [];
  }
  const ses = session.defaultSession;
  ses.setPermissionRequestHandler((_wc, _permission, callback) => callback(false));
  ses.setPermissionCheckHandler(() => false);
  // Nothing but the app's own scheme is ever fetched.
  ses.webRequest.onBeforeRequest((details, callback) =>
    callback({ cancel: !isAppUrl(details.url) && !details.url.startsWith("devtools:") }),
  );
  protocol.handle(APP_SCHEME, async (request) => {
    const rel = appRequestPath(request.url);
    const file = rel === null ? null : resolve(rendererRoot, rel);
    if (!file || !(file === rendererRoot || file.startsWith(rendererRoot + sep)))
      return new Response("not found", { status: 404 });
    try {
      return new Response(await readFile(file), { headers: responseHeaders(file) });
    } catch {
      return new Response("not found", { status: 404 });
    }
  });

  handle(IPC.openDialog, () => handlers.openDialog());
  handle(IPC.openRecent, (arg) => handlers.openRecent(arg));
  handle(IPC.recentList, () => handlers.recentList());
  handle(IPC.readFile, (arg) => handlers.readFile(arg));
  handle(IPC.saveFile, (arg) => handlers.saveFile(arg));
  ipcMain.on(IPC.setTitle, (e, title: unknown) => {
    if (!isAppUrl(e.senderFrame?.url ?? "")) return;
    BrowserWindow.fromWebContents(e.sender)?.setTitle(validateTitle(title));
  });

  buildMenu();
  createWindow();
  app.on("activate", () => {
    if (BrowserWindow.getAllWindows().length === 0) createWindow();
  });
});

app.on("web-contents-created", (_e, contents) => {
  contents.on("will-navigate", (e, url) => {
    if (!isAppUrl(url)) e.preventDefault();
  });
});

app.on("window-all-closed", () => {
  if (process.platform !== "darwin") app.quit();
});
