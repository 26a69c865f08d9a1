// Node-only entry point of @devscope/tracer: file streaming, gzip, worker threads.
export {
  importFile,
  PARALLEL_MIN_BYTES,
  DEFAULT_PARALLEL_MIN_BYTES,
  type FileImportOptions,
} from "./import-file.js";
export { defaultThreads, workerScript } from "./worker-pool.js";
export {
  analyzeFiles,
  InputFileError,
  type AnalyzeFilesOptions,
  type AnalyzeFilesResult,
} from "./analyze-files.js";
