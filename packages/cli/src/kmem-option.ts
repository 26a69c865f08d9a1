import { Option } from "commander";

/**
 * `--kmem <mode>`, shared by analyze and diff: which kmalloc/kfree events the importer keeps
 * ("auto" = what the analysis reads: keepKmem "evidence", packages/tracer/src/node/analyze-files.ts).
 */
export function kmemOption(): Option {
  return new Option("--kmem <mode>", "kmalloc/kfree events kept while importing")
    .choices(["auto", "none", "linked", "module", "all"])
    .default("auto");
}
