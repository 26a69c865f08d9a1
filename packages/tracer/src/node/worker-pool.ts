/**
 * Runs segment parses on worker threads and on the calling thread together.
 *
 * `threads` counts the calling thread: with 2 cores, one worker thread plus this one. Each
 * worker keeps up to PREFETCH tasks queued (its port delivers them back to back); the calling
 * thread takes a task itself only when every worker is saturated, so its own parses never
 * starve the workers, and its results need no copy across threads. Without the built worker
 * script (running from TypeScript sources) everything runs on the calling thread: same
 * results, no parallelism.
 */
import { existsSync } from "node:fs";
import { availableParallelism, loadavg } from "node:os";
import { fileURLToPath } from "node:url";
import { Worker } from "node:worker_threads";
import { decodePartial } from "../import/partial-codec.js";
import type { SegmentPartial } from "../import/segment-parser.js";
import { parseSegment, type SegmentReply, type SegmentTask } from "./parse-worker.js";

/** Tasks queued per worker. */
const PREFETCH = 2;

/** The compiled worker entry. From sources (vitest) this resolves into the package's dist/. */
export function workerScript(): string | undefined {
  const here = fileURLToPath(import.meta.url);
  const candidate = here.endsWith(".ts") ? fileURLToPath(new URL("../../dist/node/parse-worker.js", import.meta.url)) : fileURLToPath(new URL("./parse-worker.js", import.meta.url));
  return existsSync(candidate) ? candidate : undefined;
}

/**
 * Parsing threads by default (this one included): the cores that are idle now, at most 8.
 * A second parse thread only helps on an idle core: on a machine already busy with other
 * work, two threads of ours share one core and both finish later (measured on 2 cores: a
 * segment took ~4x longer with the other core saturated), so the 1-minute load average is
 * subtracted from the core count.
 */
export function defaultThreads(): number {
  const cores = availableParallelism();
  const idle = Math.round(cores - (loadavg()[0] ?? 0) + 0.5);
  return Math.max(1, Math.min(8, cores, idle));
}

interface Job {
  task: SegmentTask;
  transfer: ArrayBuffer[];
}

interface Slot {
  worker: Worker;
  inFlight: number;
}

export class SegmentScheduler {
  readonly results: (SegmentPartial | undefined)[] = [];
  private readonly slots: Slot[] = [];
  private readonly queue: Job[] = [];
  private inFlight = 0;
  private failure: Error | undefined;
  private cancelled = false;
  private wake: (() => void) | undefined;
  /** Called when a segment is parsed (any thread). */
  onDone: ((id: number) => void) | undefined;

  /** `threads` parsing threads, this one included (so threads - 1 workers). */
  constructor(threads: number) {
    const script = threads > 1 ? workerScript() : undefined;
    if (script === undefined) return;
    for (let i = 0; i < threads - 1; i++) {
      const worker = new Worker(script);
      const slot: Slot = { worker, inFlight: 0 };
      worker.on("message", (r: SegmentReply) => this.done(slot, r));
      worker.on("error", (e) => this.fail(e));
      this.slots.push(slot);
    }
  }

  /** Number of worker threads (0: everything runs on this thread). */
  get workers(): number {
    return this.slots.length;
  }

  add(task: SegmentTask, transfer: ArrayBuffer[] = []): void {
    this.queue.push({ task, transfer });
    this.pump();
  }

  /** Runs queued tasks (here and on the workers) until none is queued or in flight. */
  async drain(): Promise<void> {
    for (;;) {
      if (this.failure) throw this.failure;
      if (this.cancelled) return;
      this.pump();
      if (this.queue.length > 0 && (this.slots.length === 0 || this.slots.every((s) => s.inFlight >= PREFETCH))) {
        const job = this.queue.pop() as Job;
        this.results[job.task.id] = parseSegment(job.task);
        this.onDone?.(job.task.id);
        // Let worker replies in before the next local task.
        await new Promise<void>((r) => setImmediate(r));
        continue;
      }
      if (this.queue.length === 0 && this.inFlight === 0) return;
      await new Promise<void>((r) => {
        this.wake = r;
      });
    }
  }

  /** Tasks waiting (not yet on any thread). */
  get queued(): number {
    return this.queue.length;
  }

  /** Runs one queued task on this thread, if any; then lets worker replies in. */
  async step(): Promise<boolean> {
    if (this.failure) throw this.failure;
    const job = this.queue.pop();
    if (!job) return false;
    this.results[job.task.id] = parseSegment(job.task);
    this.onDone?.(job.task.id);
    await new Promise<void>((r) => setImmediate(r));
    return true;
  }

  cancel(): void {
    this.cancelled = true;
    this.queue.length = 0;
    this.wake?.();
  }

  private pump(): void {
    for (const slot of this.slots) {
      while (slot.inFlight < PREFETCH && this.queue.length > 0 && !this.cancelled) {
        const job = this.queue.shift() as Job;
        slot.inFlight++;
        this.inFlight++;
        slot.worker.postMessage(job.task, job.transfer);
      }
    }
  }

  private done(slot: Slot, r: SegmentReply): void {
    slot.inFlight--;
    this.inFlight--;
    if (r.ok) {
      this.results[r.id] = decodePartial(r.partial);
      this.onDone?.(r.id);
    } else this.failure ??= new Error(r.error);
    this.pump();
    const w = this.wake;
    this.wake = undefined;
    w?.();
  }

  private fail(e: Error): void {
    this.failure ??= e;
    const w = this.wake;
    this.wake = undefined;
    w?.();
  }

  async close(): Promise<void> {
    this.cancel();
    await Promise.all(this.slots.map((s) => s.worker.terminate()));
  }
}
