/**
 * Where a command reads its environment and writes its output. main.ts wires it to the
 * process; tests pass an in-memory one and read what was written.
 */
export interface OutputStream {
  write(chunk: string): unknown;
  /** True on a terminal (colours, progress bars). */
  isTTY?: boolean;
  columns?: number;
}

export interface CliIo {
  stdout: OutputStream;
  stderr: OutputStream;
  env: Readonly<Record<string, string | undefined>>;
  /** Directory relative paths are resolved against. */
  cwd: string;
}

/** Exit codes of every devscope command. */
export const EXIT = {
  /** Nothing at or above the --fail-on threshold. */
  ok: 0,
  /** Findings at or above the threshold. */
  findings: 1,
  /** Bad usage (unknown flag, missing argument) or unreadable input. */
  usage: 2,
} as const;

/** A usage or input problem: reported as `devscope: <message>` with exit code 2. */
export class CliError extends Error {
  constructor(
    message: string,
    readonly exitCode: number = EXIT.usage,
  ) {
    super(message);
    this.name = "CliError";
  }
}

/** Colours only on a TTY, and never with NO_COLOR set (https://no-color.org). */
export function useColor(stream: OutputStream, env: CliIo["env"], flag?: boolean): boolean {
  if (flag === false) return false;
  if (env.NO_COLOR !== undefined && env.NO_COLOR !== "") return false;
  if (env.FORCE_COLOR !== undefined && env.FORCE_COLOR !== "" && env.FORCE_COLOR !== "0")
    return true;
  return stream.isTTY === true;
}
