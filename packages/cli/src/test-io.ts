import type { CliIo } from "./io.js";

/** An in-memory CliIo for tests: what the command wrote, per stream. */
export function memoryIo(
  opts: { tty?: boolean; env?: Record<string, string>; cwd?: string } = {},
): CliIo & { out: () => string; err: () => string } {
  let out = "";
  let err = "";
  return {
    stdout: { write: (s: string) => (out += s), isTTY: opts.tty === true },
    stderr: { write: (s: string) => (err += s), isTTY: false },
    env: opts.env ?? {},
    cwd: opts.cwd ?? process.cwd(),
    out: () => out,
    err: () => err,
  };
}
