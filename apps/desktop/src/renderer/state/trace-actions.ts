import * as Comlink from "comlink";
import { type TraceSource, sourceName } from "../host/host-api.ts";
import {
  CANCELLED,
  type LoadedTrace,
  type SourceSpec,
  type TraceOrigin,
} from "../worker/engine-types.ts";
import { useApp } from "./app-store.ts";
import type { Services } from "./services.ts";

/** performance marks the benchmark reads: import start, and the first timeline frame after it. */
export const MARK_IMPORT_START = "devscope:import-start";
export const MARK_FIRST_TIMELINE = "devscope:first-timeline";

function errorText(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

function label(sources: readonly TraceSource[]): string {
  const names = sources.map(sourceName);
  return names.length <= 2 ? names.join(" + ") : `${names[0]} + ${names.length - 1} more`;
}

async function run(
  services: Services,
  what: string,
  job: () => Promise<LoadedTrace>,
): Promise<boolean> {
  const store = useApp.getState();
  if (store.importStatus === "running") {
    store.setToast("An import is already running: cancel it first.");
    return false;
  }
  performance.clearMarks(MARK_FIRST_TIMELINE);
  performance.mark(MARK_IMPORT_START);
  store.startImport(what);
  try {
    const trace = await job();
    useApp.getState().setTrace(trace);
    useApp.getState().finishImport({});
    useApp.getState().setLayout({ sideTab: "import" });
    services.host.setTitle(`${trace.title} — devscope`);
    return true;
  } catch (e) {
    if (e instanceof Error && e.name === CANCELLED) {
      useApp.getState().finishImport({ cancelled: true });
      useApp.getState().setToast("Import cancelled; the previous trace is still open.");
    } else {
      useApp.getState().finishImport({ error: `${what}: ${errorText(e)}` });
    }
    return false;
  }
}

/** Imports and analyses trace files in the worker, then shows them. */
export function openSources(
  services: Services,
  sources: TraceSource[],
  origin: TraceOrigin = "file",
): Promise<boolean> {
  if (sources.length === 0) return Promise.resolve(false);
  const specs: SourceSpec[] = sources.map((s) =>
    s.kind === "file"
      ? { name: s.file.name, size: s.file.size, blob: s.file }
      : { name: s.ref.name, size: s.ref.size },
  );
  const refs = sources.map((s) => (s.kind === "host" ? s.ref : null));
  const needsHost = refs.some((r) => r !== null);
  const hostRead = needsHost
    ? Comlink.proxy(async (i: number, offset: number, length: number): Promise<Uint8Array> => {
        const ref = refs[i];
        if (!ref || !services.host.readHostFile)
          throw new Error("this input cannot be read through the host");
        return services.host.readHostFile(ref, offset, length);
      })
    : undefined;
  const onProgress = Comlink.proxy(
    (p: Parameters<ReturnType<typeof useApp.getState>["setProgress"]>[0]) =>
      useApp.getState().setProgress(p),
  );
  return run(services, label(sources), () =>
    services.engine.importSources(specs, origin, onProgress, hostRead),
  );
}

/** Fetches a bundled sample (served next to the app) and opens it. */
export async function openSample(services: Services, fileName: string): Promise<boolean> {
  let file: File;
  try {
    const res = await fetch(`./samples/${encodeURIComponent(fileName)}`);
    if (!res.ok) throw new Error(`HTTP ${res.status}`);
    file = new File([await res.blob()], fileName, { type: "text/plain" });
  } catch (e) {
    useApp
      .getState()
      .finishImport({ error: `sample ${fileName} could not be loaded: ${errorText(e)}` });
    return false;
  }
  return openSources(services, [{ kind: "file", file }], "sample");
}

/** Runs a simulator scenario in the worker and opens its trace. */
export function runSimulation(services: Services, id: string, seed: number): Promise<boolean> {
  const onProgress = Comlink.proxy(
    (p: Parameters<ReturnType<typeof useApp.getState>["setProgress"]>[0]) =>
      useApp.getState().setProgress(p),
  );
  return run(services, `simulation ${id} (seed ${seed})`, () =>
    services.engine.runScenario(id, seed, onProgress),
  );
}

/** Loads a synthetic analysis with devices x cycles x perProbe resources (benchmarks). */
export function openSynthetic(
  services: Services,
  devices: number,
  cycles: number,
  perProbe: number,
): Promise<boolean> {
  return run(services, "synthetic analysis", () =>
    services.engine.loadSynthetic(devices, cycles, perProbe),
  );
}

export function cancelImport(services: Services): void {
  void services.engine.cancel();
}

/** Base file name for exports, from the trace title. */
export function exportBaseName(title: string): string {
  const base = title
    .replace(/\.(gz)$/i, "")
    .replace(/\.(txt|dat|json|jsonl)$/i, "")
    .replace(/[^\w.+-]+/g, "_")
    .slice(0, 80);
  return base || "trace";
}

/** Saves the analysis as JSON (`devscope analyze --format json` shape). */
export async function exportAnalysisJson(services: Services): Promise<void> {
  const t = useApp.getState().trace;
  if (!t) return;
  const blob = new Blob([JSON.stringify(t.analysis, null, 2) + "\n"], { type: "application/json" });
  const saved = await services.host.saveFile(
    `${exportBaseName(t.title)}.analysis.json`,
    "json",
    blob,
  );
  if (saved) useApp.getState().setToast("Analysis exported as JSON.");
}

/** Saves the timeline canvas as it is drawn now as PNG. */
export async function exportTimelinePng(
  services: Services,
  canvas: HTMLCanvasElement | null,
): Promise<void> {
  const t = useApp.getState().trace;
  if (!t || !canvas) return;
  const blob = await new Promise<Blob | null>((resolve) => canvas.toBlob(resolve, "image/png"));
  if (!blob) {
    useApp.getState().setToast("The timeline could not be encoded as PNG.");
    return;
  }
  const saved = await services.host.saveFile(
    `${exportBaseName(t.title)}.timeline.png`,
    "png",
    blob,
  );
  if (saved) useApp.getState().setToast("Timeline exported as PNG.");
}
