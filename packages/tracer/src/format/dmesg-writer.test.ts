import { describe, expect, it } from "vitest";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { importText } from "../import/index.js";
import type { TraceEvent } from "../model/events.js";
import { dmesgLine, kernelLogText, writeDmesg } from "./dmesg-writer.js";

const REAL = join(__dirname, "../../../../fixtures/real-traces");
const DMESG = [
  "ahci-bind-unbind",
  "ata-piix-probe-fail-on-ahci",
  "bochs-drm-unbind",
  "boot-all-drivers",
  "cirrus-drm-unbind",
  "e1000e-bind-unbind",
  "trace-pipe-ahci-sdhci",
  "trace-cmd-ahci-e1000",
];

describe("writeDmesg reproduces real dmesg captures byte for byte", () => {
  for (const name of DMESG) {
    it(`${name}.dmesg.txt`, () => {
      const text = readFileSync(join(REAL, `${name}.dmesg.txt`), "utf8");
      const r = importText(text, { path: name });
      expect(r.lines.rejected).toBe(0);
      const out = writeDmesg(r.events);
      expect(out.skipped).toEqual({});
      const a = text.split("\n");
      const b = out.text.split("\n");
      const i = a.findIndex((l, j) => l !== b[j]);
      expect(i < 0 ? "" : `line ${i + 1}: ${JSON.stringify(a[i])} vs ${JSON.stringify(b[i])}`).toBe(
        "",
      );
      expect(out.text).toBe(text);
    });
  }
});

describe("kernel log message forms", () => {
  const at = { ts: 5_151_512_000, line: 0, via: "dmesg" as const };
  it("probe failure before and after v6.10", () => {
    expect(
      dmesgLine({ ...at, kind: "probe_failed", driver: "cirrus", dev: "0000:00:01.0", errno: -12 }),
    ).toBe("[    5.151512] cirrus: probe of 0000:00:01.0 failed with error -12");
    expect(
      kernelLogText({
        ...at,
        kind: "probe_failed",
        driver: "ahci",
        dev: "0000:00:02.0",
        errno: -22,
        form: "dev",
      }),
    ).toBe("ahci 0000:00:02.0: probe with driver ahci failed with error -22");
  });
  it("CONFIG_DEBUG_DEVRES lines and drmres lines", () => {
    const devres: TraceEvent = {
      ...at,
      kind: "devres",
      dev: "gpio-sim.0",
      driver: "gpio-sim",
      op: "ADD",
      node: "000000004090f288",
      name: "action",
      size: 16,
    };
    expect(kernelLogText(devres)).toBe(
      "gpio-sim gpio-sim.0: DEVRES ADD 000000004090f288 action (16 bytes)",
    );
    const del: TraceEvent = {
      ...at,
      kind: "drmres",
      dev: "0000:00:06.0",
      driver: "cirrus",
      op: "DEL",
      node: "0000000010878f79",
      name: "kmalloc",
      size: 80,
      func: "drmm_kfree",
    };
    expect(kernelLogText(del)).toBe(
      "cirrus 0000:00:06.0: [drm:drmm_kfree [drm]] DEL 0000000010878f79 kmalloc (80 bytes)",
    );
    expect(
      kernelLogText({ ...at, kind: "drmres_release", phase: "end", func: "drm_dev_put" }),
    ).toBe("[drm:drm_dev_put [drm]] drmres release end");
  });
  it("dma_pool_destroy busy in both forms", () => {
    expect(
      kernelLogText({
        ...at,
        kind: "pool_busy",
        pool: "ahci_cmd",
        dev: "0000:00:1f.2",
        driver: "ahci",
        form: "v6.3",
      }),
    ).toBe("ahci 0000:00:1f.2: dma_pool_destroy ahci_cmd busy");
    expect(
      kernelLogText({
        ...at,
        kind: "pool_busy",
        pool: "ahci_cmd",
        dev: "0000:00:1f.2",
        driver: "ahci",
        addr: "00000000deadbeef",
        form: "legacy",
      }),
    ).toBe("ahci 0000:00:1f.2: dma_pool_destroy ahci_cmd, 00000000deadbeef busy");
  });
  it("counts non-log events as skipped", () => {
    expect(
      writeDmesg([{ ts: 1, line: 0, kind: "kfree", callSite: "x", ptr: "0" }]).skipped,
    ).toEqual({ kfree: 1 });
  });
});
