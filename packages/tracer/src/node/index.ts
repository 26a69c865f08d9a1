// Node-only entry point of @devscope/tracer: file streaming, gzip, worker threads.
export { importFile, PARALLEL_MIN_BYTES, type FileImportOptions } from "./import-file.js";
export { SegmentScheduler, defaultThreads, workerScript } from "./worker-pool.js";
export { parseSegment, readRange, type SegmentTask, type SegmentReply } from "./parse-worker.js";
export { analyzeFiles, InputFileError, type AnalyzeFilesOptions, type AnalyzeFilesResult } from "./analyze-files.js";
