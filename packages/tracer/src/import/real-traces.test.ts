// Every real capture in fixtures/real-traces (fixtures/real-traces/README.md gives the ground
// truth measured on the raw files): exact devres counts per device and op, 0 rejected lines,
// every line accounted, kmalloc linking, name forms, console DRM lines, the trace-cmd quirk.
import { createReadStream, readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import type { ImportResult } from "./types.js";
import { importChunks } from "./import-chunks.js";
import { importText } from "./importer.js";
import { accounted, countLines, devresCounts, devresEvents, kindCounts } from "./test-support.js";

const dir = new URL("../../../../fixtures/real-traces/", import.meta.url);
const path = (f: string): string => fileURLToPath(new URL(f, dir));
const bytesOf = (f: string): Uint8Array => new Uint8Array(readFileSync(path(f)));

function load(f: string): ImportResult {
  const b = bytesOf(f);
  const r = importText(new TextDecoder().decode(b), { path: f });
  expect(r.error).toBeUndefined();
  expect(r.lines.rejected).toBe(0);
  expect(r.lines.rejectedSamples).toEqual([]);
  expect(r.lines.total).toBe(countLines(b));
  expect(accounted(r.lines)).toBe(r.lines.total);
  return r;
}

describe("ftrace captures (cat /sys/kernel/tracing/trace)", () => {
  it("ahci-bind-unbind: 0000:00:1f.2 ADD 93 REL 84 REM 9, 0:0:0:0 3 x (ADD 2, REM 2)", () => {
    const r = load("ahci-bind-unbind.ftrace.txt");
    expect(r.format).toBe("ftrace");
    expect(r.lines.total).toBe(15746);
    expect(r.lines.ignored).toEqual({ "#comment": 12 });
    expect(r.lines.parsed).toBe(15734);
    expect(devresCounts(r.events)).toEqual({
      "0000:00:1f.2 ADD": 93,
      "0000:00:1f.2 REL": 84,
      "0000:00:1f.2 REM": 9,
      "0:0:0:0 ADD": 6,
      "0:0:0:0 REM": 6,
    });
    expect(r.meta).toMatchObject({
      tracer: "nop",
      entriesInBuffer: 15734,
      entriesWritten: 15734,
      cpus: 2,
      firstNs: 3638139000,
      lastNs: 15576909000,
    });
    expect(r.meta.startLost).toBeUndefined();
    // 12 names in libata, unloaded before the trace was read.
    const gone = devresEvents(r.events).filter((e) => e.nameForm === "module-gone");
    expect(gone).toHaveLength(12);
    expect(new Set(gone.map((e) => e.name))).toEqual(
      new Set(["0xffffffffc0642715", "0xffffffffc06424b6"]),
    );
    expect(gone.every((e) => e.nameAddr === e.name)).toBe(true);
    expect(r.notes.some((n) => n.includes("12 devres names lived in a module unloaded"))).toBe(
      true,
    );
  });

  it("links each ADD to its own kmalloc (allocSite) and each REL/REM to its kfree (freeSite)", () => {
    const r = load("ahci-bind-unbind.ftrace.txt");
    const dv = devresEvents(r.events);
    const pinctrlNode = dv.find((e) => e.node === "000000005c728a70" && e.op === "ADD");
    expect(pinctrlNode).toMatchObject({
      name: "devm_kzalloc_release",
      size: 40,
      allocSite: "pinctrl_bind_pins+0x31/0x280",
      allocBytes: 96,
      line: 1515,
      ts: 3798355000,
      cpu: 0,
      task: "modprobe",
      pid: 120,
      flags: "d..1.",
    });
    // The module call site printed as a bare address (ahci unloaded before the read).
    expect(dv.find((e) => e.node === "000000005ebc1aad" && e.op === "ADD")).toMatchObject({
      size: 312,
      allocSite: "0xffffffffc067c74f",
      allocBytes: 512,
    });
    expect(dv.filter((e) => e.op === "ADD").every((e) => e.allocSite !== undefined)).toBe(true);
    expect(
      dv
        .filter((e) => e.op !== "ADD")
        .every((e) => e.freeSite !== undefined && e.allocSite === undefined),
    ).toBe(true);
    // keepKmem "linked" (default): exactly the linked kmalloc/kfree lines are events.
    expect(kindCounts(r.events)).toEqual({
      devres: 198,
      kmalloc: 99,
      kfree: 99,
      marker: 14,
      module: 15,
    });
    const k = r.events.find((e) => e.kind === "kmalloc" && e.ptr === "000000005c728a70");
    expect(k).toMatchObject({
      line: 1514,
      callSite: "pinctrl_bind_pins+0x31/0x280",
      bytesReq: 80,
      bytesAlloc: 96,
      gfp: "GFP_KERNEL|__GFP_ZERO",
      numaNode: -1,
      accounted: false,
    });
    // file order
    for (let i = 1; i < r.events.length; i++)
      expect((r.events[i] as { line: number }).line).toBeGreaterThan(
        (r.events[i - 1] as { line: number }).line,
      );
  });

  it("keepKmem modes change which kmem lines are events, never the account", () => {
    const text = readFileSync(path("ahci-bind-unbind.ftrace.txt"), "utf8");
    const all = importText(text, { keepKmem: "all" });
    const none = importText(text, { keepKmem: "none" });
    const mod = importText(text, { keepKmem: "module" });
    expect(kindCounts(all.events)).toMatchObject({ kmalloc: 7295, kfree: 8212 });
    expect(kindCounts(none.events).kmalloc).toBeUndefined();
    expect(devresEvents(none.events).filter((e) => e.allocSite !== undefined)).toHaveLength(99);
    // module: every call site in a module (" [mod]" suffix or a bare address) plus the linked ones
    const modKmem = mod.events.filter((e) => e.kind === "kmalloc" || e.kind === "kfree");
    expect(modKmem.length).toBeGreaterThan(198);
    expect(modKmem.length).toBeLessThan(7295 + 8212);
    for (const r of [all, none, mod])
      expect(r.lines).toEqual(load("ahci-bind-unbind.ftrace.txt").lines);
  });

  it("ata-piix-probe-fail-on-ahci: ADD 7 REL 4 REM 3 with nested groups", () => {
    const r = load("ata-piix-probe-fail-on-ahci.ftrace.txt");
    expect(devresCounts(r.events)).toEqual({
      "0000:00:1f.2 ADD": 7,
      "0000:00:1f.2 REL": 4,
      "0000:00:1f.2 REM": 3,
    });
    expect(devresEvents(r.events).filter((e) => e.name === "grp<")).toHaveLength(4);
    expect(r.lines.total).toBe(4515);
  });

  it("bochs-drm-unbind: devres plus drmm lines carried by printk:console", () => {
    const r = load("bochs-drm-unbind.ftrace.txt");
    expect(devresEvents(r.events)).toHaveLength(12);
    const k = kindCounts(r.events);
    expect(k).toMatchObject({ drmres: 36, drmres_release: 4, log: 32 });
    const drm = r.events.filter((e) => e.kind === "drmres");
    expect(drm.filter((e) => e.op === "ADD")).toHaveLength(18);
    expect(drm.filter((e) => e.op === "REL")).toHaveLength(18);
    expect(drm[0]).toMatchObject({
      kind: "drmres",
      dev: "0000:00:01.0",
      driver: "bochs-drm",
      op: "ADD",
      node: "00000000ce8be810",
      name: "drm_dev_init_release",
      size: 0,
      via: "console",
      task: "modprobe",
      cpu: 0,
    });
    expect(drm.every((e) => e.func === undefined)).toBe(true);
    const ends = r.events.filter((e) => e.kind === "drmres_release" && e.phase === "end");
    expect(ends.map((e) => e.kind === "drmres_release" && e.func)).toEqual([
      "drm_dev_put",
      "drm_dev_put",
    ]);
    expect(ends.every((e) => e.kind === "drmres_release" && e.dev === undefined)).toBe(true);
    // A console message split over two events stays two log events.
    const split = r.events.filter(
      (e) =>
        e.kind === "log" &&
        (e.text === "Console: switching " || e.text === "to colour dummy device 80x25"),
    );
    expect(split.length).toBeGreaterThanOrEqual(2);
  });

  it("cirrus-drm-unbind: devres ADD 12 REL 8 REM 4, drmm 14 ADD / 14 REL", () => {
    const r = load("cirrus-drm-unbind.ftrace.txt");
    expect(devresCounts(r.events)).toEqual({
      "0000:00:06.0 ADD": 12,
      "0000:00:06.0 REL": 8,
      "0000:00:06.0 REM": 4,
    });
    const drm = r.events.filter((e) => e.kind === "drmres");
    expect(drm.filter((e) => e.op === "ADD")).toHaveLength(14);
    expect(drm.filter((e) => e.op === "REL")).toHaveLength(14);
    expect(
      r.events
        .filter((e) => e.kind === "drmres_release")
        .map((e) => e.kind === "drmres_release" && `${e.phase}:${e.func ?? ""}`),
    ).toEqual([
      "begin:drm_managed_release",
      "end:devm_drm_dev_init_release",
      "begin:drm_managed_release",
      "end:devm_drm_dev_init_release",
    ]);
  });

  it("e1000e-bind-unbind: ADD 8 REL 4 REM 4", () => {
    const r = load("e1000e-bind-unbind.ftrace.txt");
    expect(devresCounts(r.events)).toEqual({
      "0000:00:03.0 ADD": 8,
      "0000:00:03.0 REL": 4,
      "0000:00:03.0 REM": 4,
    });
  });

  it("boot-all-drivers: 221 devres lines, 39 devices, ADD 142 REM 79, module names kept", () => {
    const r = load("boot-all-drivers.ftrace.txt");
    const dv = devresEvents(r.events);
    expect(dv).toHaveLength(221);
    expect(new Set(dv.map((e) => e.dev)).size).toBe(39);
    expect(dv.filter((e) => e.op === "ADD")).toHaveLength(142);
    expect(dv.filter((e) => e.op === "REM")).toHaveLength(79);
    expect(dv[0]).toMatchObject({
      dev: "reg-dummy",
      op: "ADD",
      name: "devm_kzalloc_release",
      size: 40,
      ts: 586438000,
    });
    const mod = dv.filter((e) => e.nameForm === "module");
    expect(mod.map((e) => `${e.name}@${e.nameAddr ?? ""}`)).toEqual([
      "ata_devres_release@0xffffffffc06d0715",
      "ata_host_stop@0xffffffffc06d04b6",
    ]);
  });
});

describe("trace_pipe capture (no header)", () => {
  it("detects trace_pipe; 92 devres_log records (the README's 93 is a grep that also matches a marker mentioning devres_log)", () => {
    const r = load("trace-pipe-ahci-sdhci.trace_pipe.txt");
    expect(r.format).toBe("trace_pipe");
    expect(r.lines.total).toBe(104);
    expect(r.lines.ignored).toEqual({});
    expect(devresEvents(r.events)).toHaveLength(92);
    const markers = r.events.filter((e) => e.kind === "marker");
    expect(markers).toHaveLength(10);
    expect(markers[0]).toMatchObject({
      text: "rk: trace start: events=dev:devres_log module:module_load module:module_free",
    });
    expect(
      r.events
        .filter((e) => e.kind === "module")
        .map((e) => e.kind === "module" && `${e.op}:${e.module}`),
    ).toEqual(["free:mmc_block", "free:sdhci_pci"]);
    expect(r.meta.tracer).toBeUndefined();
  });
});

/** Per device and op in trace-cmd-ahci-e1000 (fixtures/real-traces/README.md), ops recovered. */
const TRACE_CMD_DEVRES = {
  "0000:00:1f.2 ADD": 31,
  "0000:00:1f.2 REL": 28,
  "0000:00:1f.2 REM": 3,
  "0000:00:02.0 ADD": 2,
  "0000:00:02.0 REM": 2,
  "0:0:0:0 ADD": 2,
  "0:0:0:0 REM": 2,
};

/**
 * The trace-cmd capture re-printed in `perf script`'s layout (tools/perf/builtin-script.c ::
 * perf_sample__fprintf_start with the tracepoint defaults: "%16s " comm, "%7d " tid, "[%03d] ",
 * "%12s: " time, the "system:name" event right-aligned to the longest name). perf prints the
 * payload through the same libtraceevent as trace-cmd, so the payloads stay as captured; the
 * ftrace `print` events (tracing_mark_write) are not perf tracepoints and are left out.
 */
function asPerfScript(text: string, pidTid: boolean): string {
  const system: Record<string, string> = {
    devres_log: "dev",
    kmalloc: "kmem",
    kfree: "kmem",
    module_load: "module",
    module_free: "module",
  };
  const width = Math.max(...Object.entries(system).map(([n, s]) => s.length + 1 + n.length));
  const out: string[] = [];
  for (const line of text.split("\n")) {
    const m = /^\s*(.+)-(\d+)\s+\[(\d+)\]\s+(\d+\.\d+): (\w+):\s+(.*)$/.exec(line);
    if (!m) continue;
    const [, comm, pid, cpu, ts, name, payload] = m as unknown as string[];
    const sys = system[name as string];
    if (sys === undefined) continue;
    const id = pidTid
      ? `${(pid as string).padStart(7)}/${(pid as string).padEnd(7)}`
      : (pid as string).padStart(7);
    out.push(
      `${(comm as string).padStart(16)} ${id} [${(cpu as string).padStart(3, "0")}] ${(ts as string).padStart(12)}: ${`${sys}:${name as string}`.padStart(width)}: ${payload as string}`,
    );
  }
  return out.join("\n") + "\n";
}

describe("perf script (the trace-cmd capture in perf's layout)", () => {
  for (const pidTid of [false, true])
    it(`detected as perf-script, the same devres records and op recovery${pidTid ? " (-F pid,tid)" : ""}`, () => {
      const text = asPerfScript(
        new TextDecoder().decode(bytesOf("trace-cmd-ahci-e1000.trace-cmd-report.txt")),
        pidTid,
      );
      const r = importText(text, { path: "perf.txt" });
      expect(r.format).toBe("perf-script");
      expect(r.lines.rejected).toBe(0);
      expect(accounted(r.lines)).toBe(r.lines.total);
      expect(r.lines.total).toBe(70 + 1711 + 1404);
      expect(devresCounts(r.events)).toEqual(TRACE_CMD_DEVRES);
      const dv = devresEvents(r.events);
      expect(dv[0]).toMatchObject({
        dev: "0000:00:1f.2",
        op: "REL",
        node: "0xff335c05c2deda40",
        name: "ffffffffb89545cc",
        task: "sleep",
        pid: 138,
        cpu: 0,
        ts: 8459725000,
      });
      expect(dv.filter((e) => e.op === "ADD" && e.allocSite !== undefined)).toHaveLength(35);
      expect(r.notes.some((n) => n.startsWith("perf script printed the devres_log op"))).toBe(true);
    });
});

describe("trace-cmd report (op and name printed as raw pointers)", () => {
  it("recovers ADD 35 / REL 28 / REM 7 from the op pointers and keeps name pointers", () => {
    const r = load("trace-cmd-ahci-e1000.trace-cmd-report.txt");
    expect(r.format).toBe("trace-cmd-report");
    expect(r.meta.cpus).toBe(2);
    expect(r.lines.ignored).toEqual({ "(header)": 1 });
    expect(devresCounts(r.events)).toEqual(TRACE_CMD_DEVRES);
    expect(r.meta.opRecovery).toMatchObject({
      mapping: { ffffffffb89aa8f2: "ADD", ffffffffb8959e82: "REL", ffffffffb89e82f2: "REM" },
      counts: { ffffffffb89aa8f2: 35, ffffffffb8959e82: 28, ffffffffb89e82f2: 7 },
      ambiguous: false,
    });
    const dv = devresEvents(r.events);
    expect(
      dv.every((e) => e.nameForm === "pointer" && e.nameAddr === e.name && e.opAddr !== undefined),
    ).toBe(true);
    expect(dv[0]).toMatchObject({
      dev: "0000:00:1f.2",
      op: "REL",
      node: "0xff335c05c2deda40",
      name: "ffffffffb89545cc",
      size: 16,
      task: "sleep",
      pid: 138,
      cpu: 0,
      ts: 8459725000,
    });
    expect(dv[0]?.flags).toBeUndefined();
    expect(
      r.notes.some(
        (n) =>
          n.includes("ffffffffb89aa8f2=ADD (35)") &&
          n.includes("ffffffffb8959e82=REL (28)") &&
          n.includes("ffffffffb89e82f2=REM (7)"),
      ),
    ).toBe(true);
    expect(
      r.notes.some((n) => n.includes("70 devres_log names were printed as a raw kernel pointer")),
    ).toBe(true);
    // kmalloc lines carry "(func+off) " before call_site= and raw 0x pointers: ADDs still link.
    expect(dv.filter((e) => e.op === "ADD" && e.allocSite !== undefined)).toHaveLength(35);
    expect(dv.filter((e) => e.op !== "ADD" && e.allocSite !== undefined)).toHaveLength(0);
    const markers = r.events
      .filter((e) => e.kind === "marker")
      .map((e) => e.kind === "marker" && e.text);
    expect(markers).toContain("rk: unbind ahci");
  });

  it("refuses the binary trace.dat with the command to run", () => {
    const r = importText(
      new TextDecoder("latin1").decode(bytesOf("trace-cmd-ahci-e1000.trace.dat")),
      { path: "x/trace.dat" },
    );
    expect(r.events).toHaveLength(0);
    expect(r.error).toBe(
      "x/trace.dat: binary trace-cmd data (trace.dat); run `trace-cmd report -i x/trace.dat > x/trace.dat.txt` and open that",
    );
  });
});

describe("dmesg captures", () => {
  const files = [
    ["ahci-bind-unbind.dmesg.txt", 0, 0, 1],
    ["ata-piix-probe-fail-on-ahci.dmesg.txt", 0, 0, 1],
    ["bochs-drm-unbind.dmesg.txt", 18, 18, 0],
    ["boot-all-drivers.dmesg.txt", 16, 0, 1],
    ["cirrus-drm-unbind.dmesg.txt", 14, 14, 0],
    ["e1000e-bind-unbind.dmesg.txt", 0, 0, 0],
    ["trace-cmd-ahci-e1000.dmesg.txt", 0, 0, 0],
    ["trace-pipe-ahci-sdhci.dmesg.txt", 0, 0, 1],
  ] as const;
  for (const [f, add, rel, warnings] of files) {
    it(`${f}: every line an event; drmres ADD ${add} REL ${rel}; ${warnings} WARNING`, () => {
      const r = load(f);
      expect(r.format).toBe("dmesg");
      expect(r.lines.parsed).toBe(r.lines.total);
      expect(r.events).toHaveLength(r.lines.total);
      const drm = r.events.filter((e) => e.kind === "drmres");
      expect(drm.filter((e) => e.op === "ADD")).toHaveLength(add);
      expect(drm.filter((e) => e.op === "REL")).toHaveLength(rel);
      expect(drm.every((e) => e.via === "dmesg")).toBe(true);
      const warns = r.events.filter((e) => e.kind === "report");
      expect(warns).toHaveLength(warnings);
      for (const w of warns)
        expect(w).toMatchObject({ report: "warning", func: "trace_check_vprintf+0x532/0x5b0" });
      // "AMD-Vi: AMD IOMMUv2 functionality not available" is not an IOMMU fault.
      expect(
        r.events.some((e) => e.kind === "log" && e.text.startsWith("AMD-Vi: AMD IOMMUv2")),
      ).toBe(true);
      expect(r.events[0]).toMatchObject({ kind: "log", ts: 0, line: 1, via: "dmesg" });
    });
  }
});

describe("large-stress.ftrace.txt.gz (gzip, 185 MB unpacked)", () => {
  it("streams through DecompressionStream: 1,187,507 lines, 24,079 devres records, exact per-device counts", async () => {
    const r = await importChunks(createReadStream(path("large-stress.ftrace.txt.gz")), {
      path: "large-stress.ftrace.txt.gz",
    });
    expect(r.error).toBeUndefined();
    expect(r.gzip).toBe(true);
    expect(r.bytes).toBe(15237641);
    expect(r.lines.total).toBe(1187507);
    expect(r.lines.rejected).toBe(0);
    expect(r.lines.ignored).toEqual({ "#comment": 12 });
    expect(r.lines.parsed).toBe(1187495);
    expect(r.meta).toMatchObject({ entriesInBuffer: 1187495, entriesWritten: 1187495, cpus: 2 });
    const dv = devresEvents(r.events);
    expect(dv).toHaveLength(24079);
    const c = devresCounts(r.events);
    expect([c["0000:00:1f.2 ADD"], c["0000:00:1f.2 REL"], c["0000:00:1f.2 REM"]]).toEqual([
      6231, 5600, 603,
    ]);
    expect([c["0000:00:03.0 ADD"], c["0000:00:03.0 REL"], c["0000:00:03.0 REM"]]).toEqual([
      804, 400, 402,
    ]);
    expect([c["0000:00:01.0 ADD"], c["0000:00:01.0 REL"], c["0000:00:01.0 REM"]]).toEqual([
      603, 200, 402,
    ]);
    expect([c["0000:00:1f.3 ADD"], c["0000:00:1f.3 REL"], c["0000:00:1f.3 REM"]]).toEqual([
      1206, 800, 402,
    ]);
    expect([c["0000:00:08.0 ADD"], c["0000:00:08.0 REL"], c["0000:00:08.0 REM"]]).toEqual([
      1608, 1200, 402,
    ]);
    for (const d of ["0000:00:02.0", "0000:00:04.0", "0:0:0:0", "mmc0:4567"])
      expect([c[`${d} ADD`], c[`${d} REM`], c[`${d} REL`]]).toEqual([402, 402, undefined]);
    expect(dv.filter((e) => e.nameForm === "module" || e.nameForm === "module-gone")).toHaveLength(
      802,
    );
    expect(dv.filter((e) => e.op === "ADD" && e.allocSite !== undefined)).toHaveLength(12060);
    const k = kindCounts(r.events);
    expect(k).toMatchObject({ marker: 4411, module: 28, devres: 24079, kmalloc: 12060 });
    expect(r.events.filter((e) => e.task === "<...>").length).toBeGreaterThan(0);
  });
});
