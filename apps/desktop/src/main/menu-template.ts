import type { MenuItemConstructorOptions } from "electron";
import type { MenuCommand, RecentFile } from "../shared/ipc-contract.ts";

export interface MenuActions {
  /** Sends a command to the renderer. */
  send(cmd: MenuCommand): void;
  /** Main-side native Open… dialog (opens the chosen files in the renderer). */
  open(): void;
  openRecent(path: string): void;
  clearRecent(): void;
  quit(): void;
}

/** The native menu: File (Open…, Open Recent, Compare…, Export…, Quit), View, Help. */
export function menuTemplate(
  actions: MenuActions,
  recent: readonly RecentFile[],
  isMac: boolean,
): MenuItemConstructorOptions[] {
  const recentItems: MenuItemConstructorOptions[] =
    recent.length === 0
      ? [{ label: "No Recent Files", enabled: false }]
      : [
          ...recent.map((r): MenuItemConstructorOptions => ({
            label: r.name,
            sublabel: r.path,
            click: () => actions.openRecent(r.path),
          })),
          { type: "separator" },
          { label: "Clear Recent", click: () => actions.clearRecent() },
        ];
  const file: MenuItemConstructorOptions = {
    label: "&File",
    submenu: [
      { label: "Open…", accelerator: "CmdOrCtrl+O", click: () => actions.open() },
      { label: "Open Recent", submenu: recentItems },
      { type: "separator" },
      {
        label: "Compare…",
        accelerator: "CmdOrCtrl+Shift+C",
        click: () => actions.send({ command: "compare" }),
      },
      {
        label: "Run Simulation…",
        accelerator: "CmdOrCtrl+Shift+R",
        click: () => actions.send({ command: "simulate" }),
      },
      { type: "separator" },
      {
        label: "Export",
        submenu: [
          {
            label: "Analysis as JSON…",
            accelerator: "CmdOrCtrl+E",
            click: () => actions.send({ command: "export-json" }),
          },
          {
            label: "Timeline as PNG…",
            accelerator: "CmdOrCtrl+Shift+E",
            click: () => actions.send({ command: "export-png" }),
          },
        ],
      },
      { type: "separator" },
      {
        label: isMac ? "Quit devscope" : "Quit",
        accelerator: "CmdOrCtrl+Q",
        click: () => actions.quit(),
      },
    ],
  };
  const view: MenuItemConstructorOptions = {
    label: "&View",
    submenu: [
      { label: "Toggle Light/Dark Theme", click: () => actions.send({ command: "toggle-theme" }) },
      { type: "separator" },
      { role: "resetZoom" },
      { role: "zoomIn" },
      { role: "zoomOut" },
      { type: "separator" },
      { role: "togglefullscreen" },
    ],
  };
  const help: MenuItemConstructorOptions = {
    label: "&Help",
    submenu: [
      {
        label: "Keyboard Shortcuts",
        accelerator: "?",
        registerAccelerator: false,
        click: () => actions.send({ command: "shortcuts" }),
      },
    ],
  };
  const edit: MenuItemConstructorOptions = { role: "editMenu" };
  return isMac ? [{ role: "appMenu" }, file, edit, view, help] : [file, edit, view, help];
}
