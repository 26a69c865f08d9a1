import type { DiffResult } from "./diff-model.js";

/**
 * `devscope diff --format json`: the DiffResult as documented in docs/diff.md, two-space
 * indented, keys in the model's order, ending with a newline.
 */
export function renderDiffJson(d: DiffResult): string {
  return `${JSON.stringify(d, null, 2)}\n`;
}
