import { open, stat } from "node:fs/promises";
import { analyzeImports } from "../analysis/analyze-imports.js";
import type { ImportResult, KeepKmem } from "../import/types.js";
import type { Analysis } from "../model/analysis.js";
import { type FileImportOptions, importFile } from "./import-file.js";

/**
 * Analyse trace files from disk (`devscope analyze FILE...`): import each file (gzip
 * included) and merge them as one boot (analyze-imports.ts).
 *
 * kmem events: the epoch inference reads user-space returns from kmalloc/kfree call sites, and
 * probe-rollback-incomplete reads driver-module allocations, so small traces keep every kmem
 * event ("all"). Above AUTO_ALL_LIMIT_BYTES of text only module call sites and devres-linked
 * ones are kept ("module"): a million kmem events would cost hundreds of MB, and those big
 * captures carry trace_marker lines that serve the same purpose.
 */
export const AUTO_ALL_LIMIT_BYTES = 64 * 1024 * 1024;

export interface AnalyzeFilesOptions {
  /** kmem events to keep; "auto" (default) picks by file size. */
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
    const keepKmem =
      opts.keepKmem === undefined || opts.keepKmem === "auto"
        ? await autoKeepKmem(path, size)
        : opts.keepKmem;
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

/** "all" for traces up to AUTO_ALL_LIMIT_BYTES of text (gzip: the trailer's ISIZE), else "module". */
async function autoKeepKmem(path: string, size: number): Promise<KeepKmem> {
  return (await textSize(path, size)) <= AUTO_ALL_LIMIT_BYTES ? "all" : "module";
}

/** Uncompressed size: gzip's last 4 bytes hold it modulo 2^32 (RFC 1952, ISIZE). */
async function textSize(path: string, size: number): Promise<number> {
  if (size < 18) return size;
  const fh = await open(path, "r");
  try {
    const head = Buffer.alloc(2);
    await fh.read(head, 0, 2, 0);
    if (head[0] !== 0x1f || head[1] !== 0x8b) return size;
    const tail = Buffer.alloc(4);
    await fh.read(tail, 0, 4, size - 4);
    // ISIZE wraps at 4 GiB; a compressed file is never larger than its text.
    return Math.max(tail.readUInt32LE(0), size);
  } finally {
    await fh.close();
  }
}
