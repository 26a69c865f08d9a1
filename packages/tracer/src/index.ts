// @devscope/tracer public API (pure: runs in Node, the CLI and a browser worker).
export * from "./model/events.js";
export * from "./model/analysis.js";
export * from "./import/index.js";
export {
  writeFtrace,
  ftraceLine,
  ftraceContext,
  ftracePayload,
  ftraceHeader,
  type FtraceWriteOptions,
  type FtraceOutput,
} from "./format/ftrace-writer.js";
export {
  writeDmesg,
  dmesgLine,
  dmesgTime,
  kernelLogText,
  devresNameText,
  type DmesgOutput,
} from "./format/dmesg-writer.js";
export { writeJsonl, jsonlLines, eventToJson, headerToJson } from "./format/jsonl-writer.js";
export {
  parseJsonlEvent,
  parseJsonlHeader,
  type JsonlLineResult,
  type JsonlHeaderResult,
} from "./format/jsonl-reader.js";
export {
  KIND_FIELDS,
  ORIGIN_FIELDS,
  type JsonlHeader,
  type JsonValue,
  type FieldSpec,
} from "./format/jsonl-schema.js";
// Lifecycle rebuild, rules and reports (docs/analysis-json.md, docs/rules.md).
export {
  analyzeEvents,
  buildModel,
  runRules,
  toAnalysis,
  type AnalyzeOptions,
} from "./analysis/analyze-events.js";
export { analyzeImports } from "./analysis/analyze-imports.js";
export {
  mergeImports,
  estimateOffset,
  type MergedInputs,
  type ClockOffset,
} from "./analysis/merge-inputs.js";
export {
  classifyDevres,
  classifyDrmm,
  releaseNameSource,
  knownReleaseNames,
  type KindResult,
} from "./analysis/resource-kinds.js";
export type {
  AnalysisModel,
  DeviceRecord,
  DevresAnomaly,
  EpochRecord,
  ResourceRecord,
} from "./analysis/analysis-model.js";
export { ALL_RULES, type Rule, type RuleInfo } from "./rules/index.js";
export { renderText, type TextReportOptions } from "./report/text-report.js";
export { renderJson } from "./report/json-report.js";
export { renderSarif, toSarif, SARIF_SCHEMA, type SarifOptions } from "./report/sarif-report.js";
// Trace diff by resource identity (docs/diff.md).
export * from "./diff/index.js";
