import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { HandTrace } from "./fixtures/hand-trace.js";
import { analyzeText, findingsOf } from "./fixtures/real-trace.js";

const DIR = fileURLToPath(new URL("../../../../fixtures/real-traces/", import.meta.url));
const DEV = "0000:00:03.0";

/** A devm IRQ before the memory its handler uses; at unbind the handler runs on freed memory. */
function irqBeforeAlloc(): string {
  const t = new HandTrace().marker("init-1", "scenario: modprobe").probeStart("modprobe-100", DEV);
  t.kmalloc("modprobe-100", "devm_request_threaded_irq+0x47/0xd0", "0000000000000101", 56).devres(
    "modprobe-100",
    DEV,
    "ADD",
    "0000000000000101",
    "devm_irq_release",
    16,
  );
  t.kmalloc("modprobe-100", "rtl_init_one+0x17e/0x2b0 [sim_r8169]", "0000000000000102", 296).devres(
    "modprobe-100",
    DEV,
    "ADD",
    "0000000000000102",
    "devm_kzalloc_release",
    256,
  );
  t.wait(1000).marker("init-1", "scenario: unbind");
  t.devres("init-1", DEV, "REL", "0000000000000102", "devm_kzalloc_release", 256);
  t.line("init-1", "irq_handler_entry", "irq=19 name=sim-r8169", "d.h..");
  for (const l of [
    "==================================================================",
    "BUG: KASAN: use-after-free in rtl8169_interrupt+0x98/0x130 [sim_r8169]",
    "Write of size 8 at addr ffff888100030228 by task init/1",
    "",
    "Call Trace:",
    " <IRQ>",
    " dump_stack_lvl+0x44/0x5c",
    " rtl8169_interrupt+0x98/0x130 [sim_r8169]",
    " free_irq+0x392/0x3a0",
    " </IRQ>",
    "",
    "Allocated by task 100:",
    " kasan_save_stack+0x22/0x50",
    " __kmalloc_node_track_caller+0x5a/0x150",
    " rtl_init_one+0x17e/0x2b0 [sim_r8169]",
    " local_pci_probe+0xda/0x1a0",
    "",
    "Freed by task 1:",
    " kasan_save_stack+0x22/0x50",
    " __kmem_cache_free+0xb1/0x2a0",
    " release_nodes+0x4b/0xb0",
    " devres_release_all+0x9e/0x140",
    "",
    "The buggy address belongs to the object at ffff888100030200",
    " which belongs to the cache kmalloc-512 of size 512",
    "==================================================================",
  ])
    t.console("init-1", l);
  t.line("init-1", "irq_handler_exit", "irq=19 ret=handled", "d.h..");
  t.devres("init-1", DEV, "REL", "0000000000000101", "devm_irq_release", 16);
  return t.text();
}

describe("use-after-free", () => {
  it("is clean on the real captures", () => {
    for (const f of ["e1000e-bind-unbind.ftrace.txt", "cirrus-drm-unbind.ftrace.txt"]) {
      expect(findingsOf(analyzeText(readFileSync(DIR + f, "utf8"), f), "use-after-free")).toEqual(
        [],
      );
    }
  });

  it("ties a KASAN report in a hard-IRQ handler to the devres node the unbind freed, with both sites", () => {
    const a = analyzeText(irqBeforeAlloc(), "uaf.txt");
    const fs = findingsOf(a, "use-after-free");
    expect(fs).toHaveLength(1);
    const f = fs[0];
    expect(f?.device).toBe(DEV);
    expect(f?.severity).toBe("error");
    expect(f?.resources).toHaveLength(1);
    const r = a.resources.find((x) => x.id === f?.resources[0]);
    expect([r?.name, r?.size, r?.end]).toEqual(["devm_kzalloc_release", 256, "released"]);
    expect(f?.message).toContain(
      "a hard-IRQ handler (rtl8169_interrupt+0x98/0x130 [sim_r8169]) wrote 8 bytes of freed memory — devm_kzalloc_release (256 bytes",
    );
    expect(f?.details).toMatchObject({
      context: "hardirq",
      allocSite: "rtl_init_one+0x17e/0x2b0 [sim_r8169] ← local_pci_probe+0xda/0x1a0",
      freeSite: "release_nodes+0x4b/0xb0 ← devres_release_all+0x9e/0x140",
    });
  });

  it("aggregates repeated reports of the same access", () => {
    const one = irqBeforeAlloc();
    const kasan = one
      .split("\n")
      .filter((l) => l.includes("console:") && !l.includes("scenario"))
      .join("\n");
    const twice = one.replace(/(.*irq_handler_exit.*\n)/, `$1${kasan}\n`);
    const fs = findingsOf(analyzeText(twice, "uaf2.txt"), "use-after-free");
    expect(fs).toHaveLength(1);
    expect(fs[0]?.details?.reports).toBe(2);
  });
});
