// devscope command entry point: `node packages/cli/dist/main.js <command> ...`.
import { runCli } from "./cli.js";

const code = await runCli(process.argv.slice(2), {
  stdout: process.stdout,
  stderr: process.stderr,
  env: process.env,
  cwd: process.cwd(),
});
process.exitCode = code;
