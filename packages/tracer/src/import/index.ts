// Importers: real kernel output -> TraceEvents with an exact line account (docs/trace-format.md).
export type {
  TraceFormat,
  TraceMeta,
  ImportOptions,
  ImportResult,
  Importer,
  KeepKmem,
  OpRecovery,
} from "./types.js";
export { createImporter, importText } from "./importer.js";
export { importChunks } from "./import-chunks.js";
export { SegmentParser, type SegmentPartial, type SegmentOptions } from "./segment-parser.js";
export { finalizeImport, type FinalizeOptions } from "./segment-merge.js";
export { LineFeeder } from "./line-feeder.js";
export { checkInput, TEXT_CHECK_BYTES } from "./input-check.js";
export { detectFormat, detectFromHead, DETECT_BYTES, DETECT_LINES } from "./detect-format.js";
export { parseTimestamp } from "./timestamp.js";
export { classifyKernelLog, parseDevPrefix, type KernelLogFact } from "./kernel-log.js";
export { parseDmesgLine, type DmesgLine } from "./dmesg-line.js";
export { recoverOps, opOfFreeSite, type OpEvidence, type OpAssignment } from "./op-recovery.js";
export { KMALLOC_WINDOW, KFREE_WINDOW } from "./kmem-linker.js";
export {
  encodePartial,
  decodePartial,
  transferables,
  type EncodedPartial,
  type PackedEvents,
} from "./partial-codec.js";
