import { type Command } from "commander";
import {
  faultSummary,
  getScenario,
  listScenarios,
  runScenario,
  type ScenarioMeta,
} from "@devscope/hw-sim";
import { CliError, type CliIo, EXIT } from "../io.js";
import { writeOutput } from "../output.js";

/**
 * `devscope sim --list [--format text|json]` and
 * `devscope sim ID [--seed N] [--steps N] --out FILE [--format ftrace|jsonl] [--dmesg FILE]`:
 * list the bug scenarios, or run one on the simulated machine and write the trace a real 6.1
 * kernel would have written (ftrace text, or devscope JSONL), ready for `devscope analyze`.
 */
export interface SimFlags {
  list: boolean;
  format?: string;
  seed?: string;
  steps?: string;
  out?: string;
  dmesg?: string;
}

export function registerSim(program: Command, io: CliIo, setExit: (code: number) => void): void {
  program
    .command("sim")
    .description("run a simulated NIC/GPU bug scenario and write the kernel trace it produces")
    .argument("[id]", "scenario id (see --list)")
    .option("-l, --list", "list the scenarios", false)
    .option(
      "-f, --format <format>",
      "--list: text|json (default text); run: ftrace|jsonl (default ftrace)",
    )
    .option("-s, --seed <n>", "seed: timing jitter, addresses, pointer hashes (default 1)")
    .option("--steps <n>", "cycles / failure points / open-close rounds, per scenario (see --list)")
    .option("-o, --out <file>", "where to write the trace (- for stdout)")
    .option("--dmesg <file>", "also write the kernel log (dmesg) of the run")
    .action(async (id: string | undefined, raw: SimFlags) => {
      setExit(await runSim(id, raw, io));
    });
}

function intFlag(name: string, v: string | undefined): number | undefined {
  if (v === undefined) return undefined;
  if (!/^\d+$/.test(v))
    throw new CliError(`--${name}: expected a non-negative integer, got "${v}"`);
  return Number(v);
}

function listText(list: readonly ScenarioMeta[]): string {
  const w = Math.max(...list.map((s) => s.id.length));
  let out = "";
  for (const s of list) {
    const rules = s.expectedRules.length === 0 ? "(clean)" : s.expectedRules.join(", ");
    out += `${s.id.padEnd(w)}  ${s.device.padEnd(3)}  ${s.title}\n`;
    out += `${" ".repeat(w)}       source: ${s.source.kind} ${s.source.ref} — ${s.source.subject}\n`;
    out += `${" ".repeat(w)}       expect: ${rules}${s.steps !== undefined ? `; --steps = ${s.steps.meaning} (default ${s.steps.default})` : ""}\n`;
  }
  return out;
}

export async function runSim(id: string | undefined, flags: SimFlags, io: CliIo): Promise<number> {
  if (flags.list) {
    const fmt = flags.format ?? "text";
    if (fmt !== "text" && fmt !== "json")
      throw new CliError(`--format for --list: expected text or json, got "${fmt}"`);
    const list = listScenarios();
    io.stdout.write(fmt === "json" ? JSON.stringify(list, null, 2) + "\n" : listText(list));
    return EXIT.ok;
  }
  if (id === undefined)
    throw new CliError("sim: give a scenario id (devscope sim --list shows them) or --list");
  const s = getScenario(id);
  if (s === undefined)
    throw new CliError(
      `sim: unknown scenario "${id}" (known: ${listScenarios()
        .map((x) => x.id)
        .join(", ")})`,
    );
  const fmt = flags.format ?? "ftrace";
  if (fmt !== "ftrace" && fmt !== "jsonl")
    throw new CliError(`--format: expected ftrace or jsonl, got "${fmt}"`);
  if (flags.out === undefined)
    throw new CliError("sim: --out FILE is required (- writes to stdout)");
  const seed = intFlag("seed", flags.seed) ?? 1;
  const steps = intFlag("steps", flags.steps);
  if (steps !== undefined && s.steps === undefined)
    throw new CliError(`sim: scenario "${id}" takes no --steps`);
  let r;
  try {
    r = runScenario(id, { seed, ...(steps !== undefined ? { steps } : {}) });
  } catch (e) {
    throw new CliError(`sim ${id}: ${e instanceof Error ? e.message : String(e)}`);
  }
  const text = fmt === "jsonl" ? r.jsonl() : r.ftrace();
  await writeOutput(io, flags.out, text);
  if (flags.dmesg !== undefined) await writeOutput(io, flags.dmesg, r.dmesg());
  const lines = text.length === 0 ? 0 : text.split("\n").length - (text.endsWith("\n") ? 1 : 0);
  const expect =
    r.meta.expectedRules.length === 0 ? "no findings" : r.meta.expectedRules.join(", ");
  let msg = `devscope: ${id} (seed ${seed}): ${lines} ${fmt} lines written to ${flags.out === "-" ? "stdout" : flags.out}; devscope analyze should report: ${expect}\n`;
  if (r.faults.length > 0) {
    msg += `devscope: the DMA checker saw ${r.faults.length} bad device access${r.faults.length === 1 ? "" : "es"}; first: ${faultSummary(r.faults[0] as (typeof r.faults)[number])}\n`;
  }
  io.stderr.write(msg);
  return EXIT.ok;
}
