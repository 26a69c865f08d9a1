import type { Kernel } from "../kernel/kernel.js";
import { hex } from "../kernel/address.js";
import { GFP_KERNEL } from "../kernel/gfp.js";
import type { SlabObject } from "../mm/slab.js";

/** A device register window as a device model implements it (bus address → behaviour). */
export interface MmioHandler {
  /** Read `size` bytes (1, 2, 4, 8) at byte offset `off` of the window. */
  read(off: number, size: number): number;
  write(off: number, size: number, value: number): void;
}

interface MmioRegion {
  start: number;
  size: number;
  kind: "mem" | "io";
  handler: MmioHandler;
}

/**
 * Where device models hang their registers: physical MMIO ranges and I/O port ranges.
 * ioremap()/ioport_map() cookies dispatch accesses here.
 */
export class MmioBus {
  private readonly regions: MmioRegion[] = [];
  /** Next free offset in the vmalloc/ioremap area, bytes. */
  private vmallocNext = 0x00a00000;

  /** Reserve `span` bytes of ioremap address space (plus a guard page); returns its offset. */
  allocVmArea(span: number): number {
    const off = this.vmallocNext;
    this.vmallocNext += span + 4096;
    return off;
  }

  register(kind: "mem" | "io", start: number, size: number, handler: MmioHandler): void {
    this.regions.push({ start, size, kind, handler });
  }

  unregister(kind: "mem" | "io", start: number): void {
    const i = this.regions.findIndex((r) => r.kind === kind && r.start === start);
    if (i >= 0) this.regions.splice(i, 1);
  }

  find(kind: "mem" | "io", addr: number): MmioRegion | undefined {
    return this.regions.find((r) => r.kind === kind && addr >= r.start && addr < r.start + r.size);
  }
}

/**
 * An `void __iomem *` cookie from ioremap()/ioport_map(): the bus address range it maps and
 * whether it is still mapped. Accessors dispatch to the device model; an access after
 * iounmap() is the page fault the real kernel would take.
 */
export class IoMem {
  live = true;

  constructor(
    readonly kernel: Kernel,
    readonly kind: "mem" | "io",
    /** Bus address (MMIO) or port number (I/O). */
    readonly phys: number,
    readonly size: number,
    /** Offset in the vmalloc area (MMIO) or the PIO cookie (I/O ports). */
    readonly cookie: number,
    readonly wc: boolean,
    readonly vmObj: SlabObject | null,
    readonly memtypeObj: SlabObject | null,
  ) {}

  /** Printed virtual address (`ffffc90000a40000`), or the x86 PIO cookie. */
  get raw(): string {
    return this.kind === "mem" ? "ffffc900" + hex(this.cookie, 8) : hex(this.cookie, 16);
  }

  private access(off: number, size: number, write: boolean, value = 0): number {
    const k = this.kernel;
    if (!this.live || off < 0 || off + size > this.size) {
      k.printk(
        1,
        `BUG: unable to handle page fault for address: ${this.kind === "mem" ? "ffffc900" + hex(this.cookie + off, 8) : hex(this.cookie + off, 16)}`,
      );
      // arch/x86/mm/fault.c :: page_fault_oops / show_fault_oops, then __die's banner and the RIP.
      k.printk(1, `#PF: supervisor ${write ? "write" : "read"} access in kernel mode`);
      k.printk(1, `#PF: error_code(0x000${write ? 2 : 0}) - not-present page`);
      k.printk(4, `Oops: 000${write ? 2 : 0} [#1] PREEMPT SMP NOPTI`);
      k.printk(
        4,
        `CPU: ${k.current.cpu} PID: ${k.current.pid} Comm: ${k.current.comm} Not tainted ${k.release}`,
      );
      k.printk(4, `RIP: 0010:${k.caller("unknown_function")}`);
      return write ? 0 : -1 >>> 0;
    }
    const region = k.mmio.find(this.kind, this.phys + off);
    if (region === undefined)
      return write ? 0 : size === 1 ? 0xff : size === 2 ? 0xffff : 0xffffffff;
    const roff = this.phys + off - region.start;
    if (write) {
      region.handler.write(roff, size, value);
      return 0;
    }
    return region.handler.read(roff, size);
  }

  read8(off: number): number {
    return this.access(off, 1, false);
  }
  read16(off: number): number {
    return this.access(off, 2, false);
  }
  read32(off: number): number {
    return this.access(off, 4, false);
  }
  write8(value: number, off: number): void {
    this.access(off, 1, true, value);
  }
  write16(value: number, off: number): void {
    this.access(off, 2, true, value);
  }
  write32(value: number, off: number): void {
    this.access(off, 4, true, value);
  }
}

/**
 * ioremap(phys, size) (arch/x86/mm/ioremap.c): a vm area (`__get_vm_area_node`, 64 bytes) and
 * a memtype entry (`memtype_reserve`, 56 bytes), as the captures show. Null on failure.
 */
export function ioremap(k: Kernel, phys: number, size: number, wc = false): IoMem | null {
  if (size === 0 || k.faults.shouldFail("ioremap")) return null;
  const memtype = k.slab.kzalloc(56, GFP_KERNEL, "memtype_reserve+0xf2/0x2c0");
  const vm = k.slab.kzalloc(64, GFP_KERNEL, "__get_vm_area_node+0x7b/0x150");
  if (memtype === null || vm === null) {
    k.slab.kfree(vm, "__get_vm_area_node+0x12a/0x150");
    k.slab.kfree(memtype, "memtype_free+0x90/0xf0");
    return null;
  }
  const pageOff = phys % 4096;
  const span = Math.ceil((pageOff + size) / 4096) * 4096;
  const cookie = k.mmio.allocVmArea(span) + pageOff;
  k.tick(4000);
  return new IoMem(k, "mem", phys, size, cookie, wc, vm, memtype);
}

export function ioremap_wc(k: Kernel, phys: number, size: number): IoMem | null {
  return ioremap(k, phys, size, true);
}

/** iounmap(addr): unmapping twice prints `iounmap: bad address` as x86 does. */
export function iounmap(k: Kernel, io: IoMem | null, site = "iounmap+0x5c/0xa0"): void {
  if (io === null) return;
  if (!io.live || io.kind !== "mem") {
    k.printk(3, `iounmap: bad address ${io.raw}`);
    return;
  }
  io.live = false;
  k.slab.kfree(io.memtypeObj, "memtype_free+0x90/0xf0");
  k.slab.kfree(io.vmObj, site);
  k.tick(3000);
}

/** ioport_map(port, nr): the x86 PIO cookie (port + 0x10000). */
export function ioport_map(k: Kernel, port: number, nr: number): IoMem {
  return new IoMem(k, "io", port, nr, 0x10000 + port, false, null, null);
}

export function ioport_unmap(io: IoMem): void {
  io.live = false;
}
