/**
 * The prefixes a kernel log line may carry before its message, as written by the kernel
 * (kernel/printk/printk.c :: print_time, print_prefix, info_print_ext_header) and by the tools
 * that read it (util-linux dmesg, syslog/journal exports):
 *
 *   `[    4.164824] text`                      dmesg (print_time "[%5lu.%06lu]")
 *   `[    4.164824] [    T1] text`             CONFIG_PRINTK_CALLER adds "[T<pid>]"/"[C<cpu>]"
 *   `<6>[    4.164824] text`                   dmesg -r / console with the level
 *   `kern  :info  : [    4.164824] text`       dmesg -x
 *   `Nov 21 09:00:00 host kernel: [ 4.1] text`  syslog / journalctl (the [ts] may be absent)
 *   `6,1234,4164824,-;text`                    /dev/kmsg records (microseconds)
 *   `[    4.164824] host kernel: text`        journalctl -k -o short-monotonic
 *   `Nov 21 09:00:00.123456 host kernel: text` journalctl -o short-precise
 *   `[    4.164824 <    0.000123>] text`      dmesg -d (time and delta)
 *   `[Tue Nov 21 09:00:00 2023] text`          dmesg -T (wall clock: no trace-clock time)
 *   `[  +0.000123] text`, `[Nov21 09:00] text` dmesg -H / --reltime (deltas: no trace-clock time)
 *   `text`                                     dmesg -t
 */
import { parseTimestamp } from "./timestamp.js";

export interface DmesgLine {
  /** Timestamp in ns, -1 when the line has none on the kernel clock. */
  ts: number;
  /** The message after all prefixes. */
  text: string;
  /** printk level when printed (`<6>`, `kmsg 6,`, `dmesg -x` names are mapped). */
  level?: number;
}

const LEVELS: Record<string, number> = {
  emerg: 0,
  alert: 1,
  crit: 2,
  err: 3,
  warn: 4,
  notice: 5,
  info: 6,
  debug: 7,
};

const TS = /^\[\s*(\d+\.\d{1,9})(?: <\s*\d+\.\d{1,9}>)?\] ?/;
/** journalctl's " host kernel: " after a monotonic "[ts]" (-o short-monotonic). */
const JOURNAL_HOST = /^\S+ kernel: /;
const CALLER = /^\[\s*[TC]\d+\] ?/;
const LEVEL = /^<(\d{1,3})>/;
const DMESG_X = /^([a-z]+)\s*:([a-z]+)\s*: ?/;
const SYSLOG =
  /^(?:[A-Z][a-z]{2} [ \d]\d \d\d:\d\d:\d\d(?:\.\d+)?|\d{4}-\d\d-\d\dT[\d:.]+(?:Z|[+-]\d\d:?\d\d)?) \S+ kernel: ?/;
const KMSG = /^(\d{1,3}),(\d+),(\d+),[^;]*;/;
const WALL =
  /^\[(?:[A-Z][a-z]{2} [A-Z][a-z]{2} [ \d]\d \d\d:\d\d:\d\d \d{4}|\s*\+\s*\d+\.\d+|[A-Z][a-z]{2}\d{1,2} \d\d:\d\d)\] ?/;

export function parseDmesgLine(line: string): DmesgLine {
  let text = line;
  let level: number | undefined;

  const kmsg = KMSG.exec(text);
  if (kmsg) {
    const out: DmesgLine = {
      ts: Number(kmsg[3]) * 1000,
      text: text.slice(kmsg[0].length),
      level: Number(kmsg[1]) & 7,
    };
    return out;
  }
  const lv = LEVEL.exec(text);
  if (lv) {
    level = Number(lv[1]) & 7;
    text = text.slice(lv[0].length);
  } else {
    const x = DMESG_X.exec(text);
    if (x && (x[2] as string) in LEVELS) {
      level = LEVELS[x[2] as string];
      text = text.slice(x[0].length);
    } else {
      const sys = SYSLOG.exec(text);
      if (sys) text = text.slice(sys[0].length);
    }
  }
  let ts = -1;
  const t = TS.exec(text);
  if (t) {
    ts = parseTimestamp(t[1] as string);
    text = text.slice(t[0].length);
    const host = JOURNAL_HOST.exec(text);
    if (host) text = text.slice(host[0].length);
    const caller = CALLER.exec(text);
    if (caller) text = text.slice(caller[0].length);
  } else {
    const wall = WALL.exec(text);
    if (wall) text = text.slice(wall[0].length);
  }
  const out: DmesgLine = { ts, text };
  if (level !== undefined) out.level = level;
  return out;
}
