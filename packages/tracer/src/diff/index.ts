// Trace diff by resource identity (docs/diff.md).
export * from "./diff-model.js";
export { diffAnalyses } from "./diff-analyses.js";
export {
  alignSequences,
  alignmentCost,
  ALIGN_COST,
  type AlignStep,
  type AlignTokens,
} from "./sequence-align.js";
export { nameAddrKey } from "./resource-names.js";
export { parseDeviceMapping } from "./device-pairing.js";
export { renderDiffText, type DiffTextOptions } from "./diff-text.js";
export { renderDiffJson } from "./diff-json.js";
