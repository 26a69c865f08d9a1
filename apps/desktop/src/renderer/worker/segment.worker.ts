import { parseBlobRange, type SegmentJob } from "./segment-parse.ts";

// A segment worker: parses one byte range of a large plain trace for the engine worker
// (parallel import) and posts the SegmentPartial and line index back. Progress messages are
// throttled; cancel = the engine terminates this worker.
const PROGRESS_MS = 50;
self.onmessage = async (e: MessageEvent<SegmentJob>) => {
  let last = 0;
  try {
    const out = await parseBlobRange(e.data, undefined, (n) => {
      const now = performance.now();
      if (now - last < PROGRESS_MS) return;
      last = now;
      self.postMessage({ kind: "progress", bytes: n });
    });
    self.postMessage({ kind: "done", out });
  } catch (err) {
    self.postMessage({ kind: "error", message: err instanceof Error ? err.message : String(err) });
  }
};
