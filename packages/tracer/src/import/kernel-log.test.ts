// Kernel log message shapes, each as the kernel source prints it (cited in kernel-log.ts).
import { describe, expect, it } from "vitest";
import { classifyKernelLog, parseDevPrefix } from "./kernel-log.js";
import { parseDmesgLine } from "./dmesg-line.js";

describe("parseDevPrefix", () => {
  it("splits dev_printk's '<driver-or-bus> <dev>: '", () => {
    expect(parseDevPrefix("bochs-drm 0000:00:01.0: vgaarb: deactivate vga console")).toEqual({
      driver: "bochs-drm",
      dev: "0000:00:01.0",
      rest: "vgaarb: deactivate vga console",
    });
    expect(parseDevPrefix("sd 0:0:0:0: [sda] 131072 512-byte logical blocks")).toMatchObject({
      driver: "sd",
      dev: "0:0:0:0",
    });
    expect(parseDevPrefix("platform reg-dummy: x")).toMatchObject({
      driver: "platform",
      dev: "reg-dummy",
    });
    // dev_driver_string() == "": the line starts with a blank
    expect(parseDevPrefix(" 0000:00:01.0: x")).toEqual({ dev: "0000:00:01.0", rest: "x" });
  });
  it("does not read prose as a prefix", () => {
    expect(parseDevPrefix("ACPI: bus type drm_connector registered")).toBeNull();
    expect(parseDevPrefix("Hello world: x")).toBeNull();
    expect(parseDevPrefix("cirrus: probe of 0000:00:01.0 failed with error -12")).toBeNull();
    expect(parseDevPrefix("Console: switching ")).toBeNull();
  });
});

describe("classifyKernelLog", () => {
  it("CONFIG_DEBUG_DEVRES lines (devres_dbg)", () => {
    expect(
      classifyKernelLog(
        "snd_hda_intel 0000:00:1f.3: DEVRES ADD 00000000a1b2c3d4 devm_kzalloc_release (256 bytes)",
      ),
    ).toEqual({
      kind: "devres",
      dev: "0000:00:1f.3",
      driver: "snd_hda_intel",
      op: "ADD",
      node: "00000000a1b2c3d4",
      name: "devm_kzalloc_release",
      size: 256,
    });
    expect(
      classifyKernelLog("gpio-sim gpio-sim.0: DEVRES REL 000000004090f288 action (16 bytes)"),
    ).toMatchObject({ kind: "devres", op: "REL", dev: "gpio-sim.0", name: "action" });
    expect(
      classifyKernelLog("x 1-1: DEVRES REPLACE 00000000deadbeef (null) (0 bytes)"),
    ).toMatchObject({ kind: "devres", op: "REPLACE", name: "(null)", nameForm: "null", size: 0 });
    expect(classifyKernelLog("x 1-1: DEVRES ADD 00000000deadbeef grp> (0 bytes)")).toMatchObject({
      kind: "devres",
      name: "grp>",
    });
    expect(
      classifyKernelLog(
        "x 1-1: DEVRES ADD 00000000deadbeef (void(*)(void *))clk_disable (16 bytes)",
      ),
    ).toMatchObject({ kind: "devres", name: "(void(*)(void *))clk_disable" });
  });

  it("DRM managed-resource lines under every prefix", () => {
    expect(
      classifyKernelLog(
        "bochs-drm 0000:00:01.0: [drm:add_dr [drm]] ADD 00000000184a104a drm_dev_init_release (0 bytes)",
      ),
    ).toEqual({
      kind: "drmres",
      dev: "0000:00:01.0",
      driver: "bochs-drm",
      op: "ADD",
      node: "00000000184a104a",
      name: "drm_dev_init_release",
      size: 0,
    });
    expect(
      classifyKernelLog(
        "pci 0000:00:01.0: [drm:drm_managed_release [drm]] REL 00000000d7b6fa53 drm_mode_config_init_release (0 bytes)",
      ),
    ).toMatchObject({ kind: "drmres", driver: "pci", op: "REL" });
    expect(
      classifyKernelLog("[drm:drmm_kfree [drm]] DEL 00000000d7b6fa53 kmalloc (80 bytes)"),
    ).toEqual({
      kind: "drmres",
      dev: "",
      op: "DEL",
      node: "00000000d7b6fa53",
      name: "kmalloc",
      size: 80,
    });
    expect(
      classifyKernelLog("[drm:drmm_release_action [drm]] DEL 00000000d7b6fa53 foo (8 bytes)"),
    ).toMatchObject({ kind: "drmres", op: "DEL", func: "drmm_release_action" });
    // built-in DRM: %ps without " [drm]"
    expect(
      classifyKernelLog(
        "msm_dpu c901000.display-controller: [drm:drm_managed_release] drmres release begin",
      ),
    ).toEqual({
      kind: "drmres_release",
      phase: "begin",
      func: "drm_managed_release",
      dev: "c901000.display-controller",
      driver: "msm_dpu",
    });
    expect(classifyKernelLog("[drm:devm_drm_dev_init_release [drm]] drmres release end")).toEqual({
      kind: "drmres_release",
      phase: "end",
      func: "devm_drm_dev_init_release",
    });
    // other DRM debug output is a log line
    expect(classifyKernelLog("[drm:msm_gpu_init] gpu_cx: ffff0000819e4180")).toMatchObject({
      kind: "log",
    });
  });

  it("probe failures, both forms (drivers/base/dd.c :: call_driver_probe)", () => {
    expect(classifyKernelLog("cirrus: probe of 0000:00:01.0 failed with error -12")).toEqual({
      kind: "probe_failed",
      driver: "cirrus",
      dev: "0000:00:01.0",
      errno: -12,
    });
    expect(
      classifyKernelLog("ahci 0000:00:02.0: probe with driver ahci failed with error -22"),
    ).toEqual({
      kind: "probe_failed",
      driver: "ahci",
      dev: "0000:00:02.0",
      errno: -22,
      form: "dev",
    });
  });

  it("Resources present before probing (really_probe)", () => {
    expect(classifyKernelLog("spi spi0.0: Resources present before probing")).toEqual({
      kind: "resources_before_probe",
      dev: "spi0.0",
      driver: "spi",
    });
    expect(classifyKernelLog("pci 0000:00:00.2: Resources present before probing")).toMatchObject({
      kind: "resources_before_probe",
      dev: "0000:00:00.2",
    });
  });

  it("dma_pool_destroy busy, v6.3+ and legacy (mm/dmapool.c)", () => {
    expect(classifyKernelLog("ehci-pci 0000:00:1d.0: dma_pool_destroy ehci_qh busy")).toEqual({
      kind: "pool_busy",
      pool: "ehci_qh",
      form: "v6.3",
      dev: "0000:00:1d.0",
      driver: "ehci-pci",
    });
    expect(
      classifyKernelLog(
        "sata_mv 0000:03:00.0: dma_pool_destroy sata_mv crqb q, ffff8800d6c42000 busy",
      ),
    ).toMatchObject({
      kind: "pool_busy",
      pool: "sata_mv crqb q",
      addr: "ffff8800d6c42000",
      form: "legacy",
    });
    expect(classifyKernelLog("dma_pool_destroy buffer-32 busy")).toEqual({
      kind: "pool_busy",
      pool: "buffer-32",
      form: "v6.3",
    });
  });

  it("KASAN reports", () => {
    expect(
      classifyKernelLog("BUG: KASAN: use-after-free in foo_irq+0x12/0x40 [foo]"),
    ).toMatchObject({ kind: "report", report: "kasan-use-after-free", func: "foo_irq+0x12/0x40" });
    expect(classifyKernelLog("BUG: KASAN: slab-use-after-free in bar+0x1/0x2")).toMatchObject({
      report: "kasan-use-after-free",
    });
    expect(classifyKernelLog("BUG: KASAN: double-free in kfree+0x1/0x2")).toMatchObject({
      report: "kasan-double-free",
    });
    expect(
      classifyKernelLog("BUG: KASAN: double-free or invalid-free in kfree+0x1/0x2"),
    ).toMatchObject({ report: "kasan-double-free" });
    expect(classifyKernelLog("BUG: KASAN: invalid-free in kfree+0x1/0x2")).toMatchObject({
      report: "kasan-invalid-free",
    });
    expect(classifyKernelLog("BUG: KASAN: slab-out-of-bounds in f+0x1/0x2")).toMatchObject({
      report: "kasan-out-of-bounds",
    });
    expect(classifyKernelLog("BUG: KASAN: null-ptr-deref in f+0x1/0x2")).toMatchObject({
      report: "kasan-other",
    });
  });

  it("double free_irq and WARNINGs", () => {
    expect(classifyKernelLog("Trying to free already-free IRQ 11")).toMatchObject({
      kind: "report",
      report: "irq-double-free",
    });
    expect(
      classifyKernelLog(
        "WARNING: CPU: 1 PID: 322 at kernel/trace/trace.c:3885 trace_check_vprintf+0x532/0x5b0",
      ),
    ).toMatchObject({ report: "warning", func: "trace_check_vprintf+0x532/0x5b0" });
    expect(classifyKernelLog("WARNING: CPU: 0 PID: 1 at devres_release_all+0x1/0x2")).toMatchObject(
      { report: "warning", func: "devres_release_all+0x1/0x2" },
    );
    expect(classifyKernelLog("WARNING: at drivers/base/devres.c:123 devres_add()")).toMatchObject({
      report: "warning",
      func: "devres_add()",
    });
  });

  it("IOMMU faults (Intel DMAR, AMD-Vi) but not AMD-Vi's informational lines", () => {
    expect(
      classifyKernelLog(
        "DMAR: [DMA Write NO_PASID] Request device [00:02.0] fault addr 0xfee00000 [fault reason 0x05] PTE Write access is not set",
      ),
    ).toMatchObject({
      kind: "report",
      report: "iommu-fault",
      dev: "0000:00:02.0",
      addr: "0xfee00000",
    });
    expect(
      classifyKernelLog(
        "DMAR: [DMA Read] Request device [03:00.0] fault addr 7f000 [fault reason 06] PTE Read access is not set",
      ),
    ).toMatchObject({ report: "iommu-fault", dev: "0000:03:00.0", addr: "7f000" });
    expect(
      classifyKernelLog(
        "DMAR: [DMA Read NO_PASID] Request device [0x00:0x1f.2] fault addr 0x1000 [fault reason 0x06] x",
      ),
    ).toMatchObject({ dev: "0000:00:1f.2" });
    expect(
      classifyKernelLog(
        "e1000e 0000:00:03.0: AMD-Vi: Event logged [IO_PAGE_FAULT domain=0x000e address=0xfffff000 flags=0x0020]",
      ),
    ).toMatchObject({ report: "iommu-fault", dev: "0000:00:03.0", addr: "0xfffff000" });
    expect(
      classifyKernelLog(
        "AMD-Vi: Event logged [IO_PAGE_FAULT device=00:14.0 domain=0x0000 address=0x1000 flags=0x0000]",
      ),
    ).toMatchObject({ report: "iommu-fault", dev: "0000:00:14.0" });
    expect(
      classifyKernelLog(
        "AMD-Vi: AMD IOMMUv2 functionality not available on this system - This is not a bug.",
      ),
    ).toMatchObject({ kind: "log" });
  });

  it("everything else is a log line, with its dev prefix when it has one", () => {
    expect(classifyKernelLog("ahci 0000:00:1f.2: AHCI 0001.0000 32 slots")).toEqual({
      kind: "log",
      text: "ahci 0000:00:1f.2: AHCI 0001.0000 32 slots",
      dev: "0000:00:1f.2",
      driver: "ahci",
    });
    // netdev_printk: driver, device, interface
    expect(classifyKernelLog("e1000e 0000:00:03.0 eth0: NIC Link is Up")).toEqual({
      kind: "log",
      text: "e1000e 0000:00:03.0 eth0: NIC Link is Up",
      dev: "0000:00:03.0",
      driver: "e1000e",
    });
    expect(classifyKernelLog("Run /init as init process")).toEqual({
      kind: "log",
      text: "Run /init as init process",
    });
    expect(classifyKernelLog("")).toEqual({ kind: "log", text: "" });
  });
});

describe("device names with spaces", () => {
  it("DEVRES, probe failures and resources-before-probe keep the whole device name", () => {
    expect(
      classifyKernelLog(
        "platform Fixed MDIO bus.0: DEVRES ADD 000000005c728a70 devm_kzalloc_release (40 bytes)",
      ),
    ).toMatchObject({
      kind: "devres",
      dev: "Fixed MDIO bus.0",
      driver: "platform",
      op: "ADD",
      size: 40,
    });
    expect(classifyKernelLog("fixed: probe of Fixed MDIO bus.0 failed with error -12")).toEqual({
      kind: "probe_failed",
      driver: "fixed",
      dev: "Fixed MDIO bus.0",
      errno: -12,
    });
    expect(
      classifyKernelLog("platform Fixed MDIO bus.0: probe with driver fixed failed with error -5"),
    ).toMatchObject({ kind: "probe_failed", dev: "Fixed MDIO bus.0", driver: "fixed", errno: -5 });
    expect(
      classifyKernelLog("platform Fixed MDIO bus.0: Resources present before probing"),
    ).toMatchObject({ kind: "resources_before_probe", dev: "Fixed MDIO bus.0" });
    // Prose that mentions the words is not given a device.
    expect(classifyKernelLog("see the DEVRES lines: DEVRES ADD is printed per node")).toEqual({
      kind: "log",
      text: "see the DEVRES lines: DEVRES ADD is printed per node",
    });
  });
});

describe("parseDmesgLine", () => {
  it("journalctl and util-linux dmesg variants", () => {
    const msg = "ahci 0000:00:1f.2: DEVRES ADD 000000005c728a70 devm_kzalloc_release (40 bytes)";
    const cases: [string, number][] = [
      [`[    4.164824] debian kernel: ${msg}`, 4164824000], // journalctl -o short-monotonic
      [`Nov 21 09:00:00.123456 debian kernel: ${msg}`, -1], // journalctl -o short-precise
      [`[    4.164824 <    0.000123>] ${msg}`, 4164824000], // dmesg -d
      [`[  +0.000123] ${msg}`, -1], // dmesg -H / --reltime
      [`[Nov21 09:00] ${msg}`, -1], // dmesg -H, first line of a minute
    ];
    for (const [line, ts] of cases) {
      const d = parseDmesgLine(line);
      expect(d).toEqual({ ts, text: msg });
      expect(classifyKernelLog(d.text)).toMatchObject({ kind: "devres", dev: "0000:00:1f.2" });
    }
    // Prose after a timestamp is not a journal host prefix.
    expect(parseDmesgLine("[    0.1] Kernel command line: x").text).toBe("Kernel command line: x");
  });

  it("every prefix shape", () => {
    expect(parseDmesgLine("[    4.164824] bochs-drm 0000:00:01.0: x")).toEqual({
      ts: 4164824000,
      text: "bochs-drm 0000:00:01.0: x",
    });
    expect(parseDmesgLine("[12345.000001] y")).toEqual({ ts: 12345000001000, text: "y" });
    expect(parseDmesgLine("no prefix at all")).toEqual({ ts: -1, text: "no prefix at all" });
    expect(parseDmesgLine("<6>[    4.1] text")).toEqual({ ts: 4100000000, text: "text", level: 6 });
    expect(parseDmesgLine("<12>[    4.1] text")).toEqual({
      ts: 4100000000,
      text: "text",
      level: 4,
    });
    expect(parseDmesgLine("kern  :info  : [    4.1] text")).toEqual({
      ts: 4100000000,
      text: "text",
      level: 6,
    });
    expect(parseDmesgLine("kern  :err   : [    4.1] text")).toEqual({
      ts: 4100000000,
      text: "text",
      level: 3,
    });
    expect(parseDmesgLine("Nov 21 09:00:00 host kernel: [    4.1] text")).toEqual({
      ts: 4100000000,
      text: "text",
    });
    expect(parseDmesgLine("Nov  1 09:00:00 host kernel: text")).toEqual({ ts: -1, text: "text" });
    expect(parseDmesgLine("2023-11-21T09:00:00.123456+01:00 host kernel: [    4.1] text")).toEqual({
      ts: 4100000000,
      text: "text",
    });
    expect(parseDmesgLine("6,1234,4164824,-;bochs-drm 0000:00:01.0: x")).toEqual({
      ts: 4164824000,
      text: "bochs-drm 0000:00:01.0: x",
      level: 6,
    });
    expect(parseDmesgLine("[    4.164824] [    T1] text")).toEqual({
      ts: 4164824000,
      text: "text",
    });
    expect(parseDmesgLine("[    4.164824] [   C0] text")).toEqual({ ts: 4164824000, text: "text" });
    expect(parseDmesgLine("[Tue Nov 21 09:00:00 2023] text")).toEqual({ ts: -1, text: "text" });
    expect(parseDmesgLine("[    4.164824]")).toEqual({ ts: 4164824000, text: "" });
  });
});
