import type { Kernel } from "../kernel/kernel.js";
import { rawAddr } from "../kernel/address.js";
import type { SlabObject, TaskStamp } from "./slab.js";

/** A memory-safety report the simulated kernel printed, with the structured facts behind it. */
export interface KasanReport {
  kind: "kasan-use-after-free" | "kasan-double-free" | "kasan-invalid-free" | "kasan-out-of-bounds";
  /** First line as printed (`BUG: KASAN: use-after-free in f+0x1c/0x80`). */
  title: string;
  /** Faulting / freed physical address. */
  addr: number;
  /** `%pS` of the faulting function (or kfree's caller). */
  func: string;
  /** The object involved, when the address is inside one. */
  object?: SlabObject;
  /** Clock time of the report, ns. */
  ns: number;
  /** Every line printed, first line included. */
  lines: string[];
}

/**
 * KASAN (generic) as mm/kasan/report.c prints it: the banner, `BUG: KASAN: <type> in <ip>`,
 * the access line, "Allocated by task" / "Freed by task" tracks from the slab object records,
 * and the object/cache description. Reports go to the kernel log (KERN_ERR) like the real ones.
 */
export class Kasan {
  readonly reports: KasanReport[] = [];
  /** Bad accesses seen while KASAN is off (the real kernel would be silent), count. */
  silent = 0;

  constructor(private readonly k: Kernel) {}

  /**
   * Check an access of `size` bytes at `offset` into `obj` from function `ip` (`%pS` text).
   * Returns true when the access is valid.
   */
  check(obj: SlabObject, offset: number, size: number, write: boolean, ip: string): boolean {
    const freed = !obj.live;
    const oob = offset < 0 || offset + size > obj.validBytes;
    if (!freed && !oob) return true;
    if (!this.k.config.kasan) {
      this.silent++;
      return false;
    }
    const addr = obj.addr + offset;
    const kind = freed ? "kasan-use-after-free" : "kasan-out-of-bounds";
    const type = freed ? "use-after-free" : "slab-out-of-bounds";
    const task = this.k.current;
    const title = `BUG: KASAN: ${type} in ${ip}`;
    const lines = [
      title,
      `${write ? "Write" : "Read"} of size ${size} at addr ${rawAddr(addr)} by task ${task.comm}/${task.pid}`,
      "",
      ...this.header(ip),
      ...this.tracks(obj),
      ...this.describe(obj, addr),
    ];
    this.emit({ kind, title, addr, func: ip, object: obj, ns: this.k.clock.now, lines });
    return false;
  }

  /** kfree of something that is not a live object start (mm/kasan/common.c :: ____kasan_slab_free). */
  invalidFree(obj: SlabObject, ip: string): void {
    if (!this.k.config.kasan) {
      this.silent++;
      return;
    }
    const double = !obj.live;
    const kind = double ? "kasan-double-free" : "kasan-invalid-free";
    const title = `BUG: KASAN: ${double ? "double-free" : "invalid-free"} in ${ip}`;
    const task = this.k.current;
    const lines = [
      title,
      `Free of addr ${rawAddr(obj.addr)} by task ${task.comm}/${task.pid}`,
      "",
      ...this.header(ip),
      ...this.tracks(obj),
      ...this.describe(obj, obj.addr),
    ];
    this.emit({ kind, title, addr: obj.addr, func: ip, object: obj, ns: this.k.clock.now, lines });
  }

  private header(ip: string): string[] {
    const t = this.k.current;
    const stack = [ip, ...this.k.callStack.slice().reverse()].filter(
      (s, i, a) => a.indexOf(s) === i,
    );
    return [
      `CPU: ${t.cpu} PID: ${t.pid} Comm: ${t.comm} Tainted: G    B              ${this.k.release}`,
      "Call Trace:",
      // dump_stack in hard-IRQ context brackets the interrupt frames with <IRQ> (arch/x86/kernel/dumpstack.c).
      this.k.irq.hardirqDepth > 0 ? " <IRQ>" : " <TASK>",
      " dump_stack_lvl+0x44/0x5c",
      " print_report+0x184/0x4be",
      " kasan_report+0xc4/0x100",
      ...stack.map((s) => ` ${s}`),
      this.k.irq.hardirqDepth > 0 ? " </IRQ>" : " </TASK>",
      "",
    ];
  }

  private tracks(obj: SlabObject): string[] {
    const track = (what: string, s: TaskStamp, inner: string[]): string[] => [
      `${what} by task ${s.pid}:`,
      " kasan_save_stack+0x22/0x50",
      " kasan_set_track+0x25/0x30",
      ...inner.map((l) => ` ${l}`),
      ...[s.site, ...s.stack.slice().reverse()]
        .filter((x, i, a) => a.indexOf(x) === i)
        .map((l) => ` ${l}`),
      "",
    ];
    const out = track("Allocated", obj.allocated, [
      "__kasan_kmalloc+0x7e/0x90",
      "__kmalloc_node_track_caller+0x5a/0x150",
    ]);
    if (obj.freed !== null) {
      out.push(
        ...track("Freed", obj.freed, [
          "kasan_save_free_info+0x2a/0x40",
          "____kasan_slab_free+0x143/0x1b0",
          "__kmem_cache_free+0xb1/0x2a0",
        ]),
      );
    }
    return out;
  }

  private describe(obj: SlabObject, addr: number): string[] {
    // 6.1 mm/kasan/report.c :: describe_object_addr: offsets against the cache's object size.
    const off = addr - obj.addr;
    const size = obj.bytesAlloc;
    const where =
      off < 0
        ? `${-off} bytes to the left of`
        : off >= size
          ? `${off - size} bytes to the right of`
          : `${off} bytes inside of`;
    return [
      `The buggy address belongs to the object at ${rawAddr(obj.addr)}`,
      ` which belongs to the cache ${this.k.slab.cacheName(obj)} of size ${size}`,
      `The buggy address is located ${where}`,
      ` ${size}-byte region [${rawAddr(obj.addr)}, ${rawAddr(obj.addr + size)})`,
    ];
  }

  private emit(r: KasanReport): void {
    this.reports.push(r);
    const k = this.k;
    const banner = "==================================================================";
    k.printk(3, banner);
    for (const line of r.lines) k.printk(3, line);
    k.printk(3, banner);
  }
}
