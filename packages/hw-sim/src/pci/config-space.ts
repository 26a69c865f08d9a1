/**
 * A type-0 PCI configuration header (include/uapi/linux/pci_regs.h offsets) with an MSI
 * capability. COMMAND is not stored here: the decode and bus-master bits are the device's
 * live state (PciFunction), so the kernel's pci_enable_device/pci_set_master and a driver's
 * config write reach the same bits.
 */
export const PCI_VENDOR_ID = 0x00;
export const PCI_DEVICE_ID = 0x02;
export const PCI_COMMAND = 0x04;
export const PCI_STATUS = 0x06;
export const PCI_REVISION_ID = 0x08;
export const PCI_CLASS_PROG = 0x09;
export const PCI_HEADER_TYPE = 0x0e;
export const PCI_BASE_ADDRESS_0 = 0x10;
export const PCI_SUBSYSTEM_VENDOR_ID = 0x2c;
export const PCI_SUBSYSTEM_ID = 0x2e;
export const PCI_CAPABILITY_LIST = 0x34;
export const PCI_INTERRUPT_LINE = 0x3c;
export const PCI_INTERRUPT_PIN = 0x3d;

export const PCI_COMMAND_IO = 0x1;
export const PCI_COMMAND_MEMORY = 0x2;
export const PCI_COMMAND_MASTER = 0x4;
export const PCI_COMMAND_INTX_DISABLE = 0x400;
export const PCI_STATUS_CAP_LIST = 0x10;
export const PCI_STATUS_INTERRUPT = 0x8;

export const PCI_CAP_ID_MSI = 0x05;
/** Where the simulated functions put their MSI capability. */
export const MSI_CAP_OFFSET = 0x50;
export const PCI_MSI_FLAGS_ENABLE = 0x1;

export const PCI_BASE_ADDRESS_SPACE_IO = 0x1;
export const PCI_BASE_ADDRESS_MEM_TYPE_64 = 0x4;
export const PCI_BASE_ADDRESS_MEM_PREFETCH = 0x8;

export interface BarSpec {
  kind: "mem" | "io";
  /** Bytes (a power of two, as BAR sizing requires). */
  size: number;
  prefetch?: boolean;
  mem64?: boolean;
}

export interface ConfigIdentity {
  vendor: number;
  device: number;
  /** 24-bit class code (base, sub, prog-if), e.g. 0x020000 Ethernet. */
  classCode: number;
  revision: number;
  subsystemVendor: number;
  subsystemDevice: number;
  /** INTx pin: 0 none, 1 INTA ... 4 INTD. */
  interruptPin: number;
  /** MSI vectors the capability offers (power of two), 0 = no MSI capability. */
  msiVectors: number;
}

/** The 256-byte header as stored bytes; BAR addresses are filled in by the bus. */
export class ConfigSpace {
  readonly bytes = new Uint8Array(256);
  /** BAR sizing: a write of all-ones makes the next read return the size mask. */
  private readonly sizing = new Set<number>();

  constructor(
    readonly id: ConfigIdentity,
    readonly bars: readonly (BarSpec | null)[],
  ) {
    this.put16(PCI_VENDOR_ID, id.vendor);
    this.put16(PCI_DEVICE_ID, id.device);
    this.bytes[PCI_REVISION_ID] = id.revision;
    this.bytes[PCI_CLASS_PROG] = id.classCode & 0xff;
    this.bytes[PCI_CLASS_PROG + 1] = (id.classCode >> 8) & 0xff;
    this.bytes[PCI_CLASS_PROG + 2] = (id.classCode >> 16) & 0xff;
    this.put16(PCI_SUBSYSTEM_VENDOR_ID, id.subsystemVendor);
    this.put16(PCI_SUBSYSTEM_ID, id.subsystemDevice);
    this.bytes[PCI_INTERRUPT_PIN] = id.interruptPin;
    if (id.msiVectors > 0) {
      this.put16(PCI_STATUS, PCI_STATUS_CAP_LIST);
      this.bytes[PCI_CAPABILITY_LIST] = MSI_CAP_OFFSET;
      this.bytes[MSI_CAP_OFFSET] = PCI_CAP_ID_MSI;
      this.bytes[MSI_CAP_OFFSET + 1] = 0;
      // Message Control: multiple message capable = log2(vectors) in bits 3:1, 64-bit capable.
      this.put16(MSI_CAP_OFFSET + 2, (Math.log2(id.msiVectors) << 1) | 0x80);
    }
  }

  /** Program BAR `i` with its bus address (done by the bus at enumeration). */
  setBarAddress(i: number, addr: number): void {
    const bar = this.bars[i];
    if (bar === null || bar === undefined) return;
    let low =
      bar.kind === "io" ? (addr & ~0x3) | PCI_BASE_ADDRESS_SPACE_IO : (addr % 0x100000000) & ~0xf;
    if (bar.kind === "mem") {
      if (bar.mem64 === true) low |= PCI_BASE_ADDRESS_MEM_TYPE_64;
      if (bar.prefetch === true) low |= PCI_BASE_ADDRESS_MEM_PREFETCH;
    }
    this.put32(PCI_BASE_ADDRESS_0 + 4 * i, low >>> 0);
    if (bar.kind === "mem" && bar.mem64 === true)
      this.put32(PCI_BASE_ADDRESS_0 + 4 * (i + 1), Math.floor(addr / 0x100000000));
  }

  read(off: number, size: 1 | 2 | 4): number {
    const barIndex =
      off >= PCI_BASE_ADDRESS_0 && off < PCI_BASE_ADDRESS_0 + 24
        ? (off - PCI_BASE_ADDRESS_0) >> 2
        : -1;
    if (barIndex >= 0 && size === 4 && this.sizing.has(barIndex)) {
      this.sizing.delete(barIndex);
      const bar = this.bars[barIndex];
      if (bar === null || bar === undefined) return 0;
      const mask = (~(bar.size - 1) >>> 0) & (bar.kind === "io" ? ~0x3 : ~0xf);
      return (mask | (this.get32(off) & (bar.kind === "io" ? 0x3 : 0xf))) >>> 0;
    }
    if (size === 1) return this.bytes[off] ?? 0;
    if (size === 2) return this.get16(off);
    return this.get32(off);
  }

  /** Config writes the header accepts: BAR sizing probes, interrupt line, MSI control/address/data. */
  write(off: number, size: 1 | 2 | 4, value: number): void {
    if (off >= PCI_BASE_ADDRESS_0 && off < PCI_BASE_ADDRESS_0 + 24 && size === 4) {
      if (value >>> 0 === 0xffffffff) this.sizing.add((off - PCI_BASE_ADDRESS_0) >> 2);
      return; // addresses are fixed by the bus; other writes are ignored
    }
    if (off === PCI_INTERRUPT_LINE && size === 1) {
      this.bytes[off] = value & 0xff;
      return;
    }
    if (this.id.msiVectors > 0 && off >= MSI_CAP_OFFSET + 2 && off < MSI_CAP_OFFSET + 14) {
      if (size === 1) this.bytes[off] = value & 0xff;
      else if (size === 2) this.put16(off, value);
      else this.put32(off, value);
    }
  }

  get msiEnabled(): boolean {
    return this.id.msiVectors > 0 && (this.get16(MSI_CAP_OFFSET + 2) & PCI_MSI_FLAGS_ENABLE) !== 0;
  }

  setMsiEnabled(on: boolean): void {
    if (this.id.msiVectors === 0) return;
    const ctl = this.get16(MSI_CAP_OFFSET + 2);
    this.put16(MSI_CAP_OFFSET + 2, on ? ctl | PCI_MSI_FLAGS_ENABLE : ctl & ~PCI_MSI_FLAGS_ENABLE);
  }

  get16(off: number): number {
    return (this.bytes[off] ?? 0) | ((this.bytes[off + 1] ?? 0) << 8);
  }
  get32(off: number): number {
    return (this.get16(off) | (this.get16(off + 2) << 16)) >>> 0;
  }
  put16(off: number, v: number): void {
    this.bytes[off] = v & 0xff;
    this.bytes[off + 1] = (v >> 8) & 0xff;
  }
  put32(off: number, v: number): void {
    this.put16(off, v & 0xffff);
    this.put16(off + 2, (v >>> 16) & 0xffff);
  }
}
