/**
 * Tokenizer for the context part of one ftrace text line, on bytes (no string decoding).
 *
 * Kernel layout (kernel/trace/trace_output.c :: trace_print_context):
 *   "%16s-%-7d " comm-pid, then "(%7d) " or "(-------) " with options/record-tgid, then
 *   "[%03d] " cpu, then the flags column if options/irq-info (trace_print_lat_fmt: 4 chars
 *   before v5.17's migrate-disable column, 5 after), then " %5lu.%06lu" (or " %12llu" for
 *   non-ns clocks: trace_print_time), then ": ", then "event_name: " and the payload.
 * trace-cmd report (tracecmd/trace-read.c :: print_event): "%16s-%-5d [%03d]" then
 *   " %6.1000d:" (or 9 digits with -t) then " %s: " padded to 20 characters; with -l the
 *   latency layout "%8.8s-%-5d %3d" folds the CPU into the flags ("sleep-138     0d..1.").
 * Kernel latency-format (trace_print_lat_context): "%8.8s-%-7d %3d" + flags + " %4lldus%c: "
 *   (time relative to the buffer start, in us).
 *
 * perf script (tools/perf/builtin-script.c :: perf_sample__fprintf_start, the tracepoint
 *   defaults comm,tid,cpu,time,event,trace): "%16s " comm, "%7d " tid (or "%7d/%-7d " pid/tid
 *   with -F pid,tid; "%5d" before perf 6.5), "[%03d] " cpu, "%12s: " time (secs.usecs, or
 *   "%5lu.%09llu: " with --ns), then the event as "system:name" right-aligned to the longest
 *   name ("%*s: "), then the payload as libtraceevent prints it (like trace-cmd).
 *
 * Task comms may contain spaces, '-', '[', '(', ':'. The pid is the digits after the LAST '-'
 * before the CPU column, so the anchor is the first "[digits]" that is preceded by "-pid" (and
 * optionally "(tgid)"); the task is everything before that '-'. perf separates the tid with
 * blanks instead of '-'.
 */
import {
  COLON,
  DASH,
  DOT,
  indexOfByte,
  isBlank,
  isDigit,
  LBRACKET,
  RBRACKET,
  RPAREN,
  LPAREN,
  SLASH,
  SPACE,
  skipBlanks,
  tokenEnd,
} from "./bytes.js";
/** 10^(9 - digits): fraction digits -> ns. */
const FRAC_SCALE = [1e9, 1e8, 1e7, 1e6, 1e5, 1e4, 1e3, 1e2, 1e1, 1];

export interface FtraceContext {
  taskStart: number;
  taskEnd: number;
  pid: number;
  /** -1: no TGID column; 0: printed as "(-------)"; else the tgid. */
  tgid: number;
  cpu: number;
  /** flagsStart === flagsEnd when the line has no flags column. */
  flagsStart: number;
  flagsEnd: number;
  /** ns (or raw counts, or us-relative*1000 for the kernel latency format). */
  ts: number;
  /** The timestamp had no fraction (`%12llu`: raw clock counts). */
  rawClock: boolean;
  /** CPU folded into the flags (latency layout). */
  latency: boolean;
  nameStart: number;
  nameEnd: number;
  /** Start of the payload (after "name: "); equals the line end when there is none. */
  payloadStart: number;
  /** Why tokenizing failed. */
  error: string;
  /**
   * Set instead of an event name for well-formed lines that are not trace events: the
   * `function` tracer's `func <-parent` entries, `<stack trace>` / `<user stack trace>` headers.
   * Empty for ordinary event lines.
   */
  special: "" | "function" | "kernel_stack" | "user_stack";
  /**
   * perf script's context: the tid after blanks (not '-'), or an event named "system:name"
   * (nameStart is then past the "system:" part). Set per line; format detection votes with it.
   */
  perf: boolean;
}

export function newContext(): FtraceContext {
  return {
    taskStart: 0,
    taskEnd: 0,
    pid: 0,
    tgid: -1,
    cpu: 0,
    flagsStart: 0,
    flagsEnd: 0,
    ts: 0,
    rawClock: false,
    latency: false,
    nameStart: 0,
    nameEnd: 0,
    payloadStart: 0,
    error: "",
    special: "",
    perf: false,
  };
}

/** Characters of the irq/preempt flags column (trace_print_lat_fmt): irqs-off, need-resched, hard/softirq, preempt and migrate depth (hex). */
const FLAG_CHARS = ".dDbXNnpZzHhs0123456789abcdef";
/** FLAG_CHAR[c] === 1 for a flags-column character (one table load instead of a compare chain on the hot path). */
const FLAG_CHAR = new Uint8Array(256);
for (let i = 0; i < FLAG_CHARS.length; i++) FLAG_CHAR[FLAG_CHARS.charCodeAt(i)] = 1;

/** DIGIT_VALUE[c]: the value of an ASCII digit, 255 for anything else (one load and compare per digit). */
const DIGIT_VALUE = new Uint8Array(256).fill(255);
for (let i = 0; i < 10; i++) DIGIT_VALUE[0x30 + i] = i;

function isFlagChar(c: number): boolean {
  return FLAG_CHAR[c] === 1;
}

/** irqs-off column: never a digit, which separates it from the CPU in the latency layout. */
function isIrqsOffChar(c: number): boolean {
  return c === 0x2e || c === 0x64 || c === 0x44 || c === 0x62 || c === 0x58;
}

/**
 * Parses "NNN.NNNNNN:" (the token must end with ':') at [i, tokEnd). Sets ts/rawClock;
 * returns false if it is not a timestamp.
 */
function readTimestamp(b: Uint8Array, i: number, tokEnd: number, ctx: FtraceContext): boolean {
  // One pass over "secs[.frac]:" (timestamp.ts rules, inlined: this runs per line).
  const last = tokEnd - 1;
  if (last - i < 1 || b[last] !== COLON) return false;
  let k = i;
  let secs = 0;
  while (k < last) {
    const c = b[k] as number;
    if (c < 0x30 || c > 0x39) break;
    secs = secs * 10 + (c - 0x30);
    k++;
  }
  if (k === i) return false;
  if (k === last) {
    ctx.ts = secs;
    ctx.rawClock = true;
    return true;
  }
  if (b[k] !== 0x2e) return false;
  k++;
  const fs = k;
  let frac = 0;
  while (k < last) {
    const c = b[k] as number;
    if (c < 0x30 || c > 0x39) return false;
    frac = frac * 10 + (c - 0x30);
    k++;
  }
  const digits = k - fs;
  if (digits === 0 || digits > 9) return false;
  ctx.ts = secs * 1e9 + frac * (FRAC_SCALE[digits] as number);
  ctx.rawClock = false;
  return true;
}

const STACK_TRACE = asciiBytes("<stack trace>");
const USER_STACK_TRACE = asciiBytes("<user stack trace>");
const FN_ARROW = asciiBytes(" <-");

function asciiBytes(s: string): Uint8Array {
  const out = new Uint8Array(s.length);
  for (let k = 0; k < s.length; k++) out[k] = s.charCodeAt(k);
  return out;
}

function startsWithAt(b: Uint8Array, i: number, end: number, lit: Uint8Array): boolean {
  if (end - i < lit.length) return false;
  for (let k = 0; k < lit.length; k++) if (b[i + k] !== lit[k]) return false;
  return true;
}

/**
 * Lines after the timestamp that are well-formed kernel output but not `name: payload` events:
 * the stack-trace entry headers (kernel/trace/trace_output.c :: trace_stack_print,
 * trace_user_stack_print) and the function tracer's `%ps <-%ps` (:: trace_fn_trace).
 */
function specialLine(b: Uint8Array, i: number, end: number): FtraceContext["special"] {
  while (end > i && isBlank(b[end - 1] as number)) end--;
  if (startsWithAt(b, i, end, STACK_TRACE) && end - i === STACK_TRACE.length) return "kernel_stack";
  if (startsWithAt(b, i, end, USER_STACK_TRACE) && end - i === USER_STACK_TRACE.length)
    return "user_stack";
  // "func <-parent": exactly two tokens, the second starting with "<-".
  let k = i;
  while (k < end && !isBlank(b[k] as number)) k++;
  if (k === i || !startsWithAt(b, k, end, FN_ARROW) || end - (k + FN_ARROW.length) < 1) return "";
  for (let j = k + FN_ARROW.length; j < end; j++) if (isBlank(b[j] as number)) return "";
  return "function";
}

/** After the timestamp token: "event_name: payload". */
function readEventName(b: Uint8Array, i: number, end: number, ctx: FtraceContext): boolean {
  i = skipBlanks(b, i, end);
  let k = i;
  while (k < end) {
    const c = b[k] as number;
    if (c === COLON || isBlank(c)) break;
    k++;
  }
  // perf script names the event "system:name" (dev:devres_log): the name is the part after it.
  if (k > i && k + 1 < end && b[k] === COLON && !isBlank(b[k + 1] as number)) {
    let n = k + 1;
    while (n < end && b[n] !== COLON && !isBlank(b[n] as number)) n++;
    if (n > k + 1 && n < end && b[n] === COLON && (n + 1 === end || isBlank(b[n + 1] as number))) {
      ctx.perf = true;
      i = k + 1;
      k = n;
    }
  }
  if (k === i || k >= end || b[k] !== COLON || (k + 1 < end && !isBlank(b[k + 1] as number))) {
    const special = specialLine(b, i, end);
    if (special !== "") {
      ctx.special = special;
      ctx.nameStart = ctx.nameEnd = ctx.payloadStart = i;
      return true;
    }
    ctx.error = "expected 'event_name: ' after the timestamp";
    return false;
  }
  ctx.special = "";
  ctx.nameStart = i;
  ctx.nameEnd = k;
  ctx.payloadStart = k + 2 <= end ? k + 2 : end;
  return true;
}

/** Flags (optional) then the timestamp token, from i. */
function readFlagsAndTime(b: Uint8Array, i: number, end: number, ctx: FtraceContext): boolean {
  i = skipBlanks(b, i, end);
  let te = tokenEnd(b, i, end);
  ctx.flagsStart = ctx.flagsEnd = i;
  if (!readTimestamp(b, i, te, ctx)) {
    const n = te - i;
    if (n < 1 || n > 8) {
      ctx.error = "expected the flags column or a 'secs.usecs:' timestamp after the CPU";
      return false;
    }
    for (let k = i; k < te; k++) {
      if (!isFlagChar(b[k] as number)) {
        ctx.error = "expected the flags column or a 'secs.usecs:' timestamp after the CPU";
        return false;
      }
    }
    ctx.flagsEnd = te;
    i = skipBlanks(b, te, end);
    te = tokenEnd(b, i, end);
    if (!readTimestamp(b, i, te, ctx)) {
      ctx.error = "expected a 'secs.usecs:' timestamp after the flags";
      return false;
    }
  }
  return readEventName(b, te, end, ctx);
}

/**
 * Checks that "[cpu]" at `p` is the CPU column: digits, ']', a blank (or line end), and
 * "-pid" (optionally "(tgid)") right before it. Fills task/pid/tgid/cpu.
 */
function tryCpuAnchor(
  b: Uint8Array,
  lineStart: number,
  p: number,
  end: number,
  ctx: FtraceContext,
): number {
  let q = p + 1;
  let cpu = 0;
  const digitsStart = q;
  while (q < end && isDigit(b[q] as number)) cpu = cpu * 10 + ((b[q++] as number) - 0x30);
  if (q === digitsStart || q >= end || b[q] !== RBRACKET) return -1;
  if (q + 1 < end && !isBlank(b[q + 1] as number)) return -1;
  // Walk back: blanks, optional "(tgid)", blanks, pid digits, '-'.
  let r = p - 1;
  while (r >= lineStart && isBlank(b[r] as number)) r--;
  if (r < lineStart) return -1;
  let tgid = -1;
  if (b[r] === RPAREN) {
    let l = r - 1;
    while (l >= lineStart && b[l] !== LPAREN) l--;
    if (l < lineStart) return -1;
    let k = l + 1;
    while (k < r && isBlank(b[k] as number)) k++;
    if (k < r && b[k] === DASH) {
      while (k < r && b[k] === DASH) k++;
      if (k !== r) return -1;
      tgid = 0;
    } else {
      let v = 0;
      const s = k;
      while (k < r && isDigit(b[k] as number)) v = v * 10 + ((b[k++] as number) - 0x30);
      if (k === s || k !== r) return -1;
      tgid = v;
    }
    r = l - 1;
    while (r >= lineStart && isBlank(b[r] as number)) r--;
    if (r < lineStart) return -1;
  }
  const pidEnd = r + 1;
  while (r >= lineStart && isDigit(b[r] as number)) r--;
  if (r === pidEnd - 1 || r <= lineStart) return -1;
  let pid = 0;
  for (let k = r + 1; k < pidEnd; k++) pid = pid * 10 + ((b[k] as number) - 0x30);
  let perf = false;
  if (b[r] !== DASH) {
    // perf script: "comm tid" or "comm pid/tid", blank-separated (no TGID column there).
    if (tgid !== -1) return -1;
    if (b[r] === SLASH) {
      let t = r - 1;
      while (t >= lineStart && isDigit(b[t] as number)) t--;
      if (t === r - 1 || t <= lineStart) return -1;
      r = t;
    }
    if (!isBlank(b[r] as number)) return -1;
    while (r > lineStart && isBlank(b[r - 1] as number)) r--;
    if (r <= lineStart) return -1;
    perf = true;
  }
  ctx.taskStart = lineStart;
  ctx.taskEnd = r;
  ctx.pid = pid;
  ctx.tgid = tgid;
  ctx.cpu = cpu;
  ctx.latency = false;
  ctx.perf = perf;
  return q + 1;
}

/**
 * Latency layout: "comm-pid<blanks><cpu><flags><blanks><time>: name: payload". The CPU digits
 * run straight into the irqs-off flag character, which is never a digit.
 */
function tryLatency(b: Uint8Array, lineStart: number, end: number, ctx: FtraceContext): boolean {
  let d = lineStart;
  while ((d = indexOfByte(b, DASH, d + 1, end)) >= 0) {
    let k = d + 1;
    let pid = 0;
    const ps = k;
    while (k < end && isDigit(b[k] as number)) pid = pid * 10 + ((b[k++] as number) - 0x30);
    if (k === ps || k >= end || !isBlank(b[k] as number)) continue;
    k = skipBlanks(b, k, end);
    let cpu = 0;
    const cs = k;
    while (k < end && isDigit(b[k] as number)) cpu = cpu * 10 + ((b[k++] as number) - 0x30);
    if (k === cs || k >= end || !isIrqsOffChar(b[k] as number)) continue;
    const fs = k;
    while (k < end && isFlagChar(b[k] as number)) k++;
    if (k - fs < 3 || k - fs > 8 || k >= end || !isBlank(b[k] as number)) continue;
    ctx.taskStart = lineStart;
    ctx.taskEnd = d;
    ctx.pid = pid;
    ctx.tgid = -1;
    ctx.cpu = cpu;
    ctx.flagsStart = fs;
    ctx.flagsEnd = k;
    ctx.latency = true;
    k = skipBlanks(b, k, end);
    let te = tokenEnd(b, k, end);
    if (readTimestamp(b, k, te, ctx)) return readEventName(b, te, end, ctx);
    // Kernel latency format: " %4lldus%c: " -> "3us+:" or "3us :" (mark ' ' splits the token).
    let u = k;
    let us = 0;
    while (u < te && isDigit(b[u] as number)) us = us * 10 + ((b[u++] as number) - 0x30);
    if (u === k || b[u] !== 0x75 || b[u + 1] !== 0x73) continue;
    u += 2;
    if (u < te && b[u] !== COLON) u++; // mark character (+ ! # * @ $)
    if (u === te) {
      // "3us" ":" with a blank mark
      const c = skipBlanks(b, te, end);
      if (b[c] !== COLON) continue;
      te = c + 1;
    } else if (!(u === te - 1 && b[u] === COLON)) continue;
    ctx.ts = us * 1000;
    ctx.rawClock = false;
    return readEventName(b, te, end, ctx);
  }
  ctx.error = "expected '<task>-<pid> [<cpu>] <flags> <secs.usecs>: <event>: ...'";
  return false;
}

/**
 * The kernel's own column layout, read at fixed offsets (no scanning): "%16s-%-7d [%03d] "
 * then, with irq-info, 5 flag characters and a blank, then " %5lu.%06lu: " and the name.
 * comm is at most 15 characters (TASK_COMM_LEN) and a pid at most 7 digits (PID_MAX_LIMIT),
 * so every column lands at the same offset on every line. Any mismatch returns false and the
 * general tokenizer takes over; the result is the same either way.
 */
export function tryKernelLayout(
  b: Uint8Array,
  s: number,
  end: number,
  ctx: FtraceContext,
): boolean {
  if (
    end - s < 52 ||
    b[s + 16] !== DASH ||
    b[s + 24] !== SPACE ||
    b[s + 25] !== LBRACKET ||
    b[s + 29] !== RBRACKET ||
    b[s + 30] !== SPACE
  )
    return false;
  // pid: digits left-aligned in 7 columns (DIGIT_VALUE: 0-9, or 255 for a non-digit)
  let pid = DIGIT_VALUE[b[s + 17] as number] as number;
  if (pid > 9) return false;
  let k = s + 18;
  for (; k < s + 24; k++) {
    const d = DIGIT_VALUE[b[k] as number] as number;
    if (d > 9) break;
    pid = pid * 10 + d;
  }
  for (; k < s + 24; k++) if (b[k] !== SPACE) return false;
  const c0 = DIGIT_VALUE[b[s + 26] as number] as number;
  const c1 = DIGIT_VALUE[b[s + 27] as number] as number;
  const c2 = DIGIT_VALUE[b[s + 28] as number] as number;
  // Digits OR together to at most 15; a non-digit (255) to at least 255.
  if ((c0 | c1 | c2) > 15) return false;
  // flags: 5 characters and a blank, or none
  let t = s + 31;
  if (
    b[s + 36] === SPACE &&
    (FLAG_CHAR[b[s + 31] as number] as number) +
      (FLAG_CHAR[b[s + 32] as number] as number) +
      (FLAG_CHAR[b[s + 33] as number] as number) +
      (FLAG_CHAR[b[s + 34] as number] as number) +
      (FLAG_CHAR[b[s + 35] as number] as number) ===
      5
  ) {
    ctx.flagsStart = s + 31;
    ctx.flagsEnd = s + 36;
    t = s + 37;
  } else {
    ctx.flagsStart = t;
    ctx.flagsEnd = t;
  }
  // " %5lu.%06lu: "
  while (b[t] === SPACE) t++;
  let secs = DIGIT_VALUE[b[t] as number] as number;
  if (secs > 9) return false;
  t++;
  for (;;) {
    const d = DIGIT_VALUE[b[t] as number] as number;
    if (d > 9) break;
    secs = secs * 10 + d;
    t++;
  }
  if (b[t] !== DOT || b[t + 7] !== COLON || b[t + 8] !== SPACE) return false;
  const f0 = DIGIT_VALUE[b[t + 1] as number] as number;
  const f1 = DIGIT_VALUE[b[t + 2] as number] as number;
  const f2 = DIGIT_VALUE[b[t + 3] as number] as number;
  const f3 = DIGIT_VALUE[b[t + 4] as number] as number;
  const f4 = DIGIT_VALUE[b[t + 5] as number] as number;
  const f5 = DIGIT_VALUE[b[t + 6] as number] as number;
  if ((f0 | f1 | f2 | f3 | f4 | f5) > 15) return false;
  // event name up to ':'
  const ns = t + 9;
  let ne = ns;
  while (ne < end) {
    const c = b[ne] as number;
    if (c === COLON || c === SPACE) break;
    ne++;
  }
  if (ne === ns || ne >= end || b[ne] !== COLON || (ne + 1 < end && b[ne + 1] !== SPACE))
    return false;
  // Leading blanks of the right-aligned comm are skipped by taskStartTrimmed, only for
  // lines that become events.
  ctx.taskStart = s;
  ctx.taskEnd = s + 16;
  ctx.pid = pid;
  ctx.tgid = -1;
  ctx.cpu = c0 * 100 + c1 * 10 + c2;
  ctx.ts = secs * 1e9 + (((((f0 * 10 + f1) * 10 + f2) * 10 + f3) * 10 + f4) * 10 + f5) * 1000;
  ctx.rawClock = false;
  ctx.latency = false;
  ctx.special = "";
  ctx.nameStart = ns;
  ctx.nameEnd = ne;
  ctx.payloadStart = ne + 2 <= end ? ne + 2 : end;
  return true;
}

/**
 * Tokenizes `b[start, end)` (one line without its newline). Returns false with ctx.error set
 * when the line is not an ftrace event line.
 */
export function tokenizeFtraceLine(
  b: Uint8Array,
  start: number,
  end: number,
  ctx: FtraceContext,
): boolean {
  ctx.perf = false;
  if (tryKernelLayout(b, start, end, ctx)) return true;
  const lineStart = skipBlanks(b, start, end);
  let p = lineStart;
  while ((p = indexOfByte(b, LBRACKET, p, end)) >= 0) {
    const after = tryCpuAnchor(b, lineStart, p, end, ctx);
    if (after >= 0) {
      if (readFlagsAndTime(b, after, end, ctx)) return true;
      // A "comm tid [n]" look-alike inside a task name: keep looking for the real CPU column.
      if (!ctx.perf) return false;
      ctx.perf = false;
    }
    p++;
  }
  return tryLatency(b, lineStart, end, ctx);
}

/** Leading blanks of the task field are padding (comm is right-aligned, `%16s`). */
export function taskStartTrimmed(b: Uint8Array, ctx: FtraceContext): number {
  let s = ctx.taskStart;
  while (s < ctx.taskEnd && b[s] === SPACE) s++;
  return s;
}

/** Trailing blanks of the task field are not part of the comm. */
export function taskEndTrimmed(b: Uint8Array, ctx: FtraceContext): number {
  let e = ctx.taskEnd;
  while (e > ctx.taskStart && b[e - 1] === SPACE) e--;
  return e;
}
