import { type DragEvent, useCallback, useEffect, useRef, useState } from "react";
import type { MenuCommand } from "../shared/ipc-contract.ts";
import type { TraceSource } from "./host/host-api.ts";
import { useApp } from "./state/app-store.ts";
import { type Services, ServicesContext } from "./state/services.ts";
import { timelineCanvas } from "./state/timeline-canvas.ts";
import {
  exportAnalysisJson,
  exportTimelinePng,
  openSources,
  openSynthetic,
} from "./state/trace-actions.ts";
import { DetailsView } from "./views/details-view.tsx";
import { DevicesView } from "./views/devices-view.tsx";
import { FindingsView } from "./views/findings-view.tsx";
import { ImportProgress } from "./views/import-progress.tsx";
import { ImportSummaryView } from "./views/import-summary-view.tsx";
import { ResourcesView } from "./views/resources-view.tsx";
import { ShortcutsDialog } from "./views/shortcuts-dialog.tsx";
import { SimulateDialog } from "./views/simulate-dialog.tsx";
import { Splitter } from "./views/splitter.tsx";
import { StatusBar } from "./views/status-bar.tsx";
import { TimelineView } from "./views/timeline-view.tsx";
import { Toolbar } from "./views/toolbar.tsx";
import { WelcomeView } from "./views/welcome-view.tsx";
import { CompareDialog } from "./compare/compare-dialog.tsx";
import { useCompare } from "./compare/compare-store.ts";
import { CompareView } from "./compare/compare-view.tsx";
import { must } from "../shared/must.ts";

declare global {
  interface Window {
    /** Benchmark hook: loads a synthetic analysis of devices x cycles x perProbe resources. */
    __devscopeLoadSynthetic?: (
      devices: number,
      cycles: number,
      perProbe: number,
    ) => Promise<boolean>;
  }
}

/** Views reachable with the digit keys, in order. */
const VIEW_KEYS = ["devices", "findings", "timeline", "resources", "details"] as const;

function isTyping(t: EventTarget | null): boolean {
  if (!(t instanceof HTMLElement)) return false;
  return (
    t.isContentEditable ||
    t.tagName === "INPUT" ||
    t.tagName === "TEXTAREA" ||
    t.tagName === "SELECT"
  );
}

export function App({ services }: { services: Services }) {
  const trace = useApp((s) => s.trace);
  const layout = useApp((s) => s.layout);
  const fileInput = useRef<HTMLInputElement>(null);
  const sidebarRef = useRef<HTMLElement>(null);
  const [sidebarPx, setSidebarPx] = useState(600);
  const [dragging, setDragging] = useState(false);
  const dragDepth = useRef(0);

  const open = useCallback(() => {
    const { host } = services;
    if (host.pickFiles) void host.pickFiles().then((s) => openSources(services, s));
    else fileInput.current?.click();
  }, [services]);

  // Native menu (desktop) commands.
  useEffect(
    () =>
      services.host.onMenu((cmd: MenuCommand) => {
        const s = useApp.getState();
        switch (cmd.command) {
          case "open":
            open();
            break;
          case "open-files":
            void openSources(
              services,
              cmd.files.map((ref): TraceSource => ({ kind: "host", ref })),
            );
            break;
          case "export-json":
            void exportAnalysisJson(services);
            break;
          case "export-png":
            void exportTimelinePng(services, timelineCanvas.current);
            break;
          case "toggle-theme":
            s.toggleTheme();
            break;
          case "shortcuts":
            s.setShortcutsOpen(true);
            break;
          case "simulate":
            s.setSimulateOpen(true);
            break;
          case "compare":
            useCompare.getState().setDialogOpen(true);
            break;
        }
      }),
    [services, open],
  );

  // Global keys (views handle their own keys first and stop them).
  useEffect(() => {
    const onKey = (e: KeyboardEvent): void => {
      const s = useApp.getState();
      if ((e.ctrlKey || e.metaKey) && e.key.toLowerCase() === "o") {
        e.preventDefault();
        open();
        return;
      }
      if (e.key === "Escape") {
        const c = useCompare.getState();
        if (c.dialogOpen) {
          if (c.status !== "running") c.setDialogOpen(false);
          return;
        }
        if (c.viewOpen) {
          if (c.selected !== null) c.select(null, false);
          else c.closeView();
          return;
        }
        if (s.shortcutsOpen) s.setShortcutsOpen(false);
        else if (s.simulateOpen) s.setSimulateOpen(false);
        else s.clearSelection();
        return;
      }
      if (isTyping(e.target) || e.ctrlKey || e.metaKey || e.altKey) return;
      if (e.key === "?") {
        s.setShortcutsOpen(!s.shortcutsOpen);
        e.preventDefault();
      } else if (e.key === "T") {
        s.toggleTheme();
      } else if (/^[1-5]$/.test(e.key)) {
        const view = must(VIEW_KEYS[Number(e.key) - 1]);
        if (view === "details") s.setLayout({ sideTab: "details" });
        document.querySelector<HTMLElement>(`[data-view="${view}"]`)?.focus();
        e.preventDefault();
      }
    };
    window.addEventListener("keydown", onKey);
    return () => window.removeEventListener("keydown", onKey);
  }, [open]);

  // After an import the summary shows; choosing something shows its details.
  useEffect(
    () =>
      useApp.subscribe((s, prev) => {
        if (
          s.selection !== prev.selection &&
          (s.selection.resources.length || s.selection.finding !== null || s.selection.device) &&
          s.layout.sideTab !== "details"
        ) {
          s.setLayout({ sideTab: "details" });
        }
      }),
    [],
  );

  useEffect(() => {
    window.__devscopeLoadSynthetic = (d, c, p) => openSynthetic(services, d, c, p);
    return () => {
      delete window.__devscopeLoadSynthetic;
    };
  }, [services]);

  const onFiles = (list: FileList | null): void => {
    const files = list ? [...list] : [];
    if (files.length)
      void openSources(
        services,
        files.map((file): TraceSource => ({ kind: "file", file })),
      );
  };
  const onDragEnter = (e: DragEvent): void => {
    if (![...e.dataTransfer.types].includes("Files")) return;
    e.preventDefault();
    dragDepth.current++;
    setDragging(true);
  };
  const onDragLeave = (): void => {
    dragDepth.current = Math.max(0, dragDepth.current - 1);
    if (dragDepth.current === 0) setDragging(false);
  };
  const onDrop = (e: DragEvent): void => {
    e.preventDefault();
    dragDepth.current = 0;
    setDragging(false);
    onFiles(e.dataTransfer.files);
  };

  const setLayout = useApp.getState().setLayout;
  return (
    <ServicesContext.Provider value={services}>
      <div
        className="app"
        data-theme={layout.theme}
        onDragEnter={onDragEnter}
        onDragOver={(e) => e.preventDefault()}
        onDragLeave={onDragLeave}
        onDrop={onDrop}
      >
        <input
          ref={fileInput}
          type="file"
          multiple
          className="visually-hidden"
          data-testid="open-file-input"
          aria-label="Open trace files"
          tabIndex={-1}
          onChange={(e) => {
            onFiles(e.currentTarget.files);
            e.currentTarget.value = "";
          }}
        />
        <Toolbar onOpen={open} />
        <div className="main">
          <aside
            className="sidebar"
            style={{ width: layout.sidebarPx }}
            ref={sidebarRef}
            onPointerDownCapture={() => setSidebarPx(sidebarRef.current?.clientHeight ?? 600)}
            onFocusCapture={() => setSidebarPx(sidebarRef.current?.clientHeight ?? 600)}
          >
            <div
              style={{
                display: "flex",
                flexDirection: "column",
                flex: layout.devicesFrac,
                minHeight: 80,
              }}
            >
              <DevicesView />
            </div>
            <Splitter
              direction="h"
              size={Math.round(layout.devicesFrac * sidebarPx)}
              min={Math.round(sidebarPx * 0.15)}
              max={Math.round(sidebarPx * 0.85)}
              onResize={(px) => setLayout({ devicesFrac: px / Math.max(1, sidebarPx) })}
              label="Resize devices and findings"
            />
            <div
              style={{
                display: "flex",
                flexDirection: "column",
                flex: 1 - layout.devicesFrac,
                minHeight: 80,
              }}
            >
              <FindingsView />
            </div>
          </aside>
          <Splitter
            direction="v"
            size={layout.sidebarPx}
            min={200}
            max={900}
            onResize={(px) => setLayout({ sidebarPx: px })}
            label="Resize the device and findings column"
          />
          <section className="center">
            {trace ? <TimelineView /> : <WelcomeView onOpen={open} />}
            <Splitter
              direction="h"
              size={layout.bottomPx}
              min={120}
              max={1200}
              invert
              onResize={(px) => setLayout({ bottomPx: px })}
              label="Resize the bottom panel"
            />
            <div className="bottom" style={{ height: layout.bottomPx }}>
              <ResourcesView />
              <Splitter
                direction="v"
                size={layout.detailsPx}
                min={240}
                max={1200}
                invert
                onResize={(px) => setLayout({ detailsPx: px })}
                label="Resize the details panel"
              />
              <section
                className="panel"
                style={{ width: layout.detailsPx, flex: "none" }}
                aria-label="Details and import summary"
              >
                <div className="panel-header">
                  <div className="tabs" role="tablist">
                    <button
                      className="tab"
                      role="tab"
                      aria-selected={layout.sideTab === "details"}
                      onClick={() => setLayout({ sideTab: "details" })}
                      data-testid="tab-details"
                    >
                      Details
                    </button>
                    <button
                      className="tab"
                      role="tab"
                      aria-selected={layout.sideTab === "import"}
                      onClick={() => setLayout({ sideTab: "import" })}
                      data-testid="tab-import"
                    >
                      Import summary
                    </button>
                  </div>
                </div>
                <div className="panel-body" tabIndex={0} data-view="details" role="tabpanel">
                  {layout.sideTab === "details" ? <DetailsView /> : <ImportSummaryView />}
                </div>
              </section>
            </div>
          </section>
        </div>
        <StatusBar />
        <ImportProgress />
        <ShortcutsDialog />
        <SimulateDialog />
        <CompareView />
        <CompareDialog />
        {dragging && <div className="drop-overlay">Drop trace files to open them</div>}
      </div>
    </ServicesContext.Provider>
  );
}
