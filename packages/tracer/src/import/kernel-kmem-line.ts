/**
 * The one line shape that makes up 97% of a large trace, matched in one pass: a kmem:kfree or
 * kmem:kmalloc event in the kernel's own column layout with the irq-info flags column
 * (kernel/trace/trace_output.c :: trace_print_context, "%16s-%-7d [%03d] %s %5lu.%06lu: ") and
 * the payload of include/trace/events/kmem.h in its single-space layout.
 *
 * It accepts exactly a subset of what the general path (ftrace-context.ts :: tryKernelLayout,
 * then kmem-payload.ts :: locateCallAndPtr / locateKmalloc) accepts, and fills the same fields
 * with the same values; anything else returns NONE and the general path decides. So it only
 * changes speed: one call instead of four, no re-scan of the event name, no dispatch.
 */
import type { FtraceContext } from "./ftrace-context.js";
import { kmallocTail, type KmemFields } from "./kmem-payload.js";

export const NONE = 0;
export const KFREE = 1;
export const KMALLOC = 2;

/** DIGIT[c]: the value of an ASCII digit, 255 for anything else. */
const DIGIT = new Uint8Array(256).fill(255);
for (let i = 0; i < 10; i++) DIGIT[0x30 + i] = i;
/** FLAG[c] === 1 for an irq-info flags character (ftrace-context.ts :: FLAG_CHARS). */
const FLAG = new Uint8Array(256);
for (const c of ".dDbXNnpZzHhs0123456789abcdef") FLAG[c.charCodeAt(0)] = 1;

/**
 * Index of the first blank (0x20) in `b[i, e)`, or `e`. Four bytes per step while none of them
 * is a blank (the classic has-zero-byte test on `word ^ 0x20202020`), then byte by byte: a
 * call site is ~35 bytes, and this is the loop that reads most of each line.
 */
function blankAt(b: Uint8Array, dv: DataView, i: number, e: number): number {
  while (i + 4 <= e) {
    const x = dv.getInt32(i, true) ^ 0x20202020;
    if (((x - 0x01010101) & ~x & 0x80808080) !== 0) break;
    i += 4;
  }
  while (i < e && b[i] !== 0x20) i++;
  return i;
}

/**
 * Matches `b[s, e)` (a line without its "\n"; `b` holds at least one byte after `e` or ends at
 * `e`; `dv` views the same bytes as `b`). Returns KFREE or KMALLOC with `ctx` and `f` filled,
 * or NONE (nothing is guaranteed about `ctx` and `f` then).
 */
export function matchKernelKmem(
  b: Uint8Array,
  dv: DataView,
  s: number,
  e: number,
  ctx: FtraceContext,
  f: KmemFields,
): number {
  // --- context: "%16s-%-7d [%03d] fffff "
  if (
    e - s < 60 ||
    b[s + 16] !== 0x2d ||
    b[s + 24] !== 0x20 ||
    b[s + 25] !== 0x5b ||
    b[s + 29] !== 0x5d ||
    b[s + 30] !== 0x20 ||
    b[s + 36] !== 0x20
  )
    return NONE;
  // Digit loops start from 0 so that their arithmetic runs on the very first line: an
  // operation V8 never saw run before optimizing deoptimizes the whole function later.
  let pid = 0;
  let k = s + 17;
  for (; k < s + 24; k++) {
    const d = DIGIT[b[k] as number] as number;
    if (d > 9) break;
    pid = pid * 10 + d;
  }
  if (k === s + 17) return NONE;
  for (; k < s + 24; k++) if (b[k] !== 0x20) return NONE;
  const c0 = DIGIT[b[s + 26] as number] as number;
  const c1 = DIGIT[b[s + 27] as number] as number;
  const c2 = DIGIT[b[s + 28] as number] as number;
  // Digits OR together to at most 15; a non-digit (255) to more.
  if ((c0 | c1 | c2) > 15) return NONE;
  if (
    (FLAG[b[s + 31] as number] as number) +
      (FLAG[b[s + 32] as number] as number) +
      (FLAG[b[s + 33] as number] as number) +
      (FLAG[b[s + 34] as number] as number) +
      (FLAG[b[s + 35] as number] as number) !==
    5
  )
    return NONE;
  // --- " %5lu.%06lu: "
  let t = s + 37;
  while (b[t] === 0x20) t++;
  const ds = t;
  let secs = 0;
  for (;;) {
    const d = DIGIT[b[t] as number] as number;
    if (d > 9) break;
    secs = secs * 10 + d;
    t++;
  }
  if (t === ds || b[t] !== 0x2e || b[t + 7] !== 0x3a || b[t + 8] !== 0x20) return NONE;
  const f0 = DIGIT[b[t + 1] as number] as number;
  const f1 = DIGIT[b[t + 2] as number] as number;
  const f2 = DIGIT[b[t + 3] as number] as number;
  const f3 = DIGIT[b[t + 4] as number] as number;
  const f4 = DIGIT[b[t + 5] as number] as number;
  const f5 = DIGIT[b[t + 6] as number] as number;
  if ((f0 | f1 | f2 | f3 | f4 | f5) > 15) return NONE;
  // --- "kfree: " / "kmalloc: "
  const n = t + 9;
  let p: number;
  let kind: number;
  if (b[n] !== 0x6b) return NONE;
  if (
    b[n + 1] === 0x66 &&
    b[n + 2] === 0x72 &&
    b[n + 3] === 0x65 &&
    b[n + 4] === 0x65 &&
    b[n + 5] === 0x3a &&
    b[n + 6] === 0x20
  ) {
    kind = KFREE;
    ctx.nameEnd = n + 5;
    p = n + 7;
  } else if (
    b[n + 1] === 0x6d &&
    b[n + 2] === 0x61 &&
    b[n + 3] === 0x6c &&
    b[n + 4] === 0x6c &&
    b[n + 5] === 0x6f &&
    b[n + 6] === 0x63 &&
    b[n + 7] === 0x3a &&
    b[n + 8] === 0x20
  ) {
    kind = KMALLOC;
    ctx.nameEnd = n + 7;
    p = n + 9;
  } else return NONE;
  // --- "call_site=%pS[ [module]] ptr=%p"
  if (
    p + 10 > e ||
    b[p] !== 0x63 ||
    b[p + 1] !== 0x61 ||
    b[p + 2] !== 0x6c ||
    b[p + 3] !== 0x6c ||
    b[p + 4] !== 0x5f ||
    b[p + 5] !== 0x73 ||
    b[p + 6] !== 0x69 ||
    b[p + 7] !== 0x74 ||
    b[p + 8] !== 0x65 ||
    b[p + 9] !== 0x3d
  )
    return NONE;
  const cs = p + 10;
  let i = blankAt(b, dv, cs, e);
  if (i === cs || i >= e) return NONE;
  let callEnd = i;
  let inModule = b[cs] === 0x30 && b[cs + 1] === 0x78;
  i++;
  if (b[i] === 0x5b) {
    i = blankAt(b, dv, i, e);
    if (i >= e) return NONE;
    callEnd = i;
    inModule = true;
    i++;
  }
  if (b[i] !== 0x70 || b[i + 1] !== 0x74 || b[i + 2] !== 0x72 || b[i + 3] !== 0x3d) return NONE;
  const ps = i + 4;
  i = blankAt(b, dv, ps, e);
  if (i === ps) return NONE;
  const pe = i;
  if (kind === KMALLOC && (b[i] !== 0x20 || !kmallocTail(b, i + 1, e, f))) return NONE;
  f.callStart = cs;
  f.callEnd = callEnd;
  f.inModule = inModule;
  f.ptrStart = ps;
  f.ptrEnd = pe;
  f.tailStart = pe;
  ctx.taskStart = s;
  ctx.taskEnd = s + 16;
  ctx.pid = pid;
  ctx.tgid = -1;
  ctx.cpu = c0 * 100 + c1 * 10 + c2;
  ctx.flagsStart = s + 31;
  ctx.flagsEnd = s + 36;
  ctx.ts = secs * 1e9 + (((((f0 * 10 + f1) * 10 + f2) * 10 + f3) * 10 + f4) * 10 + f5) * 1000;
  ctx.rawClock = false;
  ctx.latency = false;
  ctx.nameStart = n;
  ctx.payloadStart = kind === KFREE ? n + 7 : n + 9;
  return kind;
}
