import type { Finding, Severity } from "../model/analysis.js";
import type { AnalysisModel } from "../analysis/analysis-model.js";

/** What a rule is, for docs, SARIF `rules[]` and `--list-rules`. */
export interface RuleInfo {
  /** Stable id (`leak-unreleased`); never renamed. */
  id: string;
  /** Severity of its findings when nothing lowers it (lost events, cut-off starts). */
  severity: Severity;
  /** One line: what it detects. */
  title: string;
  /** Why it matters and what to do, a short paragraph. */
  help: string;
  /** The kernel mechanism, cited as `file :: function`. */
  kernel: string;
}

export interface Rule extends RuleInfo {
  run(model: AnalysisModel): Finding[];
}
