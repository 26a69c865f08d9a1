import { open, stat } from "node:fs/promises";
import { readFile } from "node:fs/promises";
import { resolve } from "node:path";
import { type Command, InvalidArgumentError, Option } from "commander";
import { runScenario } from "@devscope/hw-sim";
import {
  ANALYSIS_SCHEMA,
  type Analysis,
  analyzeImports,
  importText,
  type DeviceMapping,
  diffAnalyses,
  DiffInputError,
  type DiffResult,
  type KeepKmem,
  parseDeviceMapping,
  renderDiffJson,
  renderDiffText,
} from "@devscope/tracer";
import { analyzeFiles, InputFileError } from "@devscope/tracer/node";
import { CliError, type CliIo, EXIT, useColor } from "../io.js";
import { writeOutput } from "../output.js";
import { createProgress } from "../progress.js";
import { kmemOption } from "../kmem-option.js";

/**
 * `devscope diff A B [--map A=B ...] [--format text|json]`: compare two traces by resource
 * identity (docs/diff.md). Each side is a trace file, several files of one boot joined with
 * `+` (`x.ftrace.txt+x.dmesg.txt`), an analysis saved by `devscope analyze --format json`, or
 * `sim:<scenario>[@<seed>]`, a simulator run (its ftrace text and dmesg, imported like a capture).
 * Exit code: 0 compared, 1 some paired epoch scored below --fail-under, 2 usage or input error.
 */
export type DiffFormat = "text" | "json";

export interface DiffFlags {
  format: DiffFormat;
  /** `--map` values as given (`A=B`, each side optionally `#epoch`). */
  map: string[];
  autoPair: boolean;
  epochs: "auto" | "order" | "best";
  /** Matched rows kept around each difference in the text table; -1 = all. */
  context: number;
  output?: string;
  color?: boolean;
  /** Exit 1 when a paired device has an epoch scoring below this (0–1). */
  failUnder?: number;
  kmem: KeepKmem | "auto";
}

export function registerDiff(program: Command, io: CliIo, setExit: (code: number) => void): void {
  program
    .command("diff")
    .description(
      "compare two traces by resource identity: devices, bind epochs, acquisition and release order",
    )
    .argument(
      "<a>",
      "trace A: a file, files of one boot joined with + (x.ftrace.txt+x.dmesg.txt), an analysis JSON, or sim:SCENARIO[@SEED]",
    )
    .argument("<b>", "trace B: same forms as A")
    .option(
      "-m, --map <A=B>",
      "compare device A of trace A with device B of trace B (repeatable; DEV#N selects one bind epoch)",
      (v: string, prev: string[] | undefined) => [...(prev ?? []), v],
    )
    .addOption(
      new Option("-f, --format <format>", "output format")
        .choices(["text", "json"])
        .default("text"),
    )
    .option(
      "--auto-pair",
      "pair differently named devices by resource similarity (said in the output)",
    )
    .addOption(
      new Option(
        "--epochs <mode>",
        "epoch pairing: in order, by best score, or auto (order when the counts match)",
      )
        .choices(["auto", "order", "best"])
        .default("auto"),
    )
    .option(
      "-C, --context <rows>",
      "matched rows shown around each difference (text; -1 = all)",
      parseContext,
      2,
    )
    .option(
      "--fail-under <score>",
      "exit 1 when a paired epoch scores below this (0-1)",
      parseScore,
    )
    .option("-o, --output <file>", "write the diff to a file instead of stdout")
    .option("--no-color", "no ANSI colours in the text output (also NO_COLOR)")
    .addOption(kmemOption())
    .action(
      async (
        a: string,
        b: string,
        raw: {
          map?: string[];
          format: DiffFormat;
          autoPair?: boolean;
          epochs: DiffFlags["epochs"];
          context: number;
          failUnder?: number;
          output?: string;
          color?: boolean;
          kmem: KeepKmem | "auto";
        },
      ) => {
        const flags: DiffFlags = {
          format: raw.format,
          map: raw.map ?? [],
          autoPair: raw.autoPair === true,
          epochs: raw.epochs,
          context: raw.context,
          kmem: raw.kmem,
        };
        if (raw.failUnder !== undefined) flags.failUnder = raw.failUnder;
        if (raw.output !== undefined) flags.output = raw.output;
        if (raw.color === false) flags.color = false;
        setExit(await runDiff(a, b, flags, io));
      },
    );
}

function parseContext(v: string): number {
  const n = Number(v);
  if (!Number.isInteger(n) || n < -1) throw new InvalidArgumentError("expected an integer >= -1");
  return n;
}

function parseScore(v: string): number {
  const n = Number(v);
  if (v.trim() === "" || !Number.isFinite(n) || n < 0 || n > 1)
    throw new InvalidArgumentError("expected a score between 0 and 1");
  return n;
}

/** One side, loaded. */
interface Side {
  analysis: Analysis;
  /** Paths as the user typed them. */
  paths: string[];
  /** Inputs that could not be read completely. */
  errors: string[];
}

export async function runDiff(a: string, b: string, flags: DiffFlags, io: CliIo): Promise<number> {
  const map: DeviceMapping[] = [];
  try {
    for (const m of flags.map) map.push(parseDeviceMapping(m));
  } catch (e) {
    if (e instanceof DiffInputError) throw new CliError(e.message);
    throw e;
  }
  const sideA = await loadSide(a, "A", flags, io);
  const sideB = await loadSide(b, "B", flags, io);
  let d: DiffResult;
  try {
    d = diffAnalyses(sideA.analysis, sideB.analysis, {
      map,
      autoPair: flags.autoPair,
      epochPairing: flags.epochs,
      labelA: sideA.paths,
      labelB: sideB.paths,
    });
  } catch (e) {
    if (e instanceof DiffInputError) throw new CliError(e.message);
    throw e;
  }
  const target = flags.output !== undefined ? undefined : io.stdout;
  const color = target !== undefined && useColor(target, io.env, flags.color);
  const text =
    flags.format === "json"
      ? renderDiffJson(d)
      : renderDiffText(d, { color, context: flags.context, width: io.stdout.columns ?? 120 });
  if (await writeOutput(io, flags.output, text)) {
    io.stderr.write(`devscope: ${flags.format} diff written to ${flags.output}\n`);
  }
  const errors = [...sideA.errors, ...sideB.errors];
  for (const err of errors) io.stderr.write(`devscope: input error: ${err}\n`);
  if (errors.length > 0) return EXIT.usage;
  return failsUnder(d, flags.failUnder) ? EXIT.findings : EXIT.ok;
}

/** True when a paired device has an epoch (paired or not) scoring below the threshold. */
export function failsUnder(d: DiffResult, threshold: number | undefined): boolean {
  if (threshold === undefined) return false;
  return d.devices.some((dev) => dev.epochs.some((e) => e.score < threshold));
}

/** The files of one side: the path itself, or `x+y` when `x+y` is not a file. */
async function sidePaths(spec: string, label: string, io: CliIo): Promise<string[]> {
  if (spec.trim() === "") throw new CliError(`trace ${label}: empty path`);
  const whole = await kindOf(resolve(io.cwd, spec));
  if (whole === "file") return [spec];
  const parts = spec.split("+");
  if (whole === "missing" && parts.length > 1 && parts.every((p) => p !== "")) {
    for (const p of parts) {
      const k = await kindOf(resolve(io.cwd, p));
      if (k !== "file")
        throw new CliError(`trace ${label}: ${p}: ${k === "missing" ? "no such file" : k}`);
    }
    return parts;
  }
  throw new CliError(`trace ${label}: ${spec}: ${whole === "missing" ? "no such file" : whole}`);
}

async function kindOf(path: string): Promise<"file" | "missing" | string> {
  try {
    const s = await stat(path);
    return s.isFile() ? "file" : "not a regular file";
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    return code === "ENOENT" || code === "ENOTDIR"
      ? "missing"
      : code === "EACCES"
        ? "permission denied"
        : String(e);
  }
}

const ANALYSIS_HEAD = /^\s*\{\s*"schema"\s*:\s*"devscope\.analysis\/(\d+)"/;

/** First bytes of a file (analysis JSON detection). */
async function head(path: string): Promise<string> {
  const fh = await open(path, "r");
  try {
    const buf = Buffer.alloc(256);
    const { bytesRead } = await fh.read(buf, 0, buf.length, 0);
    return buf.subarray(0, bytesRead).toString("utf8");
  } finally {
    await fh.close();
  }
}

/** `sim:<scenario>[@<seed>]`: a simulator run as one side (when no such file exists). */
const SIM_SPEC = /^sim:([\w.-]+)(?:@(\d+))?$/;

/**
 * Run a hw-sim scenario and analyse what a real kernel would have left: its ftrace text and
 * its dmesg, imported like a capture and its dmesg.
 */
function simSide(id: string, seed: number, label: string, spec: string): Side {
  let ftrace: string;
  let dmesg: string;
  try {
    const r = runScenario(id, { seed });
    ftrace = r.ftrace();
    dmesg = r.dmesg();
  } catch (e) {
    throw new CliError(`trace ${label}: ${spec}: ${e instanceof Error ? e.message : String(e)}`);
  }
  const analysis = analyzeImports([
    importText(ftrace, { path: `${spec}.ftrace.txt`, src: 0 }),
    importText(dmesg, { path: `${spec}.dmesg.txt`, src: 1 }),
  ]);
  return { analysis, paths: [spec], errors: [] };
}

async function loadSide(
  spec: string,
  label: "A" | "B",
  flags: DiffFlags,
  io: CliIo,
): Promise<Side> {
  const sim = SIM_SPEC.exec(spec);
  if (sim?.[1] !== undefined && (await kindOf(resolve(io.cwd, spec))) === "missing")
    return simSide(sim[1], sim[2] !== undefined ? Number(sim[2]) : 1, label, spec);
  const files = await sidePaths(spec, label, io);
  const paths = files.map((f) => resolve(io.cwd, f));
  const heads = await Promise.all(paths.map(head));
  const jsonAt = heads.findIndex((h) => ANALYSIS_HEAD.test(h));
  if (jsonAt >= 0) {
    if (files.length > 1)
      throw new CliError(
        `trace ${label}: ${files[jsonAt]} is an analysis JSON; it cannot be merged with other inputs`,
      );
    return {
      analysis: await readAnalysis(paths[0] as string, files[0] as string, label),
      paths: files,
      errors: [],
    };
  }
  let total = 0;
  for (const p of paths) total += (await stat(p)).size;
  const progress = createProgress(io.stderr, files, total);
  try {
    const res = await analyzeFiles(paths, {
      keepKmem: flags.kmem,
      ...(progress !== undefined
        ? { onProgress: (f: number, read: number, size: number) => progress.update(f, read, size) }
        : {}),
    });
    const errors = res.imports.filter((r) => r.error !== undefined).map((r) => r.error as string);
    if (errors.length === paths.length && res.analysis.lines.total === 0)
      throw new CliError(`trace ${label}: ${errors.join("; ")}`);
    res.analysis.inputs.forEach((inp, i) => {
      inp.path = files[i] ?? inp.path;
    });
    return { analysis: res.analysis, paths: files, errors };
  } catch (e) {
    if (e instanceof InputFileError) throw new CliError(`trace ${label}: ${e.message}`);
    throw e;
  } finally {
    progress?.stop();
  }
}

/** An analysis saved by `devscope analyze --format json`, checked enough to diff safely. */
async function readAnalysis(path: string, shown: string, label: string): Promise<Analysis> {
  let v: unknown;
  try {
    v = JSON.parse(await readFile(path, "utf8"));
  } catch (e) {
    throw new CliError(
      `trace ${label}: ${shown}: not valid JSON (${e instanceof Error ? e.message : String(e)})`,
    );
  }
  const o = v as Partial<Analysis> | null;
  if (o === null || typeof o !== "object" || o.schema !== ANALYSIS_SCHEMA)
    throw new CliError(
      `trace ${label}: ${shown}: expected an analysis with schema "${ANALYSIS_SCHEMA}"`,
    );
  if (!Array.isArray(o.devices) || !Array.isArray(o.resources) || !Array.isArray(o.inputs))
    throw new CliError(
      `trace ${label}: ${shown}: expected "devices", "resources" and "inputs" arrays`,
    );
  o.resources.forEach((r, i) => {
    if (
      typeof r?.device !== "string" ||
      typeof r.name !== "string" ||
      typeof r.size !== "number" ||
      typeof r.epoch !== "number" ||
      (r.list !== "devres" && r.list !== "drmm")
    )
      throw new CliError(
        `trace ${label}: ${shown}: resources[${i}] lacks device/name/size/epoch/list`,
      );
  });
  return o as Analysis;
}
