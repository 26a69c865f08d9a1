import { stat } from "node:fs/promises";
import { resolve } from "node:path";
import { type Command, Option } from "commander";
import {
  type Analysis,
  type KeepKmem,
  renderJson,
  renderSarif,
  renderText,
  type Severity,
} from "@devscope/tracer";
import { analyzeFiles, InputFileError } from "@devscope/tracer/node";
import { CliError, type CliIo, EXIT, useColor } from "../io.js";
import { writeOutput } from "../output.js";
import { createProgress } from "../progress.js";
import { kmemOption } from "../kmem-option.js";

/**
 * `devscope analyze FILE... [--format text|json|sarif] [--fail-on error|warning|never]
 *  [--output FILE]`: import the files (merged as one boot), rebuild every devres/drmm
 * lifecycle, run the rules, print a report. Exit code: 0 clean, 1 findings at or above
 * --fail-on, 2 usage or input error.
 */
export type ReportFormat = "text" | "json" | "sarif";
export type FailOn = Severity | "never";

export interface AnalyzeFlags {
  format: ReportFormat;
  failOn: FailOn;
  output?: string;
  color?: boolean;
  kmem: KeepKmem | "auto";
}

const FAIL_RANK: Record<FailOn, number> = { error: 0, warning: 1, info: 2, never: -1 };
const SEVERITY_RANK: Record<Severity, number> = { error: 0, warning: 1, info: 2 };

export function registerAnalyze(
  program: Command,
  io: CliIo,
  setExit: (code: number) => void,
): void {
  program
    .command("analyze")
    .description("rebuild devres/drmm lifecycles from kernel traces and report lifetime bugs")
    .argument(
      "<files...>",
      "ftrace text, trace_pipe, trace-cmd report, dmesg or devscope JSONL (.gz ok); several files of one boot are merged",
    )
    .addOption(
      new Option("-f, --format <format>", "report format")
        .choices(["text", "json", "sarif"])
        .default("text"),
    )
    .addOption(
      new Option("--fail-on <severity>", "exit 1 when a finding is at or above this severity")
        .choices(["error", "warning", "info", "never"])
        .default("error"),
    )
    .option("-o, --output <file>", "write the report to a file instead of stdout")
    .option("--no-color", "no ANSI colours in the text report (also NO_COLOR)")
    .addOption(kmemOption())
    .action(
      async (
        files: string[],
        raw: {
          format: ReportFormat;
          failOn: FailOn;
          output?: string;
          color?: boolean;
          kmem: KeepKmem | "auto";
        },
      ) => {
        const flags: AnalyzeFlags = { format: raw.format, failOn: raw.failOn, kmem: raw.kmem };
        if (raw.output !== undefined) flags.output = raw.output;
        if (raw.color === false) flags.color = false;
        setExit(await runAnalyze(files, flags, io));
      },
    );
}

export async function runAnalyze(
  files: readonly string[],
  flags: AnalyzeFlags,
  io: CliIo,
): Promise<number> {
  const paths = files.map((f) => resolve(io.cwd, f));
  let total = 0;
  for (let i = 0; i < paths.length; i++) {
    try {
      const s = await stat(paths[i] as string);
      if (!s.isFile()) throw new CliError(`${files[i]}: not a regular file`);
      total += s.size;
    } catch (e) {
      if (e instanceof CliError) throw e;
      const code = (e as NodeJS.ErrnoException).code;
      throw new CliError(
        `${files[i]}: ${code === "ENOENT" ? "no such file" : code === "EACCES" ? "permission denied" : String(e)}`,
      );
    }
  }
  const progress = createProgress(io.stderr, files, total);
  let analysis: Analysis;
  let inputErrors: string[];
  try {
    const res = await analyzeFiles(paths, {
      keepKmem: flags.kmem,
      ...(progress !== undefined
        ? { onProgress: (f: number, read: number, size: number) => progress.update(f, read, size) }
        : {}),
    });
    analysis = res.analysis;
    inputErrors = res.imports.filter((r) => r.error !== undefined).map((r) => r.error as string);
  } catch (e) {
    if (e instanceof InputFileError) throw new CliError(e.message);
    throw e;
  } finally {
    progress?.stop();
  }
  // Report paths as the user typed them.
  analysis.inputs.forEach((inp, i) => {
    inp.path = files[i] ?? inp.path;
  });

  if (inputErrors.length === paths.length && analysis.lines.total === 0) {
    // Nothing could be read at all: the errors are the whole story.
    for (const err of inputErrors) io.stderr.write(`devscope: ${err}\n`);
    return EXIT.usage;
  }
  const target = flags.output !== undefined ? undefined : io.stdout;
  const color = target !== undefined && useColor(target, io.env, flags.color);
  const text =
    flags.format === "json"
      ? renderJson(analysis)
      : flags.format === "sarif"
        ? renderSarif(analysis, { version: "0.1.0" })
        : renderText(analysis, { color });
  if (await writeOutput(io, flags.output, text)) {
    io.stderr.write(`devscope: ${flags.format} report written to ${flags.output}\n`);
  }
  for (const err of inputErrors) io.stderr.write(`devscope: input error: ${err}\n`);
  if (inputErrors.length > 0) return EXIT.usage;
  return exitFor(analysis, flags.failOn);
}

/** 1 when any finding is at or above the threshold, else 0. */
export function exitFor(a: Analysis, failOn: FailOn): number {
  if (failOn === "never") return EXIT.ok;
  const limit = FAIL_RANK[failOn];
  return a.findings.some((f) => SEVERITY_RANK[f.severity] <= limit) ? EXIT.findings : EXIT.ok;
}
