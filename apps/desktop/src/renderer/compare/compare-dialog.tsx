import { useEffect, useRef, useState } from "react";
import type { TraceSource } from "../host/host-api.ts";
import { sourceName } from "../host/host-api.ts";
import { formatBytes } from "../model/format.ts";
import { BUNDLED_SAMPLES } from "../samples/sample-list.ts";
import { useApp } from "../state/app-store.ts";
import { useServices } from "../state/services.ts";
import type { ScenarioInfo } from "../worker/engine-types.ts";
import { type CompareSideChoice, parseMappings, runCompare } from "./compare-actions.ts";
import { useCompare } from "./compare-store.ts";

type SideKind = "current" | "files" | "sample" | "scenario";

interface SideState {
  kind: SideKind;
  files: TraceSource[];
  sample: string;
  scenario: string;
  seed: string;
}

const PHASE: Record<string, string> = {
  reading: "Reading and parsing",
  analyzing: "Rebuilding lifecycles",
  building: "Building",
  simulating: "Running the simulation",
};

async function fetchSample(file: string): Promise<TraceSource> {
  const res = await fetch(`./samples/${encodeURIComponent(file)}`);
  if (!res.ok) throw new Error(`sample ${file}: HTTP ${res.status}`);
  return { kind: "file", file: new File([await res.blob()], file, { type: "text/plain" }) };
}

/**
 * Compare…: choose trace A and trace B (the open trace, files of one boot, a bundled sample,
 * or a simulator scenario run), optional device mappings, then compare.
 */
export function CompareDialog() {
  const services = useServices();
  const open = useCompare((s) => s.dialogOpen);
  const status = useCompare((s) => s.status);
  const error = useCompare((s) => s.error);
  const progress = useCompare((s) => s.progress);
  const label = useCompare((s) => s.label);
  const trace = useApp((s) => s.trace);
  const [scenarios, setScenarios] = useState<ScenarioInfo[]>([]);
  const [a, setA] = useState<SideState>({
    kind: "current",
    files: [],
    sample: "",
    scenario: "",
    seed: "1",
  });
  const [b, setB] = useState<SideState>({
    kind: "files",
    files: [],
    sample: "",
    scenario: "",
    seed: "1",
  });
  const [mapText, setMapText] = useState("");
  const [autoPair, setAutoPair] = useState(false);
  const [problem, setProblem] = useState<string | null>(null);

  useEffect(() => {
    if (!open) return;
    let live = true;
    services.engine.listScenarios().then(
      (s) => live && setScenarios(s),
      () => live && setScenarios([]),
    );
    return () => {
      live = false;
    };
  }, [open, services]);
  if (!open) return null;

  const running = status === "running";
  const close = (): void => {
    if (!running) useCompare.getState().setDialogOpen(false);
  };
  const effective = (s: SideState): SideKind => (s.kind === "current" && !trace ? "files" : s.kind);
  const ready = (s: SideState): boolean => {
    const k = effective(s);
    if (k === "current") return trace !== null;
    if (k === "files") return s.files.length > 0;
    if (k === "sample") return s.sample !== "";
    return s.scenario !== "" && Number.isSafeInteger(Number(s.seed)) && Number(s.seed) >= 0;
  };
  const choice = async (s: SideState): Promise<CompareSideChoice> => {
    const k = effective(s);
    if (k === "current") return { kind: "current" };
    if (k === "files") return { kind: "files", sources: s.files };
    if (k === "sample") return { kind: "files", sources: [await fetchSample(s.sample)] };
    return { kind: "scenario", id: s.scenario, seed: Number(s.seed) };
  };
  const go = async (): Promise<void> => {
    setProblem(null);
    let map;
    try {
      map = parseMappings(mapText);
    } catch (e) {
      setProblem(e instanceof Error ? e.message : String(e));
      return;
    }
    try {
      const [ca, cb] = [await choice(a), await choice(b)];
      await runCompare(services, ca, cb, { map, autoPair });
    } catch (e) {
      setProblem(e instanceof Error ? e.message : String(e));
    }
  };

  return (
    <div className="modal-backdrop" onClick={close}>
      <div
        className="modal compare-dialog"
        role="dialog"
        aria-modal="true"
        aria-label="Compare two traces"
        onClick={(e) => e.stopPropagation()}
        onKeyDown={(e) => e.key === "Escape" && close()}
        data-testid="compare-dialog"
      >
        <h2>Compare two traces</h2>
        <p className="dim">
          Traces are aligned by resource identity — device, bind epoch, name, kind and size — never
          by time or pointer, so a simulation compares with a real capture and two boots with each
          other.
        </p>
        <div className="compare-dialog-sides">
          <SidePicker
            label="A"
            state={a}
            setState={setA}
            hasTrace={trace !== null}
            traceTitle={trace?.title ?? ""}
            scenarios={scenarios}
          />
          <SidePicker
            label="B"
            state={b}
            setState={setB}
            hasTrace={trace !== null}
            traceTitle={trace?.title ?? ""}
            scenarios={scenarios}
          />
        </div>
        <div className="field">
          <label htmlFor="compare-map">
            Device mapping (optional): A=B, one per line; DEV#N compares one bind
          </label>
          <textarea
            id="compare-map"
            rows={2}
            value={mapText}
            onChange={(e) => setMapText(e.target.value)}
            placeholder="0000:00:06.0=gpu0"
            data-testid="compare-map"
            spellCheck={false}
          />
        </div>
        <label className="check">
          <input
            type="checkbox"
            checked={autoPair}
            onChange={(e) => setAutoPair(e.target.checked)}
            data-testid="compare-auto-pair"
          />{" "}
          Pair differently named devices by resource similarity
        </label>
        {running && (
          <div className="compare-progress" data-testid="compare-progress">
            <div className="progress indeterminate">
              <div />
            </div>
            <div className="dim">
              {label}
              {progress ? ` — ${PHASE[progress.phase] ?? progress.phase} ${progress.fileName}` : ""}
              {progress?.phase === "reading" && progress.totalBytes > 0
                ? ` (${formatBytes(progress.bytesRead)} of ${formatBytes(progress.totalBytes)})`
                : ""}
            </div>
          </div>
        )}
        {(problem ?? (status === "error" ? error : null)) && (
          <div className="notice error" data-testid="compare-error">
            {problem ?? error}
          </div>
        )}
        <div className="actions">
          <button className="btn" onClick={close} disabled={running}>
            Cancel
          </button>
          <button
            className="btn primary"
            onClick={() => void go()}
            disabled={running || !ready(a) || !ready(b)}
            data-testid="compare-run"
          >
            Compare
          </button>
        </div>
      </div>
    </div>
  );
}

function SidePicker({
  label,
  state,
  setState,
  hasTrace,
  traceTitle,
  scenarios,
}: {
  label: "A" | "B";
  state: SideState;
  setState(s: SideState): void;
  hasTrace: boolean;
  traceTitle: string;
  scenarios: ScenarioInfo[];
}) {
  const input = useRef<HTMLInputElement>(null);
  const kind = state.kind === "current" && !hasTrace ? "files" : state.kind;
  const set = (p: Partial<SideState>): void => setState({ ...state, ...p });
  const id = `compare-${label.toLowerCase()}`;
  return (
    <fieldset className="compare-side" data-testid={`${id}-side`}>
      <legend>Trace {label}</legend>
      <div className="compare-kinds" role="radiogroup" aria-label={`Trace ${label} source`}>
        {(
          [
            ["current", "Open trace", hasTrace],
            ["files", "Files…", true],
            ["sample", "Sample", true],
            ["scenario", "Simulation", scenarios.length > 0],
          ] as const
        ).map(([k, text, enabled]) => (
          <label key={k} className={enabled ? "" : "faint"}>
            <input
              type="radio"
              name={`${id}-kind`}
              checked={kind === k}
              disabled={!enabled}
              onChange={() => set({ kind: k })}
              data-testid={`${id}-kind-${k}`}
            />{" "}
            {text}
          </label>
        ))}
      </div>
      {kind === "current" && (
        <div className="mono ellipsis" title={traceTitle}>
          {traceTitle}
        </div>
      )}
      {kind === "files" && (
        <div>
          <input
            ref={input}
            type="file"
            multiple
            className="visually-hidden"
            data-testid={`${id}-files`}
            aria-label={`Trace ${label} files`}
            onChange={(e) => {
              const files = e.currentTarget.files ? [...e.currentTarget.files] : [];
              set({ files: files.map((file): TraceSource => ({ kind: "file", file })) });
              e.currentTarget.value = "";
            }}
          />
          <button className="btn small" onClick={() => input.current?.click()}>
            Choose files…
          </button>{" "}
          <span className="dim" data-testid={`${id}-files-chosen`}>
            {state.files.length === 0
              ? "files of one boot (a trace and its dmesg)"
              : state.files.map(sourceName).join(" + ")}
          </span>
        </div>
      )}
      {kind === "sample" && (
        <select
          value={state.sample}
          onChange={(e) => set({ sample: e.target.value })}
          data-testid={`${id}-sample`}
        >
          <option value="">Choose a sample…</option>
          {BUNDLED_SAMPLES.map((s) => (
            <option key={s.file} value={s.file}>
              {s.title}
            </option>
          ))}
        </select>
      )}
      {kind === "scenario" && (
        <div className="compare-scenario">
          <select
            value={state.scenario}
            onChange={(e) => set({ scenario: e.target.value })}
            data-testid={`${id}-scenario`}
          >
            <option value="">Choose a scenario…</option>
            {scenarios.map((s) => (
              <option key={s.id} value={s.id}>
                {s.id} — {s.title}
              </option>
            ))}
          </select>
          <input
            value={state.seed}
            onChange={(e) => set({ seed: e.target.value })}
            inputMode="numeric"
            aria-label={`Trace ${label} seed`}
            data-testid={`${id}-seed`}
            size={6}
          />
        </div>
      )}
    </fieldset>
  );
}
