import type { Analysis } from "../model/analysis.js";
import type { ImportResult } from "../import/types.js";
import type { Rule } from "../rules/rule.js";
import { analyzeEvents } from "./analyze-events.js";
import { mergeImports } from "./merge-inputs.js";

/**
 * Analysis of one or more imported files of the same boot: merge (clock alignment, duplicate
 * console lines), then the lifecycle rebuild and rules. What `devscope analyze` and the
 * desktop app run on import results.
 */
export function analyzeImports(
  results: readonly ImportResult[],
  opts: { rules?: readonly Rule[] } = {},
): Analysis {
  const merged = mergeImports(results);
  const rawClock = results.some((r) => r.meta.rawClock === true);
  const notes = [...merged.notes];
  if (rawClock)
    notes.push(
      "timestamps are raw trace-clock counts, not ns: times and durations are in clock units",
    );
  return analyzeEvents(merged.events, {
    inputs: merged.inputs,
    lines: merged.lines,
    startLost: merged.startLost,
    notes,
    ...(opts.rules !== undefined ? { rules: opts.rules } : {}),
  });
}
