import { useEffect, useRef, useState } from "react";
import type { RecentFile } from "../../shared/ipc-contract.ts";
import { BUNDLED_SAMPLES } from "../samples/sample-list.ts";
import { useCompare } from "../compare/compare-store.ts";
import { useApp } from "../state/app-store.ts";
import { useServices } from "../state/services.ts";
import { timelineCanvas } from "../state/timeline-canvas.ts";
import {
  exportAnalysisJson,
  exportTimelinePng,
  openSample,
  openSources,
} from "../state/trace-actions.ts";

function Menu({
  label,
  testId,
  children,
}: {
  label: string;
  testId: string;
  children: (close: () => void) => React.ReactNode;
}) {
  const [open, setOpen] = useState(false);
  const ref = useRef<HTMLDivElement>(null);
  useEffect(() => {
    if (!open) return;
    const onDoc = (e: MouseEvent): void => {
      if (!ref.current?.contains(e.target as Node)) setOpen(false);
    };
    document.addEventListener("mousedown", onDoc);
    return () => document.removeEventListener("mousedown", onDoc);
  }, [open]);
  return (
    <div className="menu" ref={ref} onKeyDown={(e) => e.key === "Escape" && setOpen(false)}>
      <button
        className="btn"
        aria-haspopup="menu"
        aria-expanded={open}
        onClick={() => setOpen((v) => !v)}
        data-testid={testId}
      >
        {label} ▾
      </button>
      {open && (
        <div className="menu-list" role="menu">
          {children(() => setOpen(false))}
        </div>
      )}
    </div>
  );
}

/** Top bar: open, samples, simulate, export, theme, help. */
export function Toolbar({ onOpen }: { onOpen(): void }) {
  const services = useServices();
  const trace = useApp((s) => s.trace);
  const theme = useApp((s) => s.layout.theme);
  const busy = useApp((s) => s.importStatus === "running");
  const [recent, setRecent] = useState<RecentFile[]>([]);
  return (
    <header className="toolbar">
      <span className="brand">
        dev<span>scope</span>
      </span>
      <button
        className="btn primary"
        onClick={onOpen}
        disabled={busy}
        title="Open trace files (Ctrl+O)"
        data-testid="open-button"
      >
        Open…
      </button>
      {services.host.kind === "electron" && (
        <div onMouseEnter={() => void services.host.recentFiles().then(setRecent)}>
          <Menu label="Recent" testId="recent-menu">
            {(close) =>
              recent.length === 0 ? (
                <button disabled>No recent files</button>
              ) : (
                recent.map((r) => (
                  <button
                    key={r.path}
                    role="menuitem"
                    title={r.path}
                    onClick={() => {
                      close();
                      void services.host
                        .openRecent?.(r.path)
                        .then((s) => s && openSources(services, [s]));
                    }}
                  >
                    {r.name}
                  </button>
                ))
              )
            }
          </Menu>
        </div>
      )}
      <Menu label="Samples" testId="samples-menu">
        {(close) =>
          BUNDLED_SAMPLES.map((s) => (
            <button
              key={s.file}
              role="menuitem"
              disabled={busy}
              onClick={() => {
                close();
                void openSample(services, s.file);
              }}
            >
              {s.title}
            </button>
          ))
        }
      </Menu>
      <button
        className="btn"
        onClick={() => useApp.getState().setSimulateOpen(true)}
        disabled={busy}
        data-testid="simulate-button"
      >
        Simulate…
      </button>
      <button
        className="btn"
        onClick={() => useCompare.getState().setDialogOpen(true)}
        disabled={busy}
        title="Compare two traces, or a trace and a simulation, by resource identity"
        data-testid="compare-button"
      >
        Compare…
      </button>
      <Menu label="Export" testId="export-menu">
        {(close) => (
          <>
            <button
              role="menuitem"
              disabled={!trace}
              data-testid="export-json"
              onClick={() => {
                close();
                void exportAnalysisJson(services);
              }}
            >
              Analysis as JSON
            </button>
            <button
              role="menuitem"
              disabled={!trace}
              data-testid="export-png"
              onClick={() => {
                close();
                void exportTimelinePng(services, timelineCanvas.current);
              }}
            >
              Timeline as PNG
            </button>
          </>
        )}
      </Menu>
      <span className="title" title={trace?.title}>
        {trace ? trace.title : ""}
      </span>
      <button
        className="btn ghost"
        onClick={() => useApp.getState().toggleTheme()}
        title="Toggle light/dark theme (Shift+T)"
        data-testid="theme-toggle"
        aria-label="Toggle theme"
      >
        {theme === "dark" ? "☀ Light" : "☾ Dark"}
      </button>
      <button
        className="btn ghost"
        onClick={() => useApp.getState().setShortcutsOpen(true)}
        title="Keyboard shortcuts (?)"
        aria-label="Keyboard shortcuts"
      >
        ?
      </button>
    </header>
  );
}
