import { describe, expect, it } from "vitest";
import { trace } from "./fixtures/trace-dsl.js";
import { TaskActivityHandler, userEntrySite, userReturnBetween } from "./task-activity-handler.js";

describe("user-space return evidence", () => {
  it("collects markers, syscall-side kmem and module loads per task", () => {
    const events = trace(`
1.0 sh-5 kmalloc kernfs_fop_write_iter+0x183/0x200 p 16
1.1 sh-5 kmalloc acpi_ns_evaluate+0x49/0x1c0 q 32
1.2 modprobe-9 module load ahci
1.3 sh-5 marker rk: hello
1.4 kworker/0:1-3 kfree release_nodes+0x4b/0xb0 q`);
    const h = new TaskActivityHandler();
    h.reset();
    events.forEach((e, i) => h.handleEvent(e, i));
    const a = h.data();
    expect(a.byPid.get(5)?.map((r) => r.index)).toEqual([0, 3]);
    expect(a.byPid.get(9)?.[0]?.reason).toContain("module_load ahci");
    expect(a.byPid.has(3)).toBe(false);
    expect(userReturnBetween(a, 5, 0, 4)?.index).toBe(3);
    expect(userReturnBetween(a, 5, 3, 4)).toBeUndefined();
    expect(userReturnBetween(a, 5, -1, 3)?.index).toBe(0);
    expect(a.hasKmem).toBe(true);
  });

  it("knows which call sites only run at a system call boundary", () => {
    expect(userEntrySite("kernfs_fop_write_iter+0x98/0x200")).toBe(true);
    expect(userEntrySite("devkmsg_write.cold+0x24/0x46")).toBe(true);
    expect(userEntrySite("__x64_sys_finit_module+0x10/0x20")).toBe(true);
    expect(userEntrySite("pinctrl_bind_pins+0x31/0x280")).toBe(false);
    expect(userEntrySite("0xffffffffc067c74f")).toBe(false);
  });
});
