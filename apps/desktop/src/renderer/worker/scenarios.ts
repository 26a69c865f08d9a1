import {
  listScenarios as hwScenarios,
  runScenario as hwRun,
  type ScenarioMeta,
} from "@devscope/hw-sim";
import type { ScenarioInfo } from "./engine-types.ts";

/** A scenario's provenance in one line: `commit f658b90977d2 (r8169: …)`. */
function sourceText(m: ScenarioMeta): string {
  const ref = m.source.kind === "commit" ? `commit ${m.source.ref}` : m.source.ref;
  return `${ref} (${m.source.subject})`;
}

/** The simulator's scenarios (packages/hw-sim registry) as the app lists them. */
export function listScenarios(): ScenarioInfo[] {
  return hwScenarios().map((m) => ({
    id: m.id,
    title: m.title,
    device: `${m.device} · ${m.driver}`,
    source: sourceText(m),
    expect: [...m.expectedRules],
    description: m.description,
  }));
}

/**
 * Runs a scenario in this worker (hw-sim is pure TypeScript) and returns its trace the way a
 * real 6.x kernel prints it (`cat /sys/kernel/tracing/trace`), so it goes through the very
 * importer and analysis a real capture does.
 */
export function runScenario(id: string, seed: number): { name: string; text: string } {
  const r = hwRun(id, { seed });
  return { name: `${id}.seed-${seed}.ftrace.txt`, text: r.ftrace() };
}
