import { Command, CommanderError } from "commander";
import { registerAnalyze } from "./commands/analyze.js";
import { registerSim } from "./commands/sim.js";
import { registerDiff } from "./commands/diff.js";
import { CliError, type CliIo, EXIT } from "./io.js";

/**
 * The `devscope` program. Each command lives in its own file under commands/ and registers
 * itself here (analyze now; sim and diff are added the same way).
 */
export function buildProgram(io: CliIo, setExit: (code: number) => void): Command {
  const program = new Command("devscope")
    .description("debug device-managed resources (devres) from real kernel traces")
    .version("0.1.0", "-V, --version")
    .showHelpAfterError("(run with --help for usage)")
    .configureOutput({
      writeOut: (s) => io.stdout.write(s),
      writeErr: (s) => io.stderr.write(s),
    })
    .exitOverride();
  registerAnalyze(program, io, setExit);
  registerSim(program, io, setExit);
  registerDiff(program, io, setExit);
  for (const c of program.commands)
    c.exitOverride().configureOutput({
      writeOut: (s) => io.stdout.write(s),
      writeErr: (s) => io.stderr.write(s),
    });
  return program;
}

/** Run `devscope <argv...>` and return its exit code; never throws for user errors. */
export async function runCli(argv: readonly string[], io: CliIo): Promise<number> {
  let code: number = EXIT.ok;
  const program = buildProgram(io, (c) => {
    code = c;
  });
  if (argv.length === 0) {
    program.outputHelp({ error: true });
    return EXIT.usage;
  }
  try {
    await program.parseAsync([...argv], { from: "user" });
    return code;
  } catch (e) {
    if (e instanceof CommanderError) {
      // --help and --version end with exit code 0; every parse error is a usage error.
      if (
        e.code === "commander.helpDisplayed" ||
        e.code === "commander.version" ||
        e.code === "commander.help"
      )
        return EXIT.ok;
      return EXIT.usage;
    }
    if (e instanceof CliError) {
      io.stderr.write(`devscope: ${e.message}\n`);
      return e.exitCode;
    }
    io.stderr.write(
      `devscope: internal error: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`,
    );
    return EXIT.usage;
  }
}
