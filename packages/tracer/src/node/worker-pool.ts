/**
 * Parse worker threads for importFile: started as early as possible (a worker needs ~20-40 ms
 * to boot and load the parser, which the calling thread spends parsing), given one claim task
 * each (claimed-segments.ts), then terminated. Without the built worker script (running from
 * TypeScript sources) there are no workers and the calling thread parses everything: same
 * results, no parallelism.
 */
import { existsSync } from "node:fs";
import { availableParallelism, loadavg } from "node:os";
import { fileURLToPath } from "node:url";
import { Worker } from "node:worker_threads";
import { decodePartial } from "../import/partial-codec.js";
import type { ClaimedSegment } from "./claimed-segments.js";
import type { ClaimReply, ClaimTask } from "./parse-worker.js";

/** The compiled worker entry. From sources (vitest) this resolves into the package's dist/. */
export function workerScript(): string | undefined {
  const here = fileURLToPath(import.meta.url);
  const candidate = here.endsWith(".ts")
    ? fileURLToPath(new URL("../../dist/node/parse-worker.js", import.meta.url))
    : fileURLToPath(new URL("./parse-worker.js", import.meta.url));
  return existsSync(candidate) ? candidate : undefined;
}

/**
 * Parsing threads by default (this one included): the cores that are idle now, at most 8.
 * On a machine already busy with other work a second parse thread mostly costs its start-up
 * and JIT warm-up (the work itself rebalances: a slow thread claims fewer chunks), so the
 * 1-minute load average is subtracted from the core count.
 */
export function defaultThreads(): number {
  const cores = availableParallelism();
  const idle = Math.round(cores - (loadavg()[0] ?? 0) + 0.5);
  return Math.max(1, Math.min(8, cores, idle));
}

export class ParseWorkers {
  private readonly workers: Worker[] = [];

  /** Starts `count` workers now (none when the compiled script is missing). */
  constructor(count: number) {
    const script = count > 0 ? workerScript() : undefined;
    if (script === undefined) return;
    for (let i = 0; i < count; i++) this.workers.push(new Worker(script));
  }

  get count(): number {
    return this.workers.length;
  }

  /** Runs one claim task on worker `i`; resolves with the segments it parsed. */
  run(i: number, task: ClaimTask): Promise<ClaimedSegment[]> {
    const w = this.workers[i] as Worker;
    return new Promise<ClaimedSegment[]>((resolve, reject) => {
      const onError = (e: Error): void => {
        w.off("message", onMessage);
        reject(e);
      };
      const onMessage = (r: ClaimReply): void => {
        w.off("error", onError);
        if (r.ok)
          resolve(
            r.segments.map((s) => ({
              firstChunk: s.firstChunk,
              endChunk: s.endChunk,
              partial: decodePartial(s.partial),
            })),
          );
        else reject(new Error(r.error));
      };
      w.once("message", onMessage);
      w.once("error", onError);
      w.postMessage(task);
    });
  }

  async close(): Promise<void> {
    await Promise.all(this.workers.map((w) => w.terminate()));
  }
}
