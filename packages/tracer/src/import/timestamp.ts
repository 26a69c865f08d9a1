/**
 * Exact timestamp parsing: `secs.frac` -> integer nanoseconds with integer arithmetic only
 * (never `parseFloat(x) * 1e9`, which rounds: 3.798355 * 1e9 = 3798354999.9999995).
 *
 * The kernel prints `%5lu.%06lu` (kernel/trace/trace_output.c :: trace_print_time); trace-cmd
 * prints 6 digits, or 9 with `-t`; dmesg prints `[%5lu.%06lu]` (kernel/printk/printk.c ::
 * print_time). Any 1..9 fraction digits are accepted and scaled to ns. The ftrace hot path has
 * its own inlined byte version (ftrace-context.ts :: readTimestamp) with the same rules.
 */

/** 10^(9 - digits) for digits = 0..9. */
const SCALE = [1e9, 1e8, 1e7, 1e6, 1e5, 1e4, 1e3, 1e2, 1e1, 1];

/**
 * Parses `secs[.frac]` to ns; -1 when the text is not that (at most 9 fraction digits).
 * Without a fraction the value is returned as is.
 */
export function parseTimestamp(text: string): number {
  const m = /^(\d+)(?:\.(\d{1,9}))?$/.exec(text);
  if (!m) return -1;
  const secs = Number(m[1]);
  const fracText = m[2];
  if (fracText === undefined) return secs;
  return secs * 1e9 + Number(fracText) * (SCALE[fracText.length] as number);
}
