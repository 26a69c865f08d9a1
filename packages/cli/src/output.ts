import { mkdir, writeFile } from "node:fs/promises";
import { dirname, resolve } from "node:path";
import { CliError, type CliIo } from "./io.js";

/**
 * Writes a command's output: to stdout when `path` is undefined or `-`, otherwise to the file
 * (resolved against the command's cwd, directories created). Returns true when a file was
 * written, so the command can say where on stderr.
 */
export async function writeOutput(
  io: CliIo,
  path: string | undefined,
  text: string,
): Promise<boolean> {
  if (path === undefined || path === "-") {
    io.stdout.write(text);
    return false;
  }
  const abs = resolve(io.cwd, path);
  try {
    await mkdir(dirname(abs), { recursive: true });
    await writeFile(abs, text);
  } catch (e) {
    throw new CliError(`cannot write ${path}: ${e instanceof Error ? e.message : String(e)}`);
  }
  return true;
}
