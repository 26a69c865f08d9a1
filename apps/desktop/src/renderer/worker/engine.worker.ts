import * as Comlink from "comlink";
import { timelineTransferables } from "../timeline/timeline-buffers.ts";
import { Engine } from "./engine.ts";
import type { EngineApi, LoadedTrace } from "./engine-types.ts";
import { workerRunner } from "./segment-runner.ts";

// The module worker entry: exposes the Engine over comlink and transfers (not copies) the
// timeline's typed arrays back to the page.
// Large plain files are parsed by this worker and a segment worker at once when the machine
// has a second core.
const engine = new Engine((navigator.hardwareConcurrency ?? 1) >= 2 ? workerRunner : null);
const withTransfer = (t: LoadedTrace): LoadedTrace =>
  Comlink.transfer(t, timelineTransferables(t.timeline));

const api: EngineApi = {
  importSources: async (sources, origin, onProgress, hostRead) =>
    withTransfer(await engine.importSources(sources, origin, onProgress, hostRead)),
  cancel: () => engine.cancel(),
  sourceLines: (src, from, to) => engine.sourceLines(src, from, to),
  listScenarios: () => engine.listScenarios(),
  runScenario: async (id, seed, onProgress) =>
    withTransfer(await engine.runScenario(id, seed, onProgress)),
  loadSynthetic: async (d, c, p) => withTransfer(await engine.loadSynthetic(d, c, p)),
  compare: (a, b, opts, onProgress, hostRead) => engine.compare(a, b, opts, onProgress, hostRead),
};
Comlink.expose(api);
