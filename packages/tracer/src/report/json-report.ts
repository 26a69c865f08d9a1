import type { Analysis } from "../model/analysis.js";

/**
 * `devscope analyze --format json`: the Analysis object itself (docs/analysis-json.md), keys in
 * model order. Pretty-printed by default (two spaces): readable, and diff-friendly.
 */
export function renderJson(a: Analysis, opts: { pretty?: boolean } = {}): string {
  return `${JSON.stringify(a, null, opts.pretty === false ? undefined : 2)}\n`;
}
