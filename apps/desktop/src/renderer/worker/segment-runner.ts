import type { SegmentOutcome, SegmentRunner } from "./segment-parse.ts";

type Reply =
  | { kind: "progress"; bytes: number }
  | { kind: "done"; out: SegmentOutcome }
  | { kind: "error"; message: string };

/** Runs each segment job in its own module Web Worker (terminated when done or cancelled). */
export const workerRunner: SegmentRunner = {
  run(job, onBytes, signal) {
    return new Promise<SegmentOutcome>((resolve, reject) => {
      const w = new Worker(new URL("./segment.worker.ts", import.meta.url), {
        type: "module",
        name: "devscope-segment",
      });
      const stop = (): void => {
        w.terminate();
        reject(Object.assign(new Error("segment cancelled"), { name: "CancelledError" }));
      };
      if (signal.aborted) return stop();
      signal.addEventListener("abort", stop, { once: true });
      w.onmessage = (e: MessageEvent<Reply>) => {
        const r = e.data;
        if (r.kind === "progress") onBytes(r.bytes);
        else {
          signal.removeEventListener("abort", stop);
          w.terminate();
          if (r.kind === "done") resolve(r.out);
          else reject(new Error(`segment worker: ${r.message}`));
        }
      };
      w.onerror = (e) => {
        signal.removeEventListener("abort", stop);
        w.terminate();
        reject(new Error(`segment worker failed: ${e.message}`));
      };
      w.postMessage(job);
    });
  },
};
