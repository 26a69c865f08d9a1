// @devscope/cli as a library: run the command in-process (tests, other tools).
export { buildProgram, runCli } from "./cli.js";
export { CliError, EXIT, useColor, type CliIo, type OutputStream } from "./io.js";
export {
  exitFor,
  runAnalyze,
  type AnalyzeFlags,
  type FailOn,
  type ReportFormat,
} from "./commands/analyze.js";
export { failsUnder, runDiff, type DiffFlags, type DiffFormat } from "./commands/diff.js";
export { runSim, type SimFlags } from "./commands/sim.js";
