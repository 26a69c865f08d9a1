import cliProgress from "cli-progress";
import type { OutputStream } from "./io.js";

/** Files smaller than this load too fast for a bar to help (bytes). */
export const PROGRESS_MIN_BYTES = 8 * 1024 * 1024;

export interface ProgressSink {
  update(file: number, bytesRead: number, totalBytes: number): void;
  stop(): void;
}

/**
 * A progress bar on stderr while large inputs load (cli-progress), only when stderr is a
 * terminal: piped or redirected output stays clean.
 */
export function createProgress(
  stderr: OutputStream,
  files: readonly string[],
  totalBytes: number,
): ProgressSink | undefined {
  if (stderr.isTTY !== true || totalBytes < PROGRESS_MIN_BYTES) return undefined;
  const bar = new cliProgress.SingleBar(
    {
      stream: stderr as unknown as NodeJS.WritableStream,
      format: "  reading {file} [{bar}] {percentage}% | {valueMiB}/{totalMiB} MiB",
      hideCursor: true,
      clearOnComplete: true,
      barsize: 30,
    },
    cliProgress.Presets.shades_classic,
  );
  const mib = (n: number): string => (n / 1024 / 1024).toFixed(1);
  let base = 0;
  let current = -1;
  const sizes: number[] = [];
  bar.start(totalBytes, 0, { file: files[0] ?? "", valueMiB: "0.0", totalMiB: mib(totalBytes) });
  return {
    update(file, read, size) {
      if (file !== current) {
        if (current >= 0) base += sizes[current] ?? 0;
        sizes[file] = size;
        current = file;
      }
      bar.update(base + read, {
        file: files[file] ?? "",
        valueMiB: mib(base + read),
        totalMiB: mib(totalBytes),
      });
    },
    stop() {
      bar.stop();
    },
  };
}
