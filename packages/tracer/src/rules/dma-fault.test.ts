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
    t.console("<idle>-0", `DMAR: [DMA Read NO_PASID] Request device [00:03.0] fault addr 0x1000${i}2000 [fault reason 0x06] PTE Read access is not set`);
  }
  t.wait(500).marker("init-1", "scenario: unbind");
  t.devres("init-1", DEV, "REL", "0000000000000202", "dmam_release", 32);
  t.devres("init-1", DEV, "REL", "0000000000000201", "pcim_release", 8);
  return t.text();
}

describe("dma-fault", () => {
  it("is clean on the real captures (no IOMMU fault in them)", () => {
    const f = "e1000e-bind-unbind.ftrace.txt";
    expect(findingsOf(analyzeText(readFileSync(DIR + f, "utf8"), f), "dma-fault")).toEqual([]);
  });

  it("reports a device's IOMMU faults once, placed in its lifecycle and after the step that caused them", () => {
    const fs = findingsOf(analyzeText(faultsAfterClose(), "dmar.txt"), "dma-fault");
    expect(fs).toHaveLength(1);
    expect(fs[0]).toMatchObject({ rule: "dma-fault", severity: "error", device: DEV, epoch: 0 });
    expect(fs[0]?.message).toContain("the IOMMU refused 3 reads by the device (3 faults at 3 pages, first 0x100002000 at");
    expect(fs[0]?.message).toContain('while the driver was bound');
    expect(fs[0]?.message).toContain('after "scenario: ip link set eth0 down (WoL armed)"');
    expect(fs[0]?.details).toMatchObject({ faults: 3, reads: 3, writes: 0 });
  });

  it("says when the faults came after the unbind released the device's DMA memory", () => {
    const text = faultsAfterClose().replace(/(.*REL 0000000000000201 pcim_release.*\n)/, `$1        <idle>-0       [000] d....     3.900000: console: DMAR: [DMA Write NO_PASID] Request device [00:03.0] fault addr 0x20000000 [fault reason 0x05] PTE Write access is not set\n`);
    const a = analyzeText(text.replace(/DMAR: \[DMA Read[^\n]*\n/g, ""), "dmar2.txt");
    const fs = findingsOf(a, "dma-fault");
    expect(fs).toHaveLength(1);
    expect(fs[0]?.message).toContain("1 write");
    expect(fs[0]?.message).toContain("after the driver let go of it");
    expect(fs[0]?.message).toContain("DMA memory of the device released before: dmam_release");
    expect(fs[0]?.resources).toHaveLength(1);
  });
});
