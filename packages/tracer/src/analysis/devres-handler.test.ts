import { describe, expect, it } from "vitest";
import { buildModel } from "./analyze-events.js";
import { probeStart, trace } from "./fixtures/trace-dsl.js";

const DEV = "0000:00:1f.2";

function model(text: string) {
  return buildModel(trace(text));
}

describe("devres list replay and epochs", () => {
  it("rebuilds one bind/unbind: counts, LIFO release order, unbind by another task", () => {
    const m = model(`
${probeStart(1, "modprobe-10", DEV, 1)}
1.1 modprobe-10 devres ${DEV} ADD a pcim_release 8
1.2 modprobe-10 devres ${DEV} ADD b devm_kzalloc_release 312
1.3 modprobe-10 devres ${DEV} ADD c devm_irq_release 16
2.0 init-1 devres ${DEV} REL c devm_irq_release 16
2.1 init-1 devres ${DEV} REL b devm_kzalloc_release 312
2.2 init-1 devres ${DEV} REL a pcim_release 8
`);
    const dev = m.devices.get(DEV);
    expect(dev?.counts).toEqual({ add: 5, rel: 3, rem: 2, replace: 0 });
    expect(dev?.epochs).toHaveLength(1);
    const ep = dev?.epochs[0];
    expect(ep?.end).toBe("unbind");
    expect(ep?.closure).toBe("release-all");
    expect(ep?.releaseOrderOk).toBe(true);
    expect(ep?.start_ns).toBe(1_000_000_000);
    expect(ep?.end_ns).toBe(2_200_000_000);
    expect(ep?.endEvidence).toContain("init-1");
    expect(dev?.resources.every((r) => r.end !== "live")).toBe(true);
    expect(dev?.resources.map((r) => r.kind)).toEqual(["memory", "other", "pci", "memory", "irq"]);
    expect(m.anomalies).toEqual([]);
  });

  it("calls a burst in the probing task with no return to user space a failed probe", () => {
    const m = model(`
${probeStart(1, "init-1", DEV, 1)}
1.1 init-1 devres ${DEV} ADD a pcim_release 8
1.2 init-1 devres ${DEV} ADD b devm_kzalloc_release 24
1.3 init-1 devres ${DEV} REL b devm_kzalloc_release 24
1.4 init-1 devres ${DEV} REL a pcim_release 8
`);
    const ep = m.devices.get(DEV)?.epochs[0];
    expect(ep?.end).toBe("probe-failed");
    expect(ep?.endEvidence).toContain("without returning to user space");
  });

  it("calls the same task an unbind once it wrote a trace marker in between", () => {
    const m = model(`
${probeStart(1, "sh-7", DEV, 1)}
1.1 sh-7 devres ${DEV} ADD a pcim_release 8
1.5 sh-7 marker rk: unbind
1.6 sh-7 devres ${DEV} REL a pcim_release 8
`);
    const ep = m.devices.get(DEV)?.epochs[0];
    expect(ep?.end).toBe("unbind");
    expect(ep?.endEvidence).toContain("trace_marker write");
  });

  it("uses a sysfs write returning (kernfs_fop_write_iter kfree) as user-space evidence", () => {
    const m = model(`
1.0 sh-7 kmalloc kernfs_fop_write_iter+0x183/0x200 w1 16
${probeStart(1.001, "sh-7", DEV, 1)}
1.1 sh-7 devres ${DEV} ADD a pcim_release 8
1.2 sh-7 kfree kernfs_fop_write_iter+0x98/0x200 w1
1.6 sh-7 devres ${DEV} REL a pcim_release 8
`);
    expect(m.devices.get(DEV)?.epochs[0]?.end).toBe("unbind");
  });

  it("keeps group members after devres_remove_group and releases markers first", () => {
    const m = model(`
${probeStart(1, "modprobe-10", DEV, 1)}
1.1 modprobe-10 devres ${DEV} ADD a pcim_release 8
1.2 modprobe-10 devres ${DEV} ADD g grp< 0
1.3 modprobe-10 devres ${DEV} ADD b ata_devres_release 0
1.4 modprobe-10 devres ${DEV} REM g grp< 0
1.5 modprobe-10 devres ${DEV} ADD h grp< 0
1.6 modprobe-10 devres ${DEV} ADD c devm_kzalloc_release 8
2.0 rmmod-20 devres ${DEV} REL h grp< 0
2.1 rmmod-20 devres ${DEV} REL c devm_kzalloc_release 8
2.2 rmmod-20 devres ${DEV} REL b ata_devres_release 0
2.3 rmmod-20 devres ${DEV} REL a pcim_release 8
`);
    const dev = m.devices.get(DEV);
    const [pinA, , a, g, b, h, c] = dev?.resources ?? [];
    expect(pinA?.name).toBe("devm_kzalloc_release");
    expect(g?.end).toBe("removed");
    expect(b?.group).toBe(g?.id);
    expect(c?.group).toBe(h?.id);
    expect(b?.end).toBe("released");
    expect(a?.end).toBe("released");
    expect(dev?.epochs[0]?.releaseOrderOk).toBe(true);
    expect(dev?.epochs[0]?.end).toBe("unbind");
  });

  it("flags a release burst that does not follow release_nodes order", () => {
    const m = model(`
${probeStart(1, "modprobe-10", DEV, 1)}
1.1 modprobe-10 devres ${DEV} ADD a pcim_release 8
1.2 modprobe-10 devres ${DEV} ADD b devm_kzalloc_release 8
2.0 init-1 devres ${DEV} REL a pcim_release 8
2.1 init-1 devres ${DEV} REL b devm_kzalloc_release 8
`);
    expect(m.devices.get(DEV)?.epochs[0]?.releaseOrderOk).toBe(false);
  });

  it("treats a release of one closed group's range as devres_release_group (the epoch goes on)", () => {
    const m = model(`
${probeStart(1, "modprobe-10", DEV, 1)}
1.1 modprobe-10 devres ${DEV} ADD a pcim_release 8
1.2 modprobe-10 devres ${DEV} ADD g grp< 0
1.3 modprobe-10 devres ${DEV} ADD b devm_kzalloc_release 8
1.4 modprobe-10 devres ${DEV} ADD c devm_kzalloc_release 16
1.5 modprobe-10 devres ${DEV} ADD gc grp> 0
1.6 modprobe-10 devres ${DEV} ADD d devm_irq_release 16
1.7 modprobe-10 devres ${DEV} REL g grp< 0
1.8 modprobe-10 devres ${DEV} REL c devm_kzalloc_release 16
1.9 modprobe-10 devres ${DEV} REL b devm_kzalloc_release 8
2.0 modprobe-10 devres ${DEV} ADD e devm_kzalloc_release 4
`);
    const dev = m.devices.get(DEV);
    expect(dev?.epochs).toHaveLength(1);
    expect(dev?.epochs[0]?.end).toBe("bound-at-end");
    expect(dev?.counts.add).toBe(9);
    const g = dev?.resources.find((r) => r.node === "g");
    expect(g?.closedNs).toBe(1_500_000_000);
    expect(dev?.resources.filter((r) => r.end === "live").map((r) => r.node)).toEqual([
      "a",
      "d",
      "e",
    ]);
  });

  it("matches the node devm_krealloc put in place of a REPLACEd one", () => {
    const m = model(`
${probeStart(1, "modprobe-10", DEV, 1)}
1.1 modprobe-10 devres ${DEV} ADD a devm_kzalloc_release 8
1.2 modprobe-10 devres ${DEV} REPLACE a devm_kzalloc_release 8
2.0 init-1 devres ${DEV} REL z (null) 0
`);
    const dev = m.devices.get(DEV);
    const a = dev?.resources.find((r) => r.node === "a");
    expect(dev?.counts.replace).toBe(1);
    expect(a?.replaced).toBe(true);
    expect(a?.nodeAfterReplace).toBe("z");
    expect(a?.end).toBe("released");
    expect(m.anomalies).toEqual([]);
    expect(dev?.epochs[0]?.end).toBe("unbind");
  });

  it("keeps reused node pointers apart (keyed by device and node)", () => {
    const m = model(`
${probeStart(1, "modprobe-10", DEV, 1)}
1.1 modprobe-10 devres ${DEV} ADD pin1a pcim_release 8
2.0 init-1 devres ${DEV} REL pin1a pcim_release 8
${probeStart(3, "init-1", DEV, 2)}
3.1 init-1 devres ${DEV} ADD pin1a pcim_iomap_release 48
`);
    const dev = m.devices.get(DEV);
    expect(dev?.epochs.map((e) => e.end)).toEqual(["unbind", "bound-at-end"]);
    const reused = dev?.resources.filter((r) => r.node === "pin1a") ?? [];
    expect(reused.map((r) => [r.name, r.end, r.epoch])).toEqual([
      ["devm_kzalloc_release", "removed", 0],
      ["pcim_release", "released", 0],
      ["pcim_iomap_release", "live", 1],
    ]);
  });

  it("opens a cut-off epoch for a device first seen releasing, and records release-unknown as not covered", () => {
    const m = model(`
0.5 init-1 marker rk: trace start
1.0 init-1 devres ${DEV} REL x devm_irq_release 16
1.1 init-1 devres ${DEV} REL y pcim_release 8
${probeStart(2, "init-1", DEV, 1)}
`);
    const dev = m.devices.get(DEV);
    expect(dev?.epochs[0]?.startCutOff).toBe(true);
    expect(dev?.epochs[0]?.start_ns).toBe(500_000_000);
    expect(dev?.epochs[0]?.end).toBe("unbind");
    expect(
      dev?.resources.slice(0, 2).every((r) => r.addCutOff === true && r.addedNs === 500_000_000),
    ).toBe(true);
    expect(m.anomalies.map((a) => [a.kind, a.covered])).toEqual([
      ["release-unknown", false],
      ["release-unknown", false],
    ]);
  });

  it("ends an epoch whose burst skipped a node with that node as a leftover", () => {
    const m = model(`
${probeStart(1, "modprobe-10", DEV, 1)}
1.1 modprobe-10 devres ${DEV} ADD a pcim_release 8
1.2 modprobe-10 devres ${DEV} ADD b dmam_release 32
1.3 modprobe-10 devres ${DEV} ADD c devm_irq_release 16
2.0 init-1 devres ${DEV} REL c devm_irq_release 16
2.2 init-1 devres ${DEV} REL a pcim_release 8
3.0 init-1 marker rk: bind
${probeStart(3.1, "init-1", DEV, 2)}
`);
    const ep = m.devices.get(DEV)?.epochs[0];
    expect(ep?.closure).toBe("release-incomplete");
    expect(ep?.leftovers.map((r) => r.node)).toEqual(["b"]);
    expect(m.devices.get(DEV)?.epochs).toHaveLength(2);
    expect(m.devices.get(DEV)?.epochs[1]?.liveAtStart.map((r) => r.node)).toEqual(["b"]);
  });

  it("records a second release of a node as double-release", () => {
    const m = model(`
${probeStart(1, "modprobe-10", DEV, 1)}
1.1 modprobe-10 devres ${DEV} ADD a pcim_release 8
2.0 init-1 devres ${DEV} REL a pcim_release 8
2.5 init-1 devres ${DEV} REL a pcim_release 8
`);
    expect(m.anomalies.map((a) => [a.kind, a.resource.node, a.covered])).toEqual([
      ["double-release", "a", true],
    ]);
  });

  it("lets a probe_failed line end an epoch that had nothing to release", () => {
    const m = model(`
${probeStart(1, "kworker/0:1-30", DEV, 1)}
1.5 - probe_failed ahci ${DEV} -22
`);
    const ep = m.devices.get(DEV)?.epochs[0];
    expect(ep?.end).toBe("probe-failed");
    expect(ep?.errno).toBe(-22);
    expect(ep?.endNotLogged).toBe(true);
    expect(ep?.end_ns).toBe(1_500_000_000);
    expect(ep?.driver).toBe("ahci");
  });

  it("starts epochs at the first ADD when the kernel logs no probe-start signal", () => {
    const m = model(`
1.0 modprobe-10 devres ${DEV} ADD a pcim_release 8
2.0 init-1 devres ${DEV} REL a pcim_release 8
3.0 init-1 devres ${DEV} ADD b pcim_release 8
`);
    const dev = m.devices.get(DEV);
    expect(dev?.epochs.map((e) => [e.end, e.startCutOff ?? false, e.covered])).toEqual([
      ["unbind", false, false],
      ["bound-at-end", false, true],
    ]);
    expect(m.notes.join(" ")).toContain("no pinctrl_bind_pins probe-start signal");
  });

  it("puts nodes added to an unbound device outside any epoch", () => {
    const m = model(`
${probeStart(1, "modprobe-10", DEV, 1)}
1.1 modprobe-10 devres ${DEV} ADD a pcim_release 8
2.0 init-1 devres ${DEV} REL a pcim_release 8
2.5 kworker/0:2-40 devres ${DEV} ADD stray devm_kzalloc_release 64
`);
    const stray = m.devices.get(DEV)?.resources.find((r) => r.node === "stray");
    expect(stray?.epoch).toBe(-1);
    expect(stray?.end).toBe("live");
  });

  it("marks a node a release callback added during the burst, but not the next probe", () => {
    const m = model(`
${probeStart(1, "modprobe-10", DEV, 1)}
1.1 modprobe-10 devres ${DEV} ADD a pcim_release 8
2.0 init-1 devres ${DEV} REL a pcim_release 8
2.001 init-1 devres ${DEV} ADD cb devm_kzalloc_release 16
${probeStart(2.002, "init-1", DEV, 2)}
`);
    const rs = m.devices.get(DEV)?.resources ?? [];
    expect(rs.find((r) => r.node === "cb")?.addedDuringRelease).toBe(true);
    expect(rs.filter((r) => r.addedDuringRelease === true)).toHaveLength(1);
  });

  it("takes a dev_pin_info freed at once (no pin handle) as a probe start of an unbound device", () => {
    const m = model(`
${probeStart(1, "modprobe-10", DEV, 1)}
1.1 modprobe-10 devres ${DEV} ADD a pcim_release 8
2.0 init-1 devres ${DEV} REL a pcim_release 8
3.0 init-1 devres ${DEV} ADD pi devm_kzalloc_release 40
3.1 init-1 devres ${DEV} REM pi devm_kzalloc_release 40
3.2 init-1 devres ${DEV} ADD b pcim_release 8
`);
    const dev = m.devices.get(DEV);
    expect(
      dev?.epochs.map((e) => [e.startEvidence?.startsWith("pinctrl_bind_pins"), e.end]),
    ).toEqual([
      [true, "unbind"],
      [true, "bound-at-end"],
    ]);
    expect(dev?.resources.find((r) => r.node === "b")?.epoch).toBe(1);
  });

  it("pairs grp> with its grp< by raw address when pointers are unhashed", () => {
    const m = model(`
${probeStart(1, "modprobe-10", DEV, 1)}
1.1 modprobe-10 devres ${DEV} ADD 0xff335c05c2e00100 grp< 0
1.2 modprobe-10 devres ${DEV} ADD 0xff335c05c2e00400 grp< 0
1.3 modprobe-10 devres ${DEV} ADD 0xff335c05c2e00128 grp> 0
`);
    const groups = m.devices.get(DEV)?.resources.filter((r) => r.isGroup) ?? [];
    expect(groups.map((g) => g.closedNs !== undefined)).toEqual([true, false]);
  });

  it("recovers pointer-printed names from kmalloc call sites (trace-cmd report)", () => {
    const events = trace(`
1.0 sh-9 devres ${DEV} ADD n1 ffffffffb89e82dd 40 pinctrl_bind_pins+0x31
1.1 sh-9 devres ${DEV} ADD n2 ffffffffb89ae2b0 8
1.2 sh-9 devres ${DEV} REM n2 ffffffffb89ae2b0 8
1.3 sh-9 devres ${DEV} REM n1 ffffffffb89e82dd 40
1.4 sh-9 devres ${DEV} ADD n3 ffffffffb89545cc 16 devm_request_threaded_irq+0x6b
1.5 sh-9 devres ${DEV} ADD n4 ffffffffb89e82dd 8 ahci_init_one+0x14f
`).map((e) => (e.kind === "devres" ? { ...e, nameForm: "pointer" as const, nameAddr: e.name } : e));
    const m = buildModel(events);
    const rs = m.devices.get(DEV)?.resources ?? [];
    expect(rs.map((r) => r.recoveredName)).toEqual([
      "devm_kzalloc_release",
      "devm_pinctrl_release",
      "devm_irq_release",
      "devm_kzalloc_release",
    ]);
    expect(rs.map((r) => r.kind)).toEqual(["memory", "other", "irq", "memory"]);
    expect(m.devices.get(DEV)?.epochs[0]?.startEvidence).toContain("pinctrl_bind_pins");
  });
});

describe("drm managed resources", () => {
  it("keeps drmm lists per drm_device instance, released after the parent's unbind", () => {
    const m = model(`
${probeStart(1, "modprobe-10", "0000:00:01.0", 1)}
1.1 modprobe-10 drmres 0000:00:01.0 ADD d1 drm_dev_init_release 0
1.2 modprobe-10 drmres 0000:00:01.0 ADD d2 kmalloc 80
1.3 modprobe-10 devres 0000:00:01.0 ADD p pcim_release 8
2.0 init-1 devres 0000:00:01.0 REL p pcim_release 8
${probeStart(3, "init-1", "0000:00:01.0", 2)}
3.1 init-1 drmres 0000:00:01.0 ADD d3 drm_dev_init_release 0
4.0 Xorg-50 drmres_release begin 0000:00:01.0
4.1 Xorg-50 drmres 0000:00:01.0 REL d2 kmalloc 80
4.2 Xorg-50 drmres 0000:00:01.0 REL d1 drm_dev_init_release 0
4.3 Xorg-50 drmres_release end
`);
    const dev = m.devices.get("0000:00:01.0");
    expect(dev?.drm).toEqual({ add: 3, rel: 2, del: 0, liveAtEnd: 1 });
    expect(dev?.drmm.map((r) => [r.node, r.drmInstance, r.epoch, r.end])).toEqual([
      ["d1", 0, 0, "released"],
      ["d2", 0, 0, "released"],
      ["d3", 1, 1, "live"],
    ]);
    expect(dev?.drmm[0]?.endedNs).toBeGreaterThan(dev?.epochs[0]?.end_ns ?? 0);
  });
});
