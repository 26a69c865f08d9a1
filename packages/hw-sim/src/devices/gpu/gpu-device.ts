import { le32, le64, put32 } from "../../dma/guest-memory.js";
import type { Machine } from "../../machine.js";
import { PciFunction } from "../../pci/pci-function.js";
import * as G from "./gpu-regs.js";

export interface GpuCounters {
  blits: number;
  blitBytes: number;
  fences: number;
  dmaErrors: number;
  modesets: number;
}

/**
 * A QEMU-display-shaped GPU: VRAM in BAR0, the bochs-display register block in BAR2 (ID and
 * video-memory size registers with QEMU's semantics, EDID, QEMU byte-order extension), plus a
 * command ring: the driver writes 32-byte commands into a DMA buffer and rings the tail; the
 * engine DMA-reads each blit source into VRAM, DMA-writes fence values and raises MSI 0.
 */
export class GpuDevice extends PciFunction {
  private readonly dispi = new Uint16Array(16);
  private readonly regs = new Map<number, number>();
  private readonly vram = new Map<number, Uint8Array>();
  private busy = false;
  readonly counters: GpuCounters = { blits: 0, blitBytes: 0, fences: 0, dmaErrors: 0, modesets: 0 };

  constructor(m: Machine, opts: { vramBytes?: number; msiVectors?: number } = {}) {
    const vram = opts.vramBytes ?? G.GPU_VRAM_BYTES;
    super(
      m,
      "bochs-display-shaped GPU",
      {
        vendor: 0x1234,
        device: 0x1111,
        classCode: 0x038000,
        revision: 2,
        subsystemVendor: 0x1af4,
        subsystemDevice: 0x1100,
        interruptPin: 1,
        msiVectors: opts.msiVectors ?? 1,
      },
      [{ kind: "mem", size: vram, prefetch: true }, null, { kind: "mem", size: G.GPU_MMIO_BYTES }],
    );
    this.dispi[G.VBE_DISPI_INDEX_ID] = G.VBE_DISPI_ID5;
    this.dispi[G.VBE_DISPI_INDEX_VIDEO_MEMORY_64K] = vram / 65536;
  }

  get vramBytes(): number {
    return this.bars[0]?.size ?? 0;
  }

  /** Current mode if the display is enabled (derived like bochs_display_get_mode). */
  get mode(): { xres: number; yres: number; bpp: number } | null {
    const d = this.dispi;
    if (((d[G.VBE_DISPI_INDEX_ENABLE] ?? 0) & G.VBE_DISPI_ENABLED) === 0) return null;
    return {
      xres: d[G.VBE_DISPI_INDEX_XRES] ?? 0,
      yres: d[G.VBE_DISPI_INDEX_YRES] ?? 0,
      bpp: d[G.VBE_DISPI_INDEX_BPP] ?? 0,
    };
  }

  private vramPage(off: number): Uint8Array {
    const idx = Math.floor(off / 65536);
    let p = this.vram.get(idx);
    if (p === undefined) {
      p = new Uint8Array(65536);
      this.vram.set(idx, p);
    }
    return p;
  }

  /** VRAM contents (for tests). */
  vramRead(off: number, len: number): Uint8Array {
    const out = new Uint8Array(len);
    for (let i = 0; i < len; i++) out[i] = this.vramPage(off + i)[(off + i) % 65536] ?? 0;
    return out;
  }

  private vramWrite(off: number, bytes: Uint8Array): void {
    for (let i = 0; i < bytes.length && off + i < this.vramBytes; i++)
      this.vramPage(off + i)[(off + i) % 65536] = bytes[i] ?? 0;
  }

  protected readBar(bar: number, off: number, size: number): number {
    if (bar === 0) {
      const b = this.vramRead(off, size);
      return size === 1 ? (b[0] ?? 0) : size === 2 ? (b[0] ?? 0) | ((b[1] ?? 0) << 8) : le32(b, 0);
    }
    if (bar !== 2) return 0;
    if (off >= G.PCI_VGA_BOCHS_OFFSET && off < G.PCI_VGA_BOCHS_OFFSET + 0x20)
      return this.dispi[(off - G.PCI_VGA_BOCHS_OFFSET) >> 1] ?? 0;
    if (off === G.PCI_VGA_QEXT_OFFSET + G.PCI_VGA_QEXT_REG_SIZE) return 8;
    if (off === G.PCI_VGA_QEXT_OFFSET + G.PCI_VGA_QEXT_REG_BYTEORDER)
      return this.regs.get(off) ?? G.PCI_VGA_QEXT_LITTLE_ENDIAN;
    return this.regs.get(off) ?? 0;
  }

  protected writeBar(bar: number, off: number, size: number, value: number): void {
    if (bar === 0) {
      const b = new Uint8Array(size);
      put32(b, 0, value);
      this.vramWrite(off, b.subarray(0, size));
      return;
    }
    if (bar !== 2) return;
    if (off >= G.PCI_VGA_BOCHS_OFFSET && off < G.PCI_VGA_BOCHS_OFFSET + 0x20) {
      const index = (off - G.PCI_VGA_BOCHS_OFFSET) >> 1;
      if (index === G.VBE_DISPI_INDEX_ID || index === G.VBE_DISPI_INDEX_VIDEO_MEMORY_64K) return;
      this.dispi[index] = value & 0xffff;
      if (index === G.VBE_DISPI_INDEX_ENABLE && (value & G.VBE_DISPI_ENABLED) !== 0)
        this.counters.modesets++;
      return;
    }
    switch (off) {
      case G.IRQ_STATUS:
        this.regs.set(off, (this.regs.get(off) ?? 0) & ~value);
        return;
      case G.RING_TAIL:
        this.regs.set(off, value);
        this.kick();
        return;
      case G.RING_HEAD:
        return; // device-owned
      default:
        this.regs.set(off, value);
    }
  }

  private reg(off: number): number {
    return this.regs.get(off) ?? 0;
  }

  private kick(): void {
    if (this.busy) return;
    this.busy = true;
    this.machine.schedule(this.machine.jitter(3_000), () => {
      this.busy = false;
      this.execute();
    });
  }

  /** Run commands from head to tail. */
  private execute(): void {
    if (!this.present || (this.reg(G.RING_CTRL) & G.RING_CTRL_RUN) === 0) return;
    const base = this.reg(G.RING_BASE_LO) + this.reg(G.RING_BASE_HI) * 0x100000000;
    const size = this.reg(G.RING_SIZE);
    if (size === 0) return;
    let head = this.reg(G.RING_HEAD);
    const tail = this.reg(G.RING_TAIL) % size;
    for (let guard = 0; guard < size && head !== tail; guard++) {
      const cmd = this.dma.read(base + head * G.CMD_BYTES, G.CMD_BYTES, "command fetch");
      if (cmd === null) {
        this.counters.dmaErrors++;
        return;
      }
      const op = le32(cmd, 0);
      if (op === G.CMD_BLIT) {
        const len = le32(cmd, 16);
        const src = this.dma.read(le64(cmd, 8), len, "blit source read");
        if (src === null) {
          this.counters.dmaErrors++;
          return;
        }
        this.vramWrite(le32(cmd, 20), src);
        this.counters.blits++;
        this.counters.blitBytes += len;
      } else if (op === G.CMD_FENCE) {
        const fence = new Uint8Array(4);
        put32(fence, 0, le32(cmd, 24));
        const addr = this.reg(G.FENCE_ADDR_LO) + this.reg(G.FENCE_ADDR_HI) * 0x100000000;
        if (!this.dma.write(addr, fence, "fence write")) {
          this.counters.dmaErrors++;
          return;
        }
        this.counters.fences++;
        this.regs.set(G.IRQ_STATUS, this.reg(G.IRQ_STATUS) | G.IRQ_FENCE);
        if ((this.reg(G.IRQ_MASK) & G.IRQ_FENCE) !== 0) this.signalMsi(0);
      }
      head = (head + 1) % size;
      this.regs.set(G.RING_HEAD, head);
    }
  }
}
