import { useEffect } from "react";
import { formatCount } from "../model/format.ts";
import { useApp } from "../state/app-store.ts";

/** Bottom line: trace totals, import errors and transient messages. */
export function StatusBar() {
  const trace = useApp((s) => s.trace);
  const error = useApp((s) => s.importError);
  const toast = useApp((s) => s.toast);
  useEffect(() => {
    if (!toast) return;
    const t = setTimeout(() => useApp.getState().setToast(null), 6000);
    return () => clearTimeout(t);
  }, [toast]);
  const a = trace?.analysis;
  const lines = a?.lines;
  return (
    <footer className="statusbar" role="status" aria-live="polite">
      {a && lines ? (
        <>
          <span>{a.devices.length} devices</span>
          <span>{formatCount(a.resources.length)} resources</span>
          <span>{a.findings.length} findings</span>
          <span>
            {formatCount(lines.total)} lines · {formatCount(lines.parsed)} parsed ·{" "}
            {formatCount(Object.values(lines.ignored).reduce((x, y) => x + y, 0))} ignored ·{" "}
            <span style={lines.rejected ? { color: "var(--error)" } : undefined}>
              {formatCount(lines.rejected)} rejected
            </span>
          </span>
        </>
      ) : (
        <span>No trace open</span>
      )}
      <span style={{ flex: 1 }} />
      {error && (
        <span className="error" data-testid="import-failure" title={error}>
          {error}
        </span>
      )}
      {toast && (
        <span className="toast" data-testid="toast">
          {toast}
        </span>
      )}
    </footer>
  );
}
