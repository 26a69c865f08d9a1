import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { HandTrace } from "./fixtures/hand-trace.js";
import { analyzeText, findingsOf } from "./fixtures/real-trace.js";

const DIR = fileURLToPath(new URL("../../../../fixtures/real-traces/", import.meta.url));
const DEV = "0000:00:06.0";

function ioctlAfterUnbind(rebind: boolean): string {
  const t = new HandTrace().probeStart("modprobe-100", DEV);
  t.devres("modprobe-100", DEV, "ADD", "0000000000000301", "pcim_release", 8);
  t.devres("modprobe-100", DEV, "ADD", "0000000000000302", "devm_ioremap_release", 8);
  t.devres("modprobe-100", DEV, "ADD", "0000000000000303", "devm_ioremap_release", 8);
  t.wait(1000).marker("init-1", "scenario: unbind");
  t.devres("init-1", DEV, "REL", "0000000000000303", "devm_ioremap_release", 8);
  t.devres("init-1", DEV, "REL", "0000000000000302", "devm_ioremap_release", 8);
  t.devres("init-1", DEV, "REL", "0000000000000301", "pcim_release", 8);
  if (rebind) {
    t.wait(100).probeStart("init-1", DEV);
    t.devres("init-1", DEV, "ADD", "0000000000000304", "devm_ioremap_release", 8);
  }
  t.wait(1000).console(
    "modetest-101",
    "BUG: unable to handle page fault for address: ffffc90001a01710",
  );
  t.console("modetest-101", "#PF: supervisor write access in kernel mode");
  t.console("modetest-101", "#PF: error_code(0x0002) - not-present page");
  t.console("modetest-101", "Oops: 0002 [#1] PREEMPT SMP NOPTI");
  t.console("modetest-101", "RIP: 0010:sim_drm_ioctl_submit+0x1c2/0x2a0 [sim_drm]");
  return t.text();
}

describe("mmio-after-unbind", () => {
  it("is clean on the real captures", () => {
    const f = "cirrus-drm-unbind.ftrace.txt";
    expect(findingsOf(analyzeText(readFileSync(DIR + f, "utf8"), f), "mmio-after-unbind")).toEqual(
      [],
    );
  });

  it("ties a page fault after unbind to the device whose MMIO mappings the unbind released", () => {
    const fs = findingsOf(analyzeText(ioctlAfterUnbind(false), "pf.txt"), "mmio-after-unbind");
    expect(fs).toHaveLength(1);
    expect(fs[0]).toMatchObject({ device: DEV, severity: "error", epoch: 0 });
    expect(fs[0]?.resources).toHaveLength(2);
    expect(fs[0]?.message).toContain(
      "a kernel access to ffffc90001a01710 by task modetest-101 in sim_drm_ioctl_submit+0x1c2/0x2a0 [sim_drm] took a page fault",
    );
    expect(fs[0]?.message).toContain("devm_ioremap_release x2");
  });

  it("does not blame an unbind the device has since been re-probed after", () => {
    expect(findingsOf(analyzeText(ioctlAfterUnbind(true), "pf2.txt"), "mmio-after-unbind")).toEqual(
      [],
    );
  });
});
