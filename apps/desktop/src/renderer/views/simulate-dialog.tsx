import { useEffect, useState } from "react";
import { useApp } from "../state/app-store.ts";
import { useServices } from "../state/services.ts";
import { runSimulation } from "../state/trace-actions.ts";
import type { ScenarioInfo } from "../worker/engine-types.ts";

/** Pick a simulator scenario and seed; the trace opens when the run ends. */
export function SimulateDialog() {
  const services = useServices();
  const open = useApp((s) => s.simulateOpen);
  const [scenarios, setScenarios] = useState<ScenarioInfo[] | null>(null);
  const [id, setId] = useState("");
  const [seed, setSeed] = useState("1");
  useEffect(() => {
    if (!open) return;
    let live = true;
    services.engine.listScenarios().then(
      (s) => {
        if (!live) return;
        setScenarios(s);
        setId((cur) => cur || s[0]?.id || "");
      },
      () => live && setScenarios([]),
    );
    return () => {
      live = false;
    };
  }, [open, services]);
  if (!open) return null;
  const close = (): void => useApp.getState().setSimulateOpen(false);
  const seedNum = Number(seed);
  const seedOk = Number.isSafeInteger(seedNum) && seedNum >= 0;
  const run = (): void => {
    if (!id || !seedOk) return;
    close();
    void runSimulation(services, id, seedNum);
  };
  return (
    <div className="modal-backdrop" onClick={close}>
      <div
        className="modal"
        role="dialog"
        aria-modal="true"
        aria-label="Run a simulation"
        onClick={(e) => e.stopPropagation()}
        data-testid="simulate-dialog"
      >
        <h2>Run a simulation</h2>
        {scenarios === null && <div className="faint">Loading scenarios…</div>}
        {scenarios?.length === 0 && (
          <div className="notice">
            This build of devscope has no simulator scenarios (packages/hw-sim exports none yet).
          </div>
        )}
        {scenarios && scenarios.length > 0 && (
          <>
            <div className="field">
              <label htmlFor="sim-scenario">Scenario</label>
              <div
                className="scenario-list"
                role="listbox"
                id="sim-scenario"
                aria-label="Scenarios"
                tabIndex={0}
              >
                {scenarios.map((s) => (
                  <div
                    key={s.id}
                    role="option"
                    aria-selected={s.id === id}
                    className="list-row"
                    style={{ height: "auto", padding: "4px 8px", display: "block" }}
                    onClick={() => setId(s.id)}
                    onDoubleClick={run}
                    data-testid="scenario"
                    data-scenario={s.id}
                  >
                    <div>
                      <span className="mono">{s.id}</span> <span className="dim">{s.device}</span>
                    </div>
                    <div className="faint" style={{ whiteSpace: "normal" }}>
                      {s.title} — {s.source}
                      {s.expect.length ? ` — expects ${s.expect.join(", ")}` : " — clean"}
                    </div>
                  </div>
                ))}
              </div>
            </div>
            <div className="field">
              <label htmlFor="sim-seed">Seed (same seed, same trace)</label>
              <input
                id="sim-seed"
                value={seed}
                onChange={(e) => setSeed(e.target.value)}
                inputMode="numeric"
                data-testid="sim-seed"
                aria-invalid={!seedOk}
              />
            </div>
          </>
        )}
        <div className="actions">
          <button className="btn" onClick={close}>
            Cancel
          </button>
          <button
            className="btn primary"
            onClick={run}
            disabled={!id || !seedOk}
            data-testid="run-simulation"
          >
            Run
          </button>
        </div>
      </div>
    </div>
  );
}
