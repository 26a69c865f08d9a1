import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { HandTrace } from "./fixtures/hand-trace.js";
import { analyzeText, findingsOf } from "./fixtures/real-trace.js";

const DIR = fileURLToPath(new URL("../../../../fixtures/real-traces/", import.meta.url));
const DEV = "0000:00:03.0";

function faultsAfterClose(): string {
  const t = new HandTrace().probeStart("modprobe-100", DEV);
  t.devres("modprobe-100", DEV, "ADD", "0000000000000201", "pcim_release", 8);
  t.devres("modprobe-100", DEV, "ADD", "0000000000000202", "dmam_release", 32);
  t.wait(500).marker("init-1", "scenario: ip link set eth0 down (WoL armed)");
  for (let i = 0; i < 3; i++) {
    t.wait(50).console("<idle>-0", "DMAR: DRHD: handling fault status reg 2");
    t.console(
      "<idle>-0",
      `DMAR: [DMA Read NO_PASID] Request device [00:03.0] fault addr 0x1000${i}2000 [fault reason 0x06] PTE Read access is not set`,
    );
  }
  t.wait(500).marker("init-1", "scenario: unbind");
  t.devres("init-1", DEV, "REL", "0000000000000202", "dmam_release", 32);
  t.devres("init-1", DEV, "REL", "0000000000000201", "pcim_release", 8);
  return t.text();
}

/**
 * The simulator's DMA checker report (packages/hw-sim, dma-checker-report.ts) as it prints it:
 * KASAN's line shapes with the device where KASAN names a task.
 */
function checkerBlock(t: HandTrace, lines: readonly string[]): HandTrace {
  for (const l of [
    "==================================================================",
    ...lines,
    "==================================================================",
  ])
    t.console("<idle>-0", l);
  return t;
}

const UAF_BLOCK = [
  "BUG: KASAN: use-after-free in DMA read by 0000:00:03.0 (rx descriptor fetch)",
  "Read of size 16 at addr ffff8881000220c0 by device 0000:00:03.0 (bus address 0x1000220c0)",
  "",
  "Allocated by task 101:",
  " dma_alloc_attrs+0x360/0x3c0",
  " rtl_open+0x308/0x3e0 [sim_r8169]",
  " __dev_open+0xde/0x130",
  "",
  "Freed by task 103:",
  " dma_free_attrs+0x18a/0x230",
  " rtl8169_close+0x144/0x240 [sim_r8169]",
  " __dev_close_many+0xcc/0x410",
  "",
  "The buggy address belongs to the object at ffff888100022000",
  " which belongs to the coherent DMA buffer of size 256",
  "The buggy address is located 192 bytes inside of",
  " 256-byte region [ffff888100022000, ffff888100022100)",
];

describe("dma-fault", () => {
  it("is clean on the real captures (no IOMMU fault in them)", () => {
    const f = "e1000e-bind-unbind.ftrace.txt";
    expect(findingsOf(analyzeText(readFileSync(DIR + f, "utf8"), f), "dma-fault")).toEqual([]);
  });

  it("reports a device's IOMMU faults once, placed in its lifecycle and after the step that caused them", () => {
    const fs = findingsOf(analyzeText(faultsAfterClose(), "dmar.txt"), "dma-fault");
    expect(fs).toHaveLength(1);
    expect(fs[0]).toMatchObject({ rule: "dma-fault", severity: "error", device: DEV, epoch: 0 });
    expect(fs[0]?.message).toContain(
      "the IOMMU refused 3 reads by the device (3 faults at 3 pages, first 0x100002000 at",
    );
    expect(fs[0]?.message).toContain("while the driver was bound");
    expect(fs[0]?.message).toContain('after "scenario: ip link set eth0 down (WoL armed)"');
    expect(fs[0]?.details).toMatchObject({ faults: 3, reads: 3, writes: 0 });
  });

  it("says when the faults came after the unbind released the device's DMA memory", () => {
    const text = faultsAfterClose().replace(
      /(.*REL 0000000000000201 pcim_release.*\n)/,
      `$1        <idle>-0       [000] d....     3.900000: console: DMAR: [DMA Write NO_PASID] Request device [00:03.0] fault addr 0x20000000 [fault reason 0x05] PTE Write access is not set\n`,
    );
    const a = analyzeText(text.replace(/DMAR: \[DMA Read[^\n]*\n/g, ""), "dmar2.txt");
    const fs = findingsOf(a, "dma-fault");
    expect(fs).toHaveLength(1);
    expect(fs[0]?.message).toContain("1 write");
    expect(fs[0]?.message).toContain("after the driver let go of it");
    expect(fs[0]?.message).toContain("DMA memory of the device released before: dmam_release");
    expect(fs[0]?.resources).toHaveLength(1);
  });

  it("folds the DMA checker's report into the finding: access, buffer, allocation and free sites — and no use-after-free of its own", () => {
    const t = new HandTrace().probeStart("modprobe-100", DEV);
    t.devres("modprobe-100", DEV, "ADD", "0000000000000201", "pcim_release", 8);
    t.wait(500).marker("init-1", "scenario: ip link set eth0 down (WoL armed)");
    t.wait(50).console("<idle>-0", "DMAR: DRHD: handling fault status reg 2");
    t.console(
      "<idle>-0",
      "DMAR: [DMA Read NO_PASID] Request device [00:03.0] fault addr 0x100022000 [fault reason 0x06] PTE Read access is not set",
    );
    checkerBlock(t, UAF_BLOCK);
    t.wait(50).console(
      "<idle>-0",
      "DMAR: [DMA Read NO_PASID] Request device [00:03.0] fault addr 0x100022000 [fault reason 0x06] PTE Read access is not set",
    );
    const a = analyzeText(t.text(), "checker.txt");
    expect(findingsOf(a, "use-after-free")).toEqual([]);
    const fs = findingsOf(a, "dma-fault");
    expect(fs).toHaveLength(1);
    expect(fs[0]?.message).toContain("the IOMMU refused 2 reads by the device (2 faults at 1 page");
    expect(fs[0]?.message).toContain(
      "names what it hit: a read of 16 bytes at bus address 0x1000220c0 (rx descriptor fetch), 192 bytes into a freed 256-byte coherent DMA buffer — " +
        "allocated by rtl_open+0x308/0x3e0 [sim_r8169] ← __dev_open+0xde/0x130 (task 101), freed by rtl8169_close+0x144/0x240 [sim_r8169] ← __dev_close_many+0xcc/0x410 (task 103)",
    );
    expect(fs[0]?.details).toMatchObject({
      faults: 2,
      checkerReports: 1,
      bugType: "use-after-free",
      access: "Read 16 bytes at 0x1000220c0",
      purpose: "rx descriptor fetch",
      allocSite: "rtl_open+0x308/0x3e0 [sim_r8169] ← __dev_open+0xde/0x130",
      freeSite: "rtl8169_close+0x144/0x240 [sim_r8169] ← __dev_close_many+0xcc/0x410",
    });
  });

  it("names the pool, the block, the overrun and who allocated the block; ties the managed pool node", () => {
    const t = new HandTrace().probeStart("modprobe-100", DEV);
    t.devres("modprobe-100", DEV, "ADD", "0000000000000301", "dmam_pool_release", 8);
    t.wait(500).marker("init-1", "scenario: receive 260 frames");
    t.console(
      "<idle>-0",
      "DMAR: [DMA Read NO_PASID] Request device [00:03.0] fault addr 0x100023000 [fault reason 0x06] PTE Read access is not set",
    );
    checkerBlock(t, [
      "BUG: KASAN: out-of-bounds in DMA read by 0000:00:03.0 (rx descriptor fetch (+4 prefetched))",
      "Read of size 80 at addr ffff888100022fc0 by device 0000:00:03.0 (bus address 0x100022fc0)",
      "",
      "Allocated by task 101:",
      " dma_pool_alloc+0x372/0x3e0",
      " rtl_open+0x308/0x3e0 [sim_r8169]",
      " __dev_open+0xde/0x130",
      "",
      "The buggy address belongs to the object at ffff888100022000",
      " which belongs to the dma pool sim_r8169 rx ring of size 4096",
      "The buggy address is located 4032 bytes inside of",
      " 4096-byte region [ffff888100022000, ffff888100023000)",
    ]);
    const a = analyzeText(t.text(), "overrun.txt");
    expect(findingsOf(a, "use-after-free")).toEqual([]);
    const f = findingsOf(a, "dma-fault")[0];
    expect(f?.message).toContain(
      'a read of 80 bytes at bus address 0x100022fc0 (rx descriptor fetch (+4 prefetched)), 4032 bytes into a 4096-byte block of DMA pool "sim_r8169 rx ring", running 16 bytes past its end — allocated by rtl_open+0x308/0x3e0 [sim_r8169] ← __dev_open+0xde/0x130 (task 101)',
    );
    expect(f?.message).toContain("The pool is managed: dmam_pool_release (8 bytes, line");
    expect(f?.details).toMatchObject({ pool: "sim_r8169 rx ring", bugType: "out-of-bounds" });
    expect(f?.resources).toHaveLength(1);
  });

  it("stands on the checker's report alone when the IOMMU let the access through (a free pool block)", () => {
    const t = new HandTrace().probeStart("modprobe-100", DEV);
    t.wait(500).marker("init-1", "scenario: ip link set eth0 down");
    checkerBlock(t, [
      "BUG: KASAN: use-after-free in DMA write by 0000:00:03.0 (cb status write-back)",
      "Write of size 8 at addr ffff888100040200 by device 0000:00:03.0 (bus address 0x100040200)",
      "",
      "Allocated by task 104:",
      " dma_pool_alloc+0x372/0x3e0",
      " e100_up+0x1c4/0x2a0 [sim_e100]",
      "",
      "Freed by task 105:",
      " dma_pool_free+0x1f0/0x260",
      " e100_down+0x9a/0x1e0 [sim_e100]",
      "",
      "The buggy address belongs to the object at ffff888100040200",
      " which belongs to the dma pool eth0 of size 256",
      "The buggy address is located 0 bytes inside of",
      " 256-byte region [ffff888100040200, ffff888100040300)",
    ]);
    const fs = findingsOf(analyzeText(t.text(), "free-block.txt"), "dma-fault");
    expect(fs).toHaveLength(1);
    expect(fs[0]?.details).toMatchObject({ faults: 0, checkerReports: 1, pool: "eth0" });
    expect(fs[0]?.message).toContain(`${DEV}: the DMA checker's report (line`);
    expect(fs[0]?.message).toContain(
      'saw a write of 8 bytes at bus address 0x100040200 (cb status write-back), 0 bytes into a free 256-byte block of DMA pool "eth0" — allocated by e100_up+0x1c4/0x2a0 [sim_e100] (task 104), freed by e100_down+0x9a/0x1e0 [sim_e100] (task 105) while the driver was bound',
    );
    expect(fs[0]?.message).toContain(
      "the IOMMU let it through: a pool's page stays mapped while any of its blocks is in use",
    );
  });

  it("a CPU's KASAN report next to a device's stays use-after-free's", () => {
    const t = new HandTrace().probeStart("modprobe-100", DEV);
    t.console(
      "<idle>-0",
      "DMAR: [DMA Read NO_PASID] Request device [00:03.0] fault addr 0x100022000 [fault reason 0x06] PTE Read access is not set",
    );
    checkerBlock(t, UAF_BLOCK);
    checkerBlock(t, [
      "BUG: KASAN: use-after-free in rtl8169_interrupt+0x98/0x130 [sim_r8169]",
      "Write of size 8 at addr ffff888100030228 by task init/1",
      "",
      "Allocated by task 100:",
      " __kmalloc_node_track_caller+0x5a/0x150",
      " rtl_init_one+0x17e/0x2b0 [sim_r8169]",
      "",
      "Freed by task 1:",
      " release_nodes+0x4b/0xb0",
      "",
      "The buggy address belongs to the object at ffff888100030200",
      " which belongs to the cache kmalloc-512 of size 512",
    ]);
    const a = analyzeText(t.text(), "both.txt");
    expect(findingsOf(a, "dma-fault").map((f) => f.details?.checkerReports)).toEqual([1]);
    const uaf = findingsOf(a, "use-after-free");
    expect(uaf).toHaveLength(1);
    expect(uaf[0]?.message).toContain(
      "(rtl8169_interrupt+0x98/0x130 [sim_r8169]) wrote 8 bytes of freed memory — a 512-byte kmalloc-512 object",
    );
  });
});
