import * as Comlink from "comlink";
import type { EngineApi } from "./engine-types.ts";

/** Starts the import/analysis worker and returns its comlink proxy. */
export function startEngine(): { api: Comlink.Remote<EngineApi>; terminate(): void } {
  const worker = new Worker(new URL("./engine.worker.ts", import.meta.url), {
    type: "module",
    name: "devscope-engine",
  });
  return { api: Comlink.wrap<EngineApi>(worker), terminate: () => worker.terminate() };
}
