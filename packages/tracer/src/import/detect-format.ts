/**
 * Format auto-detection from the head of an input: the complete lines among its first
 * DETECT_BYTES bytes, up to the DETECT_LINES-th non-blank one that is not a `#` comment (with the
 * comments before it). Deterministic in that prefix, so the
 * parallel importer (which detects once on the file head) and the streaming one agree.
 */
import { newContext, tokenizeFtraceLine, type FtraceContext } from "./ftrace-context.js";
import type { TraceFormat } from "./types.js";

export const DETECT_BYTES = 64 * 1024;
export const DETECT_LINES = 32;

const ascii = new TextEncoder();

/**
 * How one ftrace-looking line votes: "kernel" (the kernel's own context: a flags column outside
 * the latency layout), "trace-cmd" (the -l latency layout, or no flags and the event name padded
 * to 20 columns as tracecmd/trace-read.c :: print_event_name does), or "either".
 */
function lineVote(
  line: string,
  ctx: FtraceContext,
): "kernel" | "trace-cmd" | "perf" | "either" | "none" {
  const b = ascii.encode(line);
  if (!tokenizeFtraceLine(b, 0, b.length, ctx)) return "none";
  // perf script: a blank-separated tid or a "system:name" event (ftrace-context.ts).
  if (ctx.perf) return "perf";
  if (ctx.latency) return "trace-cmd";
  if (ctx.flagsEnd > ctx.flagsStart) return "kernel";
  const pad = 20 - (ctx.nameEnd - ctx.nameStart);
  if (pad <= 0) return "either";
  for (let k = 0; k < pad; k++) if (b[ctx.payloadStart + k] !== 0x20) return "either";
  return "trace-cmd";
}

export function detectFormat(lines: readonly string[]): TraceFormat {
  // The non-blank lines up to the DETECT_LINES-th that is not a comment.
  const nonBlank: string[] = [];
  let content = 0;
  for (const l of lines) {
    const t = l.trimStart();
    if (t === "") continue;
    nonBlank.push(l);
    if (!t.startsWith("#") && ++content >= DETECT_LINES) break;
  }
  const first = nonBlank[0]?.trimStart() ?? "";
  if (first.startsWith("{") && first.includes('"schema"')) return "jsonl";
  if (nonBlank.some((l) => l.startsWith("# tracer:"))) return "ftrace";
  if (/^cpus=\d+\s*$/.test(first) || /^version = \d+/.test(first)) return "trace-cmd-report";
  const ctx = newContext();
  let ftrace = 0;
  let kernel = 0;
  let traceCmd = 0;
  let perf = 0;
  // A leading '#' is the kernel's trace header, or `perf script --header`'s "# ========" block:
  // the event lines below it decide which.
  const commented = first.startsWith("#");
  for (const l of nonBlank) {
    if (commented && l.startsWith("#")) continue;
    const v = lineVote(l, ctx);
    if (v === "none") continue;
    ftrace++;
    if (v === "kernel") kernel++;
    else if (v === "trace-cmd") traceCmd++;
    else if (v === "perf") perf++;
  }
  if (commented) return perf > 0 && perf * 2 >= ftrace ? "perf-script" : "ftrace";
  if (ftrace > 0 && ftrace * 2 >= nonBlank.length) {
    if (perf > kernel && perf > traceCmd) return "perf-script";
    return traceCmd > kernel ? "trace-cmd-report" : "trace_pipe";
  }
  return "dmesg";
}

/**
 * Detects the format from the first bytes of an input exactly as SegmentParser does while it
 * streams: lines (a trailing "\r" dropped) are collected until DETECT_LINES non-blank ones or
 * DETECT_BYTES bytes, lines with NUL bytes are left out. `complete`: `head` is the whole input.
 * Returns undefined when `head` is too short to decide and not complete.
 */
export function detectFromHead(head: Uint8Array, complete: boolean): TraceFormat | undefined {
  const dec = new TextDecoder("utf-8", { fatal: false });
  const lines: string[] = [];
  let bytes = 0;
  let nonBlank = 0;
  let pos = 0;
  for (;;) {
    let nl = head.indexOf(10, pos);
    if (nl < 0) {
      if (!complete) return undefined;
      if (pos >= head.length) break;
      nl = head.length;
    }
    let end = nl;
    if (end > pos && head[end - 1] === 0x0d) end--;
    const line = head.subarray(pos, end);
    if (line.indexOf(0) < 0) lines.push(dec.decode(line));
    bytes += end - pos + 1;
    const first = line.findIndex((c) => c !== 0x20 && c !== 0x09);
    if (first >= 0 && line[first] !== 0x23) nonBlank++;
    pos = nl + 1;
    if (detectionReady(nonBlank, bytes)) break;
    if (pos >= head.length) {
      if (!complete) return undefined;
      break;
    }
  }
  return detectFormat(lines);
}

/** Whether the detection can stop: enough non-blank lines or bytes seen. */
export function detectionReady(nonBlankLines: number, bytes: number): boolean {
  return nonBlankLines >= DETECT_LINES || bytes >= DETECT_BYTES;
}
