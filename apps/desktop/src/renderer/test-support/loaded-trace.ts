import type { Analysis } from "@devscope/tracer";
import { buildTimelineBuffers } from "../timeline/timeline-buffers.ts";
import type { LoadedTrace } from "../worker/engine-types.ts";
import { smallAnalysis } from "./small-analysis.ts";

/** A LoadedTrace as the worker returns it, around a hand-written analysis. */
export function loadedTrace(analysis: Analysis = smallAnalysis()): LoadedTrace {
  return {
    title: "small.ftrace.txt",
    origin: "file",
    analysis,
    inputs: [
      {
        name: "small.ftrace.txt",
        format: "ftrace",
        bytes: 123456,
        gzip: false,
        lines: analysis.lines,
        notes: ["12 devres names lived in a module unloaded before the trace was read."],
        events: 300,
        parseMs: 12,
      },
    ],
    timeline: buildTimelineBuffers(analysis),
    timing: { parseMs: 12, analyzeMs: 3, buildMs: 1 },
  };
}
