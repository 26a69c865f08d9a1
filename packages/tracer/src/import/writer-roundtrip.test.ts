// The simulator's kernel-format writers (src/format/ftrace-writer.ts, dmesg-writer.ts) print
// events the way the kernel does; the importer must read that output back to the same events.
// Property-tested over random events of every kind the ftrace and dmesg forms carry.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type {
  DrmresEvent,
  KmallocEvent,
  LogEvent,
  PoolBusyEvent,
  TraceEvent,
} from "../model/events.js";
import { writeDmesg } from "../format/dmesg-writer.js";
import { writeFtrace } from "../format/ftrace-writer.js";
import { importText } from "./importer.js";

const hex16 = fc.stringMatching(/^[0-9a-f]{16}$/);
const comm = fc.oneof(
  fc.constant("<...>"),
  fc.stringMatching(/^[a-z0-9/:_-][a-z0-9/:_ -]{0,13}[a-z0-9/:_-]$/),
);
const flags = fc
  .tuple(
    fc.constantFrom(".", "d", "D", "b", "X"),
    fc.constantFrom(".", "N", "n", "p"),
    fc.constantFrom(".", "h", "s", "H", "z", "Z"),
    fc.constantFrom(".", "1", "2", "f"),
    fc.constantFrom(".", "1", "3"),
  )
  .map((c) => c.join(""));
const origin = fc.record({
  line: fc.constant(0),
  ts: fc.integer({ min: 0, max: 9_000_000_000_000 }).map((us) => us * 1000),
  cpu: fc.integer({ min: 0, max: 999 }),
  task: comm,
  pid: fc.integer({ min: 0, max: 4_194_304 }),
  flags,
});
const dev = fc.constantFrom(
  "0000:00:1f.2",
  "0:0:0:0",
  "mmc0:4567",
  "reg-dummy",
  "1-1:1.0",
  "00:04",
  "gpio-sim.0",
);
const plainName = fc.constantFrom(
  "devm_kzalloc_release",
  "grp<",
  "grp>",
  "dmam_release",
  "(void(*)(void *))clk_disable_unprepare",
  "devm_action_release",
);
const devresName = fc.oneof(
  plainName.map((name) => ({ name })),
  fc.constant({ name: "(null)", nameForm: "null" as const }),
  fc
    .tuple(fc.stringMatching(/^0xffffffffc0[0-9a-f]{6}$/), plainName)
    .map(([addr, name]) => ({ name, nameForm: "module" as const, nameAddr: addr })),
  fc
    .stringMatching(/^0xffffffffc0[0-9a-f]{6}$/)
    .map((addr) => ({ name: addr, nameForm: "module-gone" as const, nameAddr: addr })),
);
const callSite = fc.constantFrom(
  "pinctrl_bind_pins+0x31/0x280",
  "scsi_dev_info_add_list+0x5d/0xd0 [scsi_mod]",
  "0xffffffffc067c74f",
  "release_nodes+0x4d/0x90",
);
const logText = fc.constantFrom(
  "Console: switching ",
  "to colour dummy device 80x25",
  "rk: trace start",
  "[drm] Initialized bochs-drm 1.0.0 20130925 for 0000:00:01.0 on minor 0",
  "bochs-drm 0000:00:01.0: vgaarb: deactivate vga console",
);

const ftraceEvent: fc.Arbitrary<TraceEvent> = fc.oneof(
  fc
    .tuple(
      origin,
      dev,
      fc.constantFrom("ADD", "REL", "REM", "REPLACE" as const),
      hex16,
      devresName,
      fc.nat({ max: 1 << 20 }),
    )
    .map(
      ([o, d, op, node, nm, size]) =>
        ({ kind: "devres" as const, ...o, dev: d, op, node, ...nm, size }) as TraceEvent,
    ),
  fc
    .tuple(
      origin,
      callSite,
      hex16,
      fc.nat({ max: 65536 }),
      fc.nat({ max: 65536 }),
      fc.constantFrom("GFP_KERNEL", "GFP_KERNEL|__GFP_ZERO"),
      fc.option(fc.integer({ min: -1, max: 3 }), { nil: undefined }),
      fc.option(fc.boolean(), { nil: undefined }),
    )
    .filter(([, , , , , , node, acc]) => node !== undefined || acc === undefined)
    .map(([o, cs, ptr, req, alloc, gfp, node, acc]) => {
      const ev: KmallocEvent = {
        kind: "kmalloc",
        ...o,
        callSite: cs,
        ptr,
        bytesReq: req,
        bytesAlloc: alloc,
        gfp,
      };
      if (node !== undefined) ev.numaNode = node;
      if (acc !== undefined) ev.accounted = acc;
      return ev;
    }),
  fc
    .tuple(origin, callSite, hex16)
    .map(([o, cs, ptr]) => ({ kind: "kfree" as const, ...o, callSite: cs, ptr }) as TraceEvent),
  fc
    .tuple(origin, fc.constantFrom("e1000e", "libata", "mmc_block"), fc.constantFrom("", "OE", "P"))
    .map(
      ([o, m, t]) =>
        ({
          kind: "module" as const,
          ...o,
          op: "load" as const,
          module: m,
          taints: t,
        }) as TraceEvent,
    ),
  fc
    .tuple(origin, fc.constantFrom("e1000e", "libata"))
    .map(
      ([o, m]) => ({ kind: "module" as const, ...o, op: "free" as const, module: m }) as TraceEvent,
    ),
  fc
    .tuple(origin, fc.stringMatching(/^[ -~]{0,60}$/))
    .map(([o, text]) => ({ kind: "marker" as const, ...o, text }) as TraceEvent),
  fc
    .tuple(
      origin,
      fc.nat({ max: 255 }),
      fc.constantFrom("ahci[0000:00:1f.2]", "eth0", "i801_smbus"),
    )
    .map(
      ([o, irq, name]) =>
        ({ kind: "irq" as const, ...o, phase: "entry" as const, irq, name }) as TraceEvent,
    ),
  fc
    .tuple(origin, fc.nat({ max: 255 }), fc.constantFrom("handled" as const, "unhandled" as const))
    .map(
      ([o, irq, ret]) =>
        ({ kind: "irq" as const, ...o, phase: "exit" as const, irq, ret }) as TraceEvent,
    ),
  fc.tuple(origin, logText).map(([o, text]) => {
    const ev: LogEvent = { kind: "log", ...o, text, via: "console" };
    if (text.startsWith("bochs-drm "))
      Object.assign(ev, { dev: "0000:00:01.0", driver: "bochs-drm" });
    return ev;
  }),
  fc
    .tuple(
      origin,
      fc.constantFrom("bochs-drm", "pci"),
      hex16,
      fc.constantFrom("ADD", "REL", "DEL" as const),
      fc.constantFrom(undefined, "drmm_release_action"),
    )
    .map(([o, drv, node, op, func]) => {
      const ev: DrmresEvent = {
        kind: "drmres",
        ...o,
        dev: "0000:00:01.0",
        driver: drv,
        op,
        node,
        name: "kmalloc",
        size: 80,
        via: "console",
      };
      if (func !== undefined) ev.func = func;
      return ev;
    }),
);

describe("reading the simulator writers' output back", () => {
  it("ftrace (cat trace) text: every event read back unchanged", () => {
    fc.assert(
      fc.property(fc.array(ftraceEvent, { maxLength: 40 }), (events) => {
        const out = writeFtrace(events);
        expect(out.skipped).toEqual({});
        const r = importText(out.text, { keepKmem: "all" });
        expect(r.lines.rejected).toBe(0);
        expect(r.events).toEqual(events.map((e, i) => ({ ...e, line: 13 + i })));
      }),
      { numRuns: 200 },
    );
  });

  it("trace_pipe text (no header)", () => {
    fc.assert(
      fc.property(fc.array(ftraceEvent, { minLength: 1, maxLength: 20 }), (events) => {
        const out = writeFtrace(events, { header: false });
        const r = importText(out.text, { keepKmem: "all" });
        expect(r.format).toBe("trace_pipe");
        expect(r.events).toEqual(events.map((e, i) => ({ ...e, line: 1 + i })));
      }),
      { numRuns: 100 },
    );
  });

  it("dmesg text", () => {
    const dmesgEvent: fc.Arbitrary<TraceEvent> = fc.oneof(
      fc.tuple(fc.integer({ min: 0, max: 99_999_999_999 }), logText).map(([us, text]) => {
        const ev: LogEvent = { kind: "log", ts: us * 1000, line: 0, text, via: "dmesg" };
        if (text.startsWith("bochs-drm "))
          Object.assign(ev, { dev: "0000:00:01.0", driver: "bochs-drm" });
        return ev;
      }),
      fc
        .tuple(
          fc.integer({ min: 0, max: 99_999_999_999 }),
          dev,
          fc.constantFrom("ADD", "REL", "REM", "REPLACE" as const),
          hex16,
          plainName,
        )
        .map(
          ([us, d, op, node, name]) =>
            ({
              kind: "devres" as const,
              ts: us * 1000,
              line: 0,
              dev: d,
              driver: "ahci",
              op,
              node,
              name,
              size: 16,
              via: "dmesg" as const,
            }) as TraceEvent,
        ),
      fc.tuple(fc.integer({ min: 0, max: 99_999_999_999 }), fc.constantFrom(-12, -22, -19)).map(
        ([us, errno]) =>
          ({
            kind: "probe_failed" as const,
            ts: us * 1000,
            line: 0,
            driver: "cirrus",
            dev: "0000:00:01.0",
            errno,
            via: "dmesg" as const,
          }) as TraceEvent,
      ),
      fc
        .tuple(
          fc.integer({ min: 0, max: 99_999_999_999 }),
          fc.constantFrom("begin" as const, "end" as const),
        )
        .map(
          ([us, phase]) =>
            ({
              kind: "drmres_release" as const,
              ts: us * 1000,
              line: 0,
              phase,
              func: "drm_managed_release",
              dev: "0000:00:06.0",
              driver: "cirrus",
              via: "dmesg" as const,
            }) as TraceEvent,
        ),
      fc
        .tuple(
          fc.integer({ min: 0, max: 99_999_999_999 }),
          fc.constantFrom("v6.3" as const, "legacy" as const),
        )
        .map(([us, form]) => {
          const ev: PoolBusyEvent = {
            kind: "pool_busy",
            ts: us * 1000,
            line: 0,
            pool: "ehci_qh",
            form,
            dev: "0000:00:1d.0",
            driver: "ehci-pci",
            via: "dmesg",
          };
          if (form === "legacy") ev.addr = "ffff8800d6c42000";
          return ev;
        }),
    );
    fc.assert(
      fc.property(fc.array(dmesgEvent, { minLength: 1, maxLength: 30 }), (events) => {
        const out = writeDmesg(events);
        const r = importText(out.text);
        expect(r.format).toBe("dmesg");
        expect(r.events).toEqual(events.map((e, i) => ({ ...e, line: 1 + i })));
      }),
      { numRuns: 100 },
    );
  });
});
