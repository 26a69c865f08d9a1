// Line anatomy variants of kernel/trace/trace_output.c :: trace_print_context /
// lat_print_generic and of trace-cmd report (tracecmd/trace-read.c :: print_event).
import { describe, expect, it } from "vitest";
import {
  newContext,
  taskEndTrimmed,
  taskStartTrimmed,
  tokenizeFtraceLine,
  type FtraceContext,
} from "./ftrace-context.js";

function tok(
  line: string,
): FtraceContext & { task: string; name: string; payload: string; flagsText: string } {
  const b = new TextEncoder().encode(line);
  const ctx = newContext();
  const ok = tokenizeFtraceLine(b, 0, b.length, ctx);
  if (!ok) throw new Error(`did not tokenize: ${ctx.error}`);
  const d = new TextDecoder();
  return {
    ...ctx,
    task: d.decode(b.subarray(taskStartTrimmed(b, ctx), taskEndTrimmed(b, ctx))),
    name: d.decode(b.subarray(ctx.nameStart, ctx.nameEnd)),
    payload: d.decode(b.subarray(ctx.payloadStart)),
    flagsText: d.decode(b.subarray(ctx.flagsStart, ctx.flagsEnd)),
  };
}

function fails(line: string): string {
  const b = new TextEncoder().encode(line);
  const ctx = newContext();
  expect(tokenizeFtraceLine(b, 0, b.length, ctx)).toBe(false);
  return ctx.error;
}

describe("tokenizeFtraceLine", () => {
  it("reads the v6.1 kernel layout at fixed columns", () => {
    const t = tok(
      "        modprobe-120     [000] d..1.     3.798355: devres_log: 0000:00:1f.2 ADD 000000005c728a70 devm_kzalloc_release (40 bytes)",
    );
    expect(t).toMatchObject({
      task: "modprobe",
      pid: 120,
      tgid: -1,
      cpu: 0,
      flagsText: "d..1.",
      ts: 3798355000,
      name: "devres_log",
      latency: false,
      rawClock: false,
    });
    expect(t.payload).toBe("0000:00:1f.2 ADD 000000005c728a70 devm_kzalloc_release (40 bytes)");
  });

  it("reads the TGID column, numeric or unknown", () => {
    expect(
      tok("            bash-1977    (   1977) [002] .... 316.196720: sched_switch: prev_comm=bash"),
    ).toMatchObject({
      task: "bash",
      pid: 1977,
      tgid: 1977,
      cpu: 2,
      flagsText: "....",
      ts: 316196720000,
    });
    expect(
      tok("          <idle>-0       (-------) [000] d..2. 12.5: cpu_idle: state=1"),
    ).toMatchObject({ task: "<idle>", pid: 0, tgid: 0, ts: 12500000000 });
  });

  it("accepts 4-character flags (before v5.17) and no flags column", () => {
    expect(
      tok("          <idle>-0     [000] ...2     0.002188: task_newtask: pid=1"),
    ).toMatchObject({ task: "<idle>", pid: 0, flagsText: "...2", ts: 2188000 });
    expect(tok("          <idle>-0     [000]     0.002188: task_newtask: pid=1")).toMatchObject({
      flagsText: "",
      ts: 2188000,
    });
    expect(
      tok("bash-456    [000] d... 123456.789004: irq_handler_entry: irq=12 name=eth0"),
    ).toMatchObject({ task: "bash", pid: 456, ts: 123456789004000 });
  });

  it("takes the pid after the LAST dash before the CPU column; task names keep spaces, dashes, brackets, colons", () => {
    expect(tok("  kworker/u4:5-136     [000] d..1.     4.283824: devres_log: x").task).toBe(
      "kworker/u4:5",
    );
    expect(tok(" my task-name-42-7       [001] .....     1.000000: foo: bar")).toMatchObject({
      task: "my task-name-42",
      pid: 7,
      cpu: 1,
    });
    expect(tok("    a [1] (b)-99     [003] .....     1.000001: foo: bar")).toMatchObject({
      task: "a [1] (b)",
      pid: 99,
      cpu: 3,
    });
    expect(
      tok("           <...>-12344   [001] .....    51.247392: kfree: call_site=x ptr=0"),
    ).toMatchObject({ task: "<...>", pid: 12344 });
    expect(tok("      irq/24-ahci[0000:00:1f.2]-140     [001] d..1.   9.1: foo: x")).toMatchObject({
      task: "irq/24-ahci[0000:00:1f.2]",
      pid: 140,
    });
  });

  it("parses 9-digit (ns) and 1-digit fractions exactly, and raw counter clocks", () => {
    expect(tok("  bash-1 [000] .....  8.459725123: foo: x").ts).toBe(8459725123);
    expect(tok("  bash-1 [000] .....  8.4: foo: x").ts).toBe(8400000000);
    // 3.798355 * 1e9 in floating point is 3798354999.9999995; integer math is exact.
    expect(tok("  bash-1 [000] .....  3.798355: foo: x").ts).toBe(3798355000);
    const raw = tok("  bash-1 [000] ..... 123456789012: foo: x");
    expect(raw).toMatchObject({ ts: 123456789012, rawClock: true });
    expect(fails("  bash-1 [000] ..... 1.1234567890: foo: x")).toMatch(/timestamp/);
  });

  it("reads trace-cmd report lines (pid %-5d, padded event names) and the -l latency layout", () => {
    const t = tok(
      "           sleep-138   [000]     8.459725: devres_log:           0000:00:1f.2 ffffffffb8959e82 0xff335c05c2deda40 ffffffffb89545cc (16 bytes)",
    );
    expect(t).toMatchObject({
      task: "sleep",
      pid: 138,
      cpu: 0,
      flagsText: "",
      ts: 8459725000,
      name: "devres_log",
    });
    expect(t.payload.startsWith("          0000:00:1f.2")).toBe(true);
    const l = tok(
      "   sleep-138     0d..1.  8.459725: devres_log:           0000:00:1f.2 ADD x y (1 bytes)",
    );
    expect(l).toMatchObject({
      task: "sleep",
      pid: 138,
      cpu: 0,
      flagsText: "d..1.",
      latency: true,
      ts: 8459725000,
    });
    const l2 = tok("  <idle>-0       1dNh1.  106467.859747: irq_handler_entry: irq=1 name=x");
    expect(l2).toMatchObject({ task: "<idle>", pid: 0, cpu: 1, flagsText: "dNh1.", latency: true });
    const l3 = tok("kworker/-77     12.N.2. 5.000001: foo: x");
    expect(l3).toMatchObject({ task: "kworker/", pid: 77, cpu: 12, flagsText: ".N.2." });
  });

  it("reads the kernel's latency-format lines (relative us, mark characters)", () => {
    expect(tok("    bash-4071    1d..2.    3us+: devres_log: x ADD n y (1 bytes)")).toMatchObject({
      task: "bash",
      pid: 4071,
      cpu: 1,
      ts: 3000,
      latency: true,
      name: "devres_log",
    });
    expect(tok("    bash-4071    1d..2.   12us : foo: x")).toMatchObject({
      ts: 12000,
      name: "foo",
    });
  });

  it("events without a payload", () => {
    const t = tok("            init-1       [000] .....     6.624306: tracing_mark_write: ");
    expect(t.payload).toBe("");
    expect(tok("  init-1 [000] ..... 6.624306: empty:").payload).toBe("");
  });

  it("recognises the function tracer's entries and stack-trace headers (not events, not errors)", () => {
    const ctx = newContext();
    const fn = new TextEncoder().encode(
      "  bash-1 [000] .....  8.459725: do_sys_open <-x64_sys_call",
    );
    expect(tokenizeFtraceLine(fn, 0, fn.length, ctx)).toBe(true);
    expect(ctx.special).toBe("function");
    const st = new TextEncoder().encode("  bash-1 [000] .....  8.459725: <stack trace>");
    expect(tokenizeFtraceLine(st, 0, st.length, ctx)).toBe(true);
    expect(ctx.special).toBe("kernel_stack");
    const ev = new TextEncoder().encode(
      "            init-1       [000] .....     6.624306: foo: x",
    );
    expect(tokenizeFtraceLine(ev, 0, ev.length, ctx)).toBe(true);
    expect(ctx.special).toBe("");
  });

  it("rejects what is not an event line, saying what was expected", () => {
    expect(fails("hello world")).toMatch(/<task>-<pid> \[<cpu>\]/);
    expect(fails("  bash-1 [000] .....  8.459725 foo: x")).toMatch(/timestamp/);
    expect(fails("  bash-1 [000] .....  8.459725: do_sys_open x")).toBe(
      "expected 'event_name: ' after the timestamp",
    );
    expect(fails("  bash-1 [000] !!!!! 8.459725: foo: x")).toMatch(/flags/);
    expect(fails("  bash [000] ..... 8.459725: foo: x")).toMatch(/<task>-<pid>/);
  });
});
