// @devscope/tracer public API (pure: runs in Node, the CLI and a browser worker).
export * from "./model/events.js";
export * from "./model/analysis.js";
