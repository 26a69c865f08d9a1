import { gpuCirrusCapture } from "./gpu-cirrus-capture.js";
import { gpuClean } from "./gpu-clean.js";
import { gpuDoublePut } from "./gpu-double-put.js";
import { gpuOpenFdUnbind } from "./gpu-open-fd-unbind.js";
import { gpuUnplugNoEnter } from "./gpu-unplug-no-enter.js";
import { groupLeftOpen } from "./group-left-open.js";
import { nicClean } from "./nic-clean.js";
import { nicDmaAfterFree } from "./nic-dma-after-free.js";
import { nicIrqBeforeAlloc } from "./nic-irq-before-alloc.js";
import { nicManualFree } from "./nic-manual-free.js";
import { nicOpenLeak } from "./nic-open-leak.js";
import { nicPoolBusy } from "./nic-pool-busy.js";
import { nicPrefetchOverrun } from "./nic-prefetch-overrun.js";
import { nicProbeFailEveryStep } from "./nic-probe-fail-every-step.js";
import { nicProbeFailLadder } from "./nic-probe-fail-ladder.js";
import { nicSurpriseRemoval } from "./nic-surprise-removal.js";
import {
  metaOf,
  runScenarioDef,
  type Scenario,
  type ScenarioMeta,
  type ScenarioResult,
  type ScenarioRunOptions,
} from "./scenario.js";
import { soak } from "./soak.js";

/** Every scenario, in the order the CLI and the app list them. */
export const SCENARIOS: readonly Scenario[] = [
  nicClean,
  gpuClean,
  gpuCirrusCapture,
  nicIrqBeforeAlloc,
  nicDmaAfterFree,
  nicOpenLeak,
  nicPoolBusy,
  nicManualFree,
  nicProbeFailLadder,
  nicProbeFailEveryStep,
  nicPrefetchOverrun,
  gpuDoublePut,
  gpuUnplugNoEnter,
  gpuOpenFdUnbind,
  groupLeftOpen,
  nicSurpriseRemoval,
  soak,
];

export function listScenarios(): ScenarioMeta[] {
  return SCENARIOS.map(metaOf);
}

export function getScenario(id: string): Scenario | undefined {
  return SCENARIOS.find((s) => s.id === id);
}

/** Run scenario `id`; throws an Error naming the known ids when there is no such scenario. */
export function runScenario(id: string, opts: ScenarioRunOptions = {}): ScenarioResult {
  const s = getScenario(id);
  if (s === undefined)
    throw new Error(`unknown scenario "${id}" (known: ${SCENARIOS.map((x) => x.id).join(", ")})`);
  return runScenarioDef(s, opts);
}
