import { dmaFault } from "./dma-fault.js";
import { doubleRelease } from "./double-release.js";
import { groupLeftOpen } from "./group-left-open.js";
import { growthWhileBound } from "./growth-while-bound.js";
import { irqOutlivesData } from "./irq-outlives-data.js";
import { leakUnreleased } from "./leak-unreleased.js";
import { mmioAfterUnbind } from "./mmio-after-unbind.js";
import { poolBusy } from "./pool-busy.js";
import { probeRollbackIncomplete } from "./probe-rollback-incomplete.js";
import { releaseUnknown } from "./release-unknown.js";
import { resourcesBeforeProbe } from "./resources-before-probe.js";
import type { Rule } from "./rule.js";
import { useAfterFree } from "./use-after-free.js";

/** Every rule, in the order their findings are computed. The one registration point. */
export const ALL_RULES: readonly Rule[] = [
  leakUnreleased,
  growthWhileBound,
  irqOutlivesData,
  doubleRelease,
  releaseUnknown,
  groupLeftOpen,
  poolBusy,
  resourcesBeforeProbe,
  probeRollbackIncomplete,
  useAfterFree,
  dmaFault,
  mmioAfterUnbind,
];

export type { Rule, RuleInfo } from "./rule.js";
export {
  dmaFault,
  mmioAfterUnbind,
  useAfterFree,
  doubleRelease,
  groupLeftOpen,
  growthWhileBound,
  irqOutlivesData,
  leakUnreleased,
  poolBusy,
  probeRollbackIncomplete,
  releaseUnknown,
  resourcesBeforeProbe,
};
