import { stat } from "node:fs/promises";
import { analyzeImports } from "../analysis/analyze-imports.js";
import type { ImportResult, KeepKmem } from "../import/types.js";
import type { Analysis } from "../model/analysis.js";
import { type FileImportOptions, importFile } from "./import-file.js";

/**
 * Analyse trace files from disk (`devscope analyze FILE...`): import each file (gzip
 * included) and merge them as one boot (analyze-imports.ts).
 *
 * kmem events: by default ("auto") each file is imported with keepKmem "evidence": only the
 * kmalloc/kfree events the analysis reads (user-space returns, comm changes, never-freed driver
 * allocations, the trace's span) become events, so the analysis is exactly the one every kmem
 * event would give, for files of any size, without a million kmem events in memory.
 */

export interface AnalyzeFilesOptions {
  /** kmem events to keep; "auto" (default): "evidence". */
  keepKmem?: KeepKmem | "auto";
  /** Progress per file: input bytes read so far (compressed bytes for gzip) and the file size. */
  onProgress?: (file: number, bytesRead: number, totalBytes: number) => void;
  signal?: AbortSignal;
  /** Parser worker threads for large files (importFile's default when absent). */
  workers?: number;
}

export interface AnalyzeFilesResult {
  analysis: Analysis;
  imports: ImportResult[];
}

/** A file that cannot be read at all (missing, a directory, no permission). */
export class InputFileError extends Error {
  constructor(
    readonly path: string,
    reason: string,
  ) {
    super(`${path}: ${reason}`);
    this.name = "InputFileError";
  }
}

export async function analyzeFiles(
  paths: readonly string[],
  opts: AnalyzeFilesOptions = {},
): Promise<AnalyzeFilesResult> {
  const sizes: number[] = [];
  for (const p of paths) sizes.push(await fileSize(p));
  const imports: ImportResult[] = [];
  for (let i = 0; i < paths.length; i++) {
    const path = paths[i] as string;
    const size = sizes[i] as number;
    const keepKmem: KeepKmem =
      opts.keepKmem === undefined || opts.keepKmem === "auto" ? "evidence" : opts.keepKmem;
    const importOpts: FileImportOptions = { path, src: i, keepKmem };
    const progress = opts.onProgress;
    if (progress !== undefined) importOpts.onProgress = (read) => progress(i, read, size);
    if (opts.signal !== undefined) importOpts.signal = opts.signal;
    if (opts.workers !== undefined) importOpts.workers = opts.workers;
    imports.push(await importFile(path, importOpts));
  }
  return { analysis: analyzeImports(imports), imports };
}

async function fileSize(path: string): Promise<number> {
  try {
    const s = await stat(path);
    if (s.isDirectory()) throw new InputFileError(path, "is a directory, expected a trace file");
    return s.size;
  } catch (e) {
    if (e instanceof InputFileError) throw e;
    const code = (e as NodeJS.ErrnoException).code;
    if (code === "ENOENT") throw new InputFileError(path, "no such file");
    if (code === "EACCES") throw new InputFileError(path, "permission denied");
    throw new InputFileError(path, e instanceof Error ? e.message : String(e));
  }
}
