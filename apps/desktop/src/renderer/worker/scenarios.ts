import type { ScenarioInfo } from "./engine-types.ts";

/**
 * The simulator's scenarios as the app offers them. packages/hw-sim does not export a
 * scenario registry yet, so this build lists none (the Simulate dialog says so) rather than
 * pretending; wired to hw-sim's registry as soon as it exists.
 */
export function listScenarios(): ScenarioInfo[] {
  return [];
}

/** Runs a scenario to its trace text (the kernel's own ftrace format). */
export function runScenario(id: string, _seed: number): { name: string; text: string } {
  throw new Error(`simulator scenario "${id}" is not available in this build`);
}
