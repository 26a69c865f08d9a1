import { formatBytes } from "../model/format.ts";
import { useApp } from "../state/app-store.ts";
import { useServices } from "../state/services.ts";
import { cancelImport } from "../state/trace-actions.ts";

const PHASE: Record<string, string> = {
  reading: "Reading and parsing",
  analyzing: "Rebuilding lifecycles and running rules",
  building: "Building the timeline",
  simulating: "Running the simulation",
};

/** Modal progress of the running import, with Cancel. */
export function ImportProgress() {
  const services = useServices();
  const status = useApp((s) => s.importStatus);
  const label = useApp((s) => s.importLabel);
  const p = useApp((s) => s.progress);
  if (status !== "running") return null;
  const frac = p && p.totalBytes > 0 ? p.bytesRead / p.totalBytes : 0;
  const determinate = p?.phase === "reading" && p.totalBytes > 0;
  return (
    <div className="modal-backdrop">
      <div
        className="modal"
        role="dialog"
        aria-modal="true"
        aria-label="Importing"
        data-testid="import-progress"
      >
        <h2>Importing {label}</h2>
        <div
          className={`progress${determinate ? "" : " indeterminate"}`}
          role="progressbar"
          aria-valuemin={0}
          aria-valuemax={100}
          aria-valuenow={determinate ? Math.round(frac * 100) : undefined}
          data-testid="import-progressbar"
        >
          <div style={{ width: `${(frac * 100).toFixed(1)}%` }} />
        </div>
        <div className="dim">
          {p ? PHASE[p.phase] : "Starting"}
          {p && p.phase === "reading" && (
            <>
              {" "}
              — {p.fileCount > 1 ? `file ${p.fileIndex + 1} of ${p.fileCount}, ` : ""}
              {formatBytes(p.bytesRead)} of {formatBytes(p.totalBytes)}
            </>
          )}
        </div>
        <div className="actions">
          <button
            className="btn"
            onClick={() => cancelImport(services)}
            data-testid="cancel-import"
            autoFocus
          >
            Cancel
          </button>
        </div>
      </div>
    </div>
  );
}
