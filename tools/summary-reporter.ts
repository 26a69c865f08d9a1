import { mkdirSync, writeFileSync } from "node:fs";
import type { Reporter, SerializedError, TestModule } from "vitest/node";

/**
 * Prints CI's closing line `N passed, N failed[, N skipped]` and writes the counts to
 * `.test-results/vitest.json` so scripts/test-all.mjs can add other suites to it.
 * A test file that fails to load counts as one failure; so does an unhandled error.
 */
export default class SummaryReporter implements Reporter {
  onTestRunEnd(mods: ReadonlyArray<TestModule>, errors: ReadonlyArray<SerializedError>): void {
    let passed = 0;
    let failed = errors.length;
    let skipped = 0;
    const failures: string[] = [];
    for (const mod of mods) {
      let f = 0;
      for (const t of mod.children.allTests()) {
        const s = t.result().state;
        if (s === "passed") passed++;
        else if (s === "failed") {
          f++;
          failures.push(`${mod.moduleId} > ${t.fullName}`);
        } else skipped++;
      }
      if (f === 0 && mod.state() === "failed") {
        f = 1;
        failures.push(`${mod.moduleId} (failed to load)`);
      }
      failed += f;
    }
    mkdirSync(".test-results", { recursive: true });
    writeFileSync(
      ".test-results/vitest.json",
      JSON.stringify({ passed, failed, skipped, failures }, null, 2),
    );
    process.stdout.write(
      `\n${passed} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ""}\n`,
    );
  }
}
