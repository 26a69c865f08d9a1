// Hand-written edge cases the real captures lack: every line shape the kernel and trace-cmd can
// print, and every way input can be wrong. Each asserts the exact line account.
import { describe, expect, it } from "vitest";
import type { DevresEvent, TraceEvent } from "../model/events.js";
import { createImporter, importText } from "./importer.js";
import { importChunks } from "./import-chunks.js";
import { accounted, devresEvents } from "./test-support.js";
import type { ImportResult } from "./types.js";

const HEADER = [
  "# tracer: nop",
  "#",
  "# entries-in-buffer/entries-written: 5/9   #P:4",
  "#",
  "#           TASK-PID     CPU#  |||||  TIMESTAMP  FUNCTION",
  "#              | |         |   |||||     |         |",
];

function imp(lines: readonly string[], opts: Parameters<typeof importText>[1] = {}): ImportResult {
  const r = importText(lines.join("\n") + "\n", opts);
  expect(accounted(r.lines)).toBe(r.lines.total);
  return r;
}

const dv = (r: ImportResult): DevresEvent[] => devresEvents(r.events);

describe("ftrace text", () => {
  it("function tracer entries and stack-trace headers are well-formed output: ignored, not rejected", () => {
    const r = imp([
      "# tracer: function",
      "#",
      "            bash-1977    [002] ..... 17284.993652: devres_add <-devm_kmalloc",
      "            bash-1977    [002] d..1. 17284.993653: devres_log: 0000:03:00.0 ADD 00000000b2f4c1aa devm_kzalloc_release (4096 bytes)",
      "            bash-1977    [002] ..... 17284.993800: <stack trace>",
      " => devm_kmalloc",
      " => my_open",
      "            bash-1977    [002] ..... 17284.993900: <user stack trace>",
      "     kworker/u16:1-77    (   77) [004] ....   316.196720: __kmalloc <-devm_kmalloc",
      // not a function entry: three tokens, or no "<-"
      "            bash-1977    [002] ..... 17284.994000: devres_add devm_kmalloc",
    ]);
    expect(r.lines.ignored).toMatchObject({
      function: 2,
      kernel_stack: 1,
      user_stack: 1,
      stacktrace: 2,
    });
    expect(r.lines.rejected).toBe(1);
    expect(r.lines.rejectedSamples[0]?.line).toBe(10);
    expect(dv(r)).toHaveLength(1);
    expect(r.meta.lastNs).toBe(17284993900000);
  });

  it("header metadata: tracer, entries, #P, a cut-off start", () => {
    const r = imp([
      ...HEADER,
      "            init-1       [000] .....     6.624306: devres_log: 0000:00:1f.2 REL 000000001179cd40 devm_irq_release (16 bytes)",
    ]);
    expect(r.format).toBe("ftrace");
    expect(r.meta).toMatchObject({
      tracer: "nop",
      entriesInBuffer: 5,
      entriesWritten: 9,
      cpus: 4,
      startLost: true,
      firstNs: 6624306000,
      lastNs: 6624306000,
    });
    expect(r.notes.some((n) => n.includes("overwrote 4 of 9 events"))).toBe(true);
    expect(r.lines).toMatchObject({ total: 7, parsed: 1, rejected: 0, ignored: { "#comment": 6 } });
  });

  it("TGID column, 4-char flags, no flags, odd task names, <...>", () => {
    const r = imp([
      "#           TASK-PID    TGID     CPU#  ||||   TIMESTAMP  FUNCTION",
      "        modprobe-120     (    120) [000] d..1  3.798355: devres_log: 0000:00:1f.2 ADD 000000005c728a70 devm_kzalloc_release (40 bytes)",
      "           <...>-12344   (-------) [001] .... 51.247392: devres_log: 0000:00:1f.2 REL 000000005c728a70 devm_kzalloc_release (40 bytes)",
      " kworker/u4:5-x y-136 [000] 4.283824: devres_log: 0:0:0:0 ADD 00000000d4a19336 devm_kzalloc_release (40 bytes)",
    ]);
    expect(r.meta.hasTgid).toBe(true);
    expect(r.lines.rejected).toBe(0);
    expect(dv(r).map((e) => [e.task, e.pid, e.cpu, e.flags])).toEqual([
      ["modprobe", 120, 0, "d..1"],
      ["<...>", 12344, 1, "...."],
      ["kworker/u4:5-x y", 136, 0, undefined],
    ]);
  });

  it("every devres_log name form: plain, (null), module, module gone, spaces; REPLACE and grp>", () => {
    const base = "        modprobe-120     [000] d..1.     3.798355: devres_log: ";
    const r = imp([
      `${base}1-1 REPLACE 00000000aa (null) (0 bytes)`,
      `${base}1-1 ADD 00000000bb grp> (0 bytes)`,
      `${base}1-1 ADD 00000000cc (0xffffffffc06d0715:ata_devres_release)[UNSAFE-MEMORY] (0 bytes)`,
      `${base}1-1 REL 00000000dd (0xffffffffc0642715)[UNSAFE-MEMORY] (0 bytes)`,
      `${base}gpio-sim.0 ADD 00000000ee (void(*)(void *))clk_disable_unprepare (16 bytes)`,
      `${base}1-1 ADD 00000000ff  (0 bytes)`,
      `${base}1-1 ADD 0000000011 devm_kzalloc_release (18446744073709551615 bytes)`,
    ]);
    expect(r.lines.rejected).toBe(0);
    const e = dv(r);
    expect(e[0]).toMatchObject({ op: "REPLACE", name: "(null)", nameForm: "null", size: 0 });
    expect(e[1]).toMatchObject({ op: "ADD", name: "grp>" });
    expect(e[1]?.nameForm).toBeUndefined();
    expect(e[2]).toMatchObject({
      name: "ata_devres_release",
      nameForm: "module",
      nameAddr: "0xffffffffc06d0715",
    });
    expect(e[3]).toMatchObject({
      name: "0xffffffffc0642715",
      nameForm: "module-gone",
      nameAddr: "0xffffffffc0642715",
      op: "REL",
    });
    expect(e[4]).toMatchObject({
      dev: "gpio-sim.0",
      name: "(void(*)(void *))clk_disable_unprepare",
      size: 16,
    });
    expect(e[5]).toMatchObject({ name: "" });
    expect(e[6]?.size).toBe(18446744073709552000);
  });

  it("device names with spaces (platform devices registered by name) keep the whole name", () => {
    const base = "       swapper/0-1       [000] .....     1.000000: devres_log: ";
    const r = imp([
      `${base}Fixed MDIO bus.0 ADD 000000005c728a70 devm_kzalloc_release (40 bytes)`,
      `${base}Fixed MDIO bus.0 REL 000000005c728a70 (void(*)(void *))foo_release (8 bytes)`,
      `${base}Fixed MDIO bus.0 ADD (____ptrval____) devm_kzalloc_release (40 bytes)`,
      `${base}Fixed MDIO bus.0 FOO 000000005c728a70 devm_kzalloc_release (40 bytes)`,
    ]);
    expect(r.lines).toMatchObject({ parsed: 3, rejected: 1 });
    expect(dv(r).map((e) => [e.dev, e.op, e.node, e.name, e.size])).toEqual([
      ["Fixed MDIO bus.0", "ADD", "000000005c728a70", "devm_kzalloc_release", 40],
      ["Fixed MDIO bus.0", "REL", "000000005c728a70", "(void(*)(void *))foo_release", 8],
      ["Fixed MDIO bus.0", "ADD", "(____ptrval____)", "devm_kzalloc_release", 40],
    ]);
    expect(r.lines.rejectedSamples[0]).toMatchObject({
      line: 4,
      reason: "devres_log: unknown op 'MDIO' (expected ADD, REL, REM or REPLACE)",
    });
  });

  it("rejects malformed devres_log payloads with line numbers and reasons, and keeps going", () => {
    const base = "        modprobe-120     [000] d..1.     3.798355: devres_log: ";
    const r = imp([
      `${base}1-1 ADD 00000000aa x (12 byte)`,
      `${base}1-1 FOO 00000000aa x (12 bytes)`,
      `${base}1-1 ADD`,
      `${base}1-1 ADD 00000000aa x (1 bytes)`,
    ]);
    expect(r.lines).toMatchObject({ total: 4, parsed: 1, rejected: 3 });
    expect(r.lines.rejectedSamples.map((s) => [s.line, s.reason])).toEqual([
      [1, "devres_log: expected the payload to end with ' (N bytes)'"],
      [2, "devres_log: unknown op 'FOO' (expected ADD, REL, REM or REPLACE)"],
      [3, "devres_log: expected the payload to end with ' (N bytes)'"],
    ]);
    expect(r.lines.rejectedSamples[0]?.text).toBe(`${base}1-1 ADD 00000000aa x (12 byte)`);
  });

  it("CPU:N [LOST N EVENTS]: counted, timed by the next event on that CPU", () => {
    const r = imp([
      ...HEADER,
      "CPU:1 [LOST 120 EVENTS]",
      "            init-1       [000] .....     6.000001: foo: x",
      "            init-1       [001] .....     6.000002: foo: x",
      "CPU:0 [LOST 3 EVENTS]",
    ]);
    const lost = r.events.filter((e) => e.kind === "lost");
    expect(lost).toEqual([
      { kind: "lost", ts: 6000002000, line: 7, cpu: 1, count: 120 },
      { kind: "lost", ts: -1, line: 10, cpu: 0, count: 3 },
    ]);
    expect(r.meta.lostEvents).toBe(123);
    expect(r.lines.ignored).toEqual({ "#comment": 6, foo: 2 });
    expect(r.notes.some((n) => n.includes("123 events lost"))).toBe(true);
  });

  it("unknown events are ignored per name; stack lines, blanks and comments are counted", () => {
    const r = imp([
      ...HEADER,
      "          <idle>-0       [001] d.h1.   100.000001: irq_handler_entry: irq=24 name=ahci[0000:00:1f.2]",
      "          <idle>-0       [001] d.h1.   100.000002: irq_handler_exit: irq=24 ret=handled",
      "          <idle>-0       [001] d..2.   100.000003: sched_switch: prev_comm=swapper/1 prev_pid=0",
      "          <idle>-0       [001] d..2.   100.000004: sched_switch: prev_comm=swapper/1 prev_pid=0",
      "          <idle>-0       [001] d..2.   100.000005: kernel_stack: <stack trace>",
      " => schedule (ffffffff814b260e)",
      "=> __schedule",
      "",
      "   ",
      "##### CPU 1 buffer started ####",
      "            init-1       [000] .....     6.668560: tracing_mark_write: rk: unbind 0000:00:1f.2 from ahci",
      "        modprobe-119     [000] .....     3.610466: module_load: e1000e ",
      "        modprobe-119     [000] .....     3.610467: module_load: foo OE",
      "           rmmod-137     [001] .....    11.320965: module_free: e1000e",
    ]);
    expect(r.lines).toMatchObject({
      total: 20,
      parsed: 6,
      rejected: 0,
      ignored: { "#comment": 7, sched_switch: 2, kernel_stack: 1, stacktrace: 2, "(blank)": 2 },
    });
    expect(r.events.map((e) => e.kind)).toEqual([
      "irq",
      "irq",
      "marker",
      "module",
      "module",
      "module",
    ]);
    expect(r.events[0]).toMatchObject({
      phase: "entry",
      irq: 24,
      name: "ahci[0000:00:1f.2]",
      flags: "d.h1.",
    });
    expect(r.events[1]).toMatchObject({ phase: "exit", irq: 24, ret: "handled" });
    expect(r.events[2]).toMatchObject({
      kind: "marker",
      text: "rk: unbind 0000:00:1f.2 from ahci",
    });
    expect(r.events.slice(3).map((e) => e.kind === "module" && [e.op, e.module, e.taints])).toEqual(
      [
        ["load", "e1000e", ""],
        ["load", "foo", "OE"],
        ["free", "e1000e", undefined],
      ],
    );
  });

  it("console events go through the kernel-log classifier (via console)", () => {
    const r = imp([
      ...HEADER,
      "        modprobe-122     [001] d....     3.703412: console: cirrus 0000:00:06.0: [drm:add_dr [drm]] ADD 00000000f01c6bef drm_dev_init_release (0 bytes)",
      "            init-1       [000] d....     5.841694: console: [drm:devm_drm_dev_init_release [drm]] drmres release end",
      "            init-1       [000] d....     5.841695: console: snd_hda_intel 0000:00:1f.3: DEVRES ADD 00000000a1b2c3d4 devm_kzalloc_release (256 bytes)",
      "            init-1       [000] d....     5.841696: console: cirrus: probe of 0000:00:01.0 failed with error -12",
      "        modprobe-121     [000] d....     3.976593: console: Console: switching ",
    ]);
    expect(r.events.map((e) => [e.kind, (e as { via?: string }).via])).toEqual([
      ["drmres", "console"],
      ["drmres_release", "console"],
      ["devres", "console"],
      ["probe_failed", "console"],
      ["log", "console"],
    ]);
    expect(r.events[2]).toMatchObject({
      dev: "0000:00:1f.3",
      driver: "snd_hda_intel",
      op: "ADD",
      cpu: 0,
      task: "init",
    });
    expect(r.events[4]).toMatchObject({ text: "Console: switching " });
  });

  it("LF, CRLF and a last line without newline", () => {
    const text = `${HEADER.join("\r\n")}\r\n            init-1       [000] .....     6.668560: tracing_mark_write: a\r\n            init-1       [000] .....     6.668561: tracing_mark_write: b`;
    const r = importText(text);
    expect(r.lines.total).toBe(8);
    expect(r.events.map((e) => e.kind === "marker" && e.text)).toEqual(["a", "b"]);
  });

  it("a UTF-8 BOM is skipped; invalid UTF-8 never crashes (U+FFFD)", () => {
    const enc = new TextEncoder();
    const body = enc.encode(
      `${HEADER.join("\n")}\n            init-1       [000] .....     6.668560: tracing_mark_write: caf\u00e9 `,
    );
    const bad = new Uint8Array([0xef, 0xbb, 0xbf, ...body, 0xff, 0xfe, 0x0a]);
    const i = createImporter();
    i.push(bad);
    const r = i.finish();
    expect(r.format).toBe("ftrace");
    expect(r.lines.rejected).toBe(0);
    expect(r.events[0]).toMatchObject({ kind: "marker", text: "caf\u00e9 \ufffd\ufffd" });
  });
});

describe("trace-cmd report", () => {
  it("cpus=N, version and empty-CPU lines, padded names, print markers, latency (-l) layout", () => {
    const r = imp([
      "version = 7",
      "cpus=4",
      "CPU 3 is empty",
      "           sleep-138   [001]     8.172111: print:                tracing_mark_write: rk: unbind ahci",
      "           sleep-138   [001]     8.172112: print:                __trace_puts: something else",
      "           sleep-138   [001]     8.167209: kmalloc:              (alloc_bprm+0x32) call_site=alloc_bprm+0x32 ptr=0xff335c05c0a2ea00 bytes_req=416 bytes_alloc=512 gfp_flags=GFP_KERNEL|__GFP_ZERO node=-1 accounted=false",
      "           sleep-138   [001]     8.167210: devres_log:           1-1 ADD 0xff335c05c0a2ea00 devm_kzalloc_release (376 bytes)",
      "   sleep-138     0d..1.  8.459725: devres_log:           1-1 REL 0xff335c05c0a2ea00 devm_kzalloc_release (376 bytes)",
      "           sleep-138   [001]     8.459726: kfree:                (release_nodes+0x4b) call_site=release_nodes+0x4b ptr=0xff335c05c0a2ea00",
    ]);
    expect(r.format).toBe("trace-cmd-report");
    expect(r.meta).toMatchObject({ cpus: 4, latencyFormat: true });
    expect(r.lines).toMatchObject({
      total: 9,
      parsed: 5,
      rejected: 0,
      ignored: { "(header)": 3, print: 1 },
    });
    expect(r.events.map((e) => e.kind)).toEqual(["marker", "kmalloc", "devres", "devres", "kfree"]);
    expect(r.events[0]).toMatchObject({ text: "rk: unbind ahci" });
    expect(dv(r)[0]).toMatchObject({ dev: "1-1", allocSite: "alloc_bprm+0x32", allocBytes: 512 });
    expect(dv(r)[1]).toMatchObject({
      op: "REL",
      flags: "d..1.",
      cpu: 0,
      freeSite: "release_nodes+0x4b",
    });
  });

  it("is detected without the cpus= line from the padded event names", () => {
    const r = imp([
      "           sleep-138   [001]     8.167209: kfree:                (x+0x1) call_site=x+0x1 ptr=(nil)",
    ]);
    expect(r.format).toBe("trace-cmd-report");
    expect(r.lines.parsed).toBe(1);
  });

  it("raw op pointers after a device name with spaces", () => {
    const r = imp([
      "cpus=1",
      "           sleep-138   [000]     8.459725: devres_log:           Fixed MDIO bus.0 ffffffffb8959e82 0xff335c05c2deda40 ffffffffb89545cc (16 bytes)",
    ]);
    expect(r.lines).toMatchObject({ parsed: 1, rejected: 0 });
    expect(dv(r)[0]).toMatchObject({
      dev: "Fixed MDIO bus.0",
      node: "0xff335c05c2deda40",
      name: "ffffffffb89545cc",
      nameForm: "pointer",
      size: 16,
    });
  });

  it("a fifth distinct op pointer cannot be an op: its lines are rejected", () => {
    const line = (op: string, node: string): string =>
      `           sleep-138   [000]     8.459725: devres_log:           1-1 ${op} 0x${node} ffffffffb89545cc (16 bytes)`;
    const ops = [
      "ffffffff00000001",
      "ffffffff00000002",
      "ffffffff00000003",
      "ffffffff00000004",
      "ffffffff00000005",
    ];
    const r = imp([
      "cpus=1",
      ...ops.map((op, i) => line(op, `ff0000000000000${i}`)),
      line(ops[0] as string, "ff00000000000009"),
    ]);
    expect(r.lines.rejected).toBe(1);
    expect(r.lines.parsed).toBe(5);
    expect(r.lines.rejectedSamples[0]?.reason).toMatch(/fifth distinct op pointer/);
  });
});

describe("perf script", () => {
  it("tid or pid/tid, system:name events, --ns times; odd comms; ftrace lines still ftrace", () => {
    // perf script --header: a long comment block (more lines than detection reads) first.
    const header = Array.from({ length: 40 }, (_, i) => `# header line ${i}`);
    const r = imp([
      "# ========",
      "# captured on    : Sat Nov 21 12:00:00 2026",
      ...header,
      "# ========",
      "#",
      "        modprobe     120 [000]     3.798355:   dev:devres_log: 0000:00:1f.2 ADD 000000005c728a70 devm_kzalloc_release (40 bytes)",
      "  kworker/u4:1 x     77 [001]     3.798356:   dev:devres_log: 0000:00:1f.2 ffffffffb8959e82 0xff335c05c2deda40 ffffffffb89545cc (16 bytes)",
      "        modprobe     120/120     [001]     3.798357123:   dev:devres_log: 0000:00:1f.2 REM 000000005c728a70 devm_kzalloc_release (40 bytes)",
      "   foo 12 [3] x     99 [000]     3.798358:   dev:devres_log: 0000:00:1f.2 ADD 00000000aaaaaaaa devm_kzalloc_release (8 bytes)",
      "        modprobe     120 [000]     3.798359: sched:sched_wakeup: comm=x pid=1",
    ]);
    expect(r.format).toBe("perf-script");
    expect(r.lines).toMatchObject({
      parsed: 4,
      rejected: 0,
      ignored: { "#comment": 44, sched_wakeup: 1 },
    });
    expect(dv(r).map((e) => [e.task, e.pid, e.cpu, e.ts, e.op])).toEqual([
      ["modprobe", 120, 0, 3798355000, "ADD"],
      ["kworker/u4:1 x", 77, 1, 3798356000, "ADD"],
      ["modprobe", 120, 1, 3798357123, "REM"],
      ["foo 12 [3] x", 99, 0, 3798358000, "ADD"],
    ]);
    expect(dv(r)[1]).toMatchObject({ opAddr: "ffffffffb8959e82", nameForm: "pointer" });
  });

  it("an ftrace line whose comm looks like 'name N [M]' is still read as ftrace", () => {
    const r = imp([
      ...HEADER,
      "     foo 12 [3]-77      [001] .....     1.000000: devres_log: 1-1 ADD 00000000aa x (1 bytes)",
    ]);
    expect(r.format).toBe("ftrace");
    expect(dv(r)[0]).toMatchObject({ task: "foo 12 [3]", pid: 77, cpu: 1 });
  });
});

describe("dmesg", () => {
  it("all prefix shapes in one file; every line a parsed event", () => {
    const r = imp([
      "[    4.164824] bochs-drm 0000:00:01.0: [drm:add_dr [drm]] ADD 00000000184a104a drm_dev_init_release (0 bytes)",
      "<6>[    4.165555] bochs-drm 0000:00:01.0: [drm:add_dr [drm]] ADD 00000000a5298394 kmalloc (80 bytes)",
      "kern  :info  : [    5.1] cirrus: probe of 0000:00:01.0 failed with error -12",
      "Nov 21 09:00:00 host kernel: [    5.505487] ahci 0000:00:02.0: probe with driver ahci failed with error -22",
      "no timestamp at all",
      "",
    ]);
    expect(r.format).toBe("dmesg");
    expect(r.lines).toMatchObject({ total: 6, parsed: 5, ignored: { "(blank)": 1 } });
    expect(r.events.map((e) => [e.kind, e.ts])).toEqual([
      ["drmres", 4164824000],
      ["drmres", 4165555000],
      ["probe_failed", 5100000000],
      ["probe_failed", 5505487000],
      ["log", -1],
    ]);
    expect(r.meta).toMatchObject({ firstNs: 4164824000, lastNs: 5505487000 });
    expect(r.notes.some((n) => n.includes("looks like kernel output"))).toBe(false);
  });

  it("text with nothing of a kernel log in it is read, and a note says so", () => {
    const r = imp(["hello world", "this is a shopping list", "milk, eggs"]);
    expect(r.format).toBe("dmesg");
    expect(r.lines).toMatchObject({ total: 3, parsed: 3, rejected: 0 });
    expect(r.notes).toContain(
      "None of the 3 lines looks like kernel output (no [seconds] timestamp, log level, device prefix or devres line): read as untimed log lines. devscope reads ftrace (trace, trace_pipe), trace-cmd report, perf script, dmesg and its own JSONL.",
    );
  });
});

describe("bad input", () => {
  it("binary data: a clear error naming the file", () => {
    const i = createImporter({ path: "blob.bin" });
    i.push(new Uint8Array([1, 2, 0, 3, 10, 65, 10]));
    const r = i.finish();
    expect(r.error).toBe(
      "blob.bin: binary data (NUL byte at offset 2), not a text trace; expected ftrace/trace_pipe text, trace-cmd report output, dmesg or devscope JSONL",
    );
    expect(r.events).toEqual([]);
    expect(r.lines.total).toBe(0);
  });

  it("UTF-16, zstd, xz, bzip2, perf.data: refused with the command to convert", () => {
    const msg = (bytes: number[]): string | undefined => {
      const i = createImporter({ path: "f" });
      i.push(new Uint8Array([...bytes, 0x41, 0x0a]));
      return i.finish().error;
    };
    expect(msg([0xff, 0xfe, 0x23, 0x00])).toMatch(/UTF-16.*iconv/);
    expect(msg([0x28, 0xb5, 0x2f, 0xfd])).toMatch(/zstd -d/);
    expect(msg([0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00])).toMatch(/xz -d/);
    expect(msg([0x42, 0x5a, 0x68, 0x39])).toMatch(/bzip2 -d/);
    expect(msg([...new TextEncoder().encode("PERFILE2"), 0x68, 0, 0, 0])).toBe(
      "f: binary perf data (perf.data); run `perf script -i f > f.txt` and open that",
    );
  });

  it("a NUL byte later in a text file rejects only that line", () => {
    const head = `${HEADER.join("\n")}\n${"#\n".repeat(2100)}`;
    const enc = new TextEncoder();
    const bytes = new Uint8Array([
      ...enc.encode(head),
      ...enc.encode("            init-1       [000] .....     6.6: tracing_mark_write: a"),
      0,
      0x0a,
      ...enc.encode("            init-1       [000] .....     6.7: tracing_mark_write: b\n"),
    ]);
    const i = createImporter();
    i.push(bytes);
    const r = i.finish();
    expect(r.error).toBeUndefined();
    expect(r.lines.rejected).toBe(1);
    expect(r.lines.rejectedSamples[0]?.reason).toMatch(/NUL/);
    expect(r.events.map((e) => e.kind === "marker" && e.text)).toEqual(["b"]);
  });

  it("gzip pushed into the synchronous importer points at importChunks/importFile", () => {
    const i = createImporter({ path: "t.gz" });
    i.push(new Uint8Array([0x1f, 0x8b, 8, 0]));
    expect(i.finish().error).toMatch(
      /gzip-compressed data: use importChunks\(\) or importFile\(\)/,
    );
  });

  it("a line over 16 MiB is rejected as one line, without keeping it", () => {
    const i = createImporter();
    const enc = new TextEncoder();
    i.push(enc.encode(`${HEADER.join("\n")}\n`));
    const chunk = new Uint8Array(1024 * 1024).fill(0x41);
    for (let k = 0; k < 17; k++) i.push(chunk);
    i.push(enc.encode("\n            init-1       [000] .....     6.7: tracing_mark_write: b\n"));
    const r = i.finish();
    expect(r.lines).toMatchObject({ total: 8, parsed: 1, rejected: 1 });
    expect(r.lines.rejectedSamples[0]).toMatchObject({
      line: 7,
      reason: "line longer than 16 MiB",
    });
    expect(r.lines.rejectedSamples[0]?.text?.length).toBeLessThan(500);
  });

  it("cancel: stops reading and keeps what was read", async () => {
    const ac = new AbortController();
    const lines = HEADER.map((l) => `${l}\n`);
    async function* source(): AsyncGenerator<Uint8Array> {
      const enc = new TextEncoder();
      for (let k = 0; k < 1000; k++) {
        if (k === 3) ac.abort();
        yield enc.encode(lines[k % lines.length] as string);
      }
    }
    const r = await importChunks(source(), { signal: ac.signal });
    expect(r.error).toBe("cancelled");
    expect(r.lines.total).toBeLessThan(1000);
  });

  it("push after finish is a programming error", () => {
    const i = createImporter();
    i.finish();
    expect(() => i.push(new Uint8Array(1))).toThrow(/after finish/);
  });

  it("empty input", () => {
    const r = importText("");
    expect(r.lines).toEqual({ total: 0, parsed: 0, ignored: {}, rejected: 0, rejectedSamples: [] });
    expect(r.events).toEqual([]);
  });
});

describe("gzip through importChunks", () => {
  async function gzip(text: string): Promise<Uint8Array> {
    const cs = new CompressionStream("gzip");
    const w = cs.writable.getWriter();
    void w.write(new TextEncoder().encode(text));
    void w.close();
    const parts: Uint8Array[] = [];
    const reader = cs.readable.getReader();
    for (;;) {
      const r = await reader.read();
      if (r.done) break;
      parts.push(r.value);
    }
    const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
    let o = 0;
    for (const p of parts) {
      out.set(p, o);
      o += p.length;
    }
    return out;
  }
  const text = `${HEADER.join("\n")}\n${Array.from({ length: 2000 }, (_, k) => `            init-1       [000] .....     6.${String(k).padStart(6, "0")}: tracing_mark_write: m${k}`).join("\n")}\n`;

  it("decompresses and reports compressed bytes", async () => {
    const gz = await gzip(text);
    const r = await importChunks([gz.subarray(0, 1), gz.subarray(1, 100), gz.subarray(100)], {
      path: "m.gz",
    });
    expect(r).toMatchObject({ gzip: true, bytes: gz.length, format: "ftrace" });
    expect(r.error).toBeUndefined();
    expect(r.events).toHaveLength(2000);
  });

  it("truncated gzip: an error, and everything decoded before it is kept", async () => {
    const gz = await gzip(text);
    const r = await importChunks([gz.subarray(0, Math.floor(gz.length * 0.6))], { path: "m.gz" });
    expect(r.error).toMatch(/^m\.gz: gzip data is truncated or corrupt/);
    expect(r.events.length).toBeGreaterThan(0);
    expect(r.events.length).toBeLessThan(2000);
    expect(accounted(r.lines)).toBe(r.lines.total);
    const last = r.events[r.events.length - 2] as TraceEvent;
    expect(last.kind).toBe("marker");
  });
});

describe("reused read buffers", () => {
  it("a caller cycling through two buffers, releasing each before reuse, gets the one-pass result", () => {
    const lines: string[] = [...HEADER];
    // Each ADD links the kmalloc of 20 lines before (several 777-byte buffers back).
    const ptrOf = (i: number): string => (0x5c728a70 + (i % 97)).toString(16).padStart(16, "0");
    for (let i = 0; i < 3000; i++) {
      const t = (6 + i / 1e4).toFixed(6).padStart(12);
      lines.push(
        `        modprobe-120     [000] d..1. ${t}: kmalloc: call_site=site_${i % 7}+0x31/0x280 ptr=${ptrOf(i)} bytes_req=80 bytes_alloc=${96 + (i % 5)} gfp_flags=GFP_KERNEL|__GFP_ZERO node=-1 accounted=false`,
      );
      if (i >= 20 && i % 3 === 0)
        lines.push(
          `        modprobe-120     [000] d..1. ${t}: devres_log: 0000:00:1f.2 ADD ${ptrOf(i - 20)} devm_kzalloc_release (40 bytes)`,
        );
      if (i % 3 === 1)
        lines.push(
          `        modprobe-120     [000] d..1. ${t}: kfree: call_site=release_nodes+0x4d/0x90 ptr=${ptrOf(i - 40)}`,
        );
    }
    const bytes = new TextEncoder().encode(`${lines.join("\n")}\n`);
    for (const keepKmem of ["linked", "evidence"] as const) {
      const whole = importText(new TextDecoder().decode(bytes), { keepKmem });
      expect(
        whole.events.filter((e) => e.kind === "devres" && e.allocSite?.startsWith("site_") === true)
          .length,
      ).toBeGreaterThan(900);
      const imp = createImporter({ keepKmem, ownsChunks: true });
      const bufs = [new Uint8Array(777), new Uint8Array(777)];
      for (let pos = 0, k = 0; pos < bytes.length; pos += 777, k++) {
        const buf = bufs[k & 1] as Uint8Array;
        if (k >= 2) imp.release(buf);
        const n = Math.min(777, bytes.length - pos);
        buf.set(bytes.subarray(pos, pos + n));
        imp.push(buf.subarray(0, n));
      }
      expect(imp.finish()).toEqual(whole);
    }
  });
});
