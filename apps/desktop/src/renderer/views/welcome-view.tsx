import { useEffect, useState } from "react";
import { BUNDLED_SAMPLES } from "../samples/sample-list.ts";
import { useApp } from "../state/app-store.ts";
import { useServices } from "../state/services.ts";
import { openSample, runSimulation } from "../state/trace-actions.ts";
import type { ScenarioInfo } from "../worker/engine-types.ts";

/** First start: what devscope does, the bundled real captures, and simulated runs when available. */
export function WelcomeView({ onOpen }: { onOpen(): void }) {
  const services = useServices();
  const [scenarios, setScenarios] = useState<ScenarioInfo[]>([]);
  useEffect(() => {
    let live = true;
    services.engine.listScenarios().then(
      (s) => live && setScenarios(s),
      () => undefined,
    );
    return () => {
      live = false;
    };
  }, [services]);
  // The simulated sample: the first scenario that is expected to produce findings.
  const buggy = scenarios.find((s) => s.expect.length > 0);
  return (
    <div className="welcome" data-testid="welcome">
      <h1>devscope</h1>
      <p className="lead">
        Open a kernel trace (ftrace <span className="mono">trace</span> /{" "}
        <span className="mono">trace_pipe</span>, <span className="mono">trace-cmd report</span>,
        dmesg, devscope JSONL; gzip too) to see every device's bind epochs and every managed
        resource — devres and DRM managed — as a bar from acquisition to release, and go straight to
        what leaked or was released in the wrong order.
      </p>
      <div className="sample-grid">
        {BUNDLED_SAMPLES.map((s) => (
          <button
            key={s.file}
            className="sample"
            data-testid="sample"
            data-sample={s.file}
            onClick={() => void openSample(services, s.file)}
          >
            <span className="tag">real kernel capture</span>
            <span className="name">{s.title}</span>
            <span className="desc">{s.description}</span>
          </button>
        ))}
        {buggy && (
          <button
            className="sample"
            data-testid="sample"
            data-sample={`sim:${buggy.id}`}
            onClick={() => void runSimulation(services, buggy.id, 1)}
          >
            <span className="tag">simulated buggy run</span>
            <span className="name">{buggy.title}</span>
            <span className="desc">
              Simulated kernel + hardware, scenario <span className="mono">{buggy.id}</span> (
              {buggy.source}). Expected findings: {buggy.expect.join(", ")}.
            </span>
          </button>
        )}
      </div>
      <div className="dropzone">
        Drop trace files anywhere, or{" "}
        <button className="btn primary small" onClick={onOpen}>
          Open…
        </button>{" "}
        {scenarios.length > 0 && (
          <>
            or{" "}
            <button className="btn small" onClick={() => useApp.getState().setSimulateOpen(true)}>
              Run a simulation…
            </button>
          </>
        )}
      </div>
    </div>
  );
}
