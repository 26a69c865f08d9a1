import { le16, le64, put16, put32 } from "../../dma/guest-memory.js";
import type { Machine } from "../../machine.js";
import { PciFunction } from "../../pci/pci-function.js";
import * as R from "./nic-regs.js";

/** Hardware options of the simulated NIC (QEMU-style device properties). */
export interface NicOptions {
  /** Station address the EEPROM holds; all-zero makes the driver's MAC check fail. */
  mac?: readonly number[];
  /**
   * Descriptors fetched ahead of the head in one burst (0 = none). Like the VL805 xHCI the
   * fetch does not stop at the end of the ring (X16): near the end it reads past it.
   */
  prefetch?: number;
  /** Fault: the device keeps re-raising these causes after every ICR read (an interrupt storm). */
  stuckCauses?: number;
  /** MSI vectors offered (0 = INTx only). */
  msiVectors?: number;
}

/** What the NIC did, for tests and reports. */
export interface NicCounters {
  rxFrames: number;
  rxDropped: number;
  rxNoDesc: number;
  txFrames: number;
  counterDumps: number;
  dmaErrors: number;
}

/**
 * An e1000-shaped PCI NIC (after QEMU hw/net/e1000.c): BAR0 register file with ICR/IMS/IMC/ICS,
 * RX and TX descriptor rings with head (device) and tail (driver doorbell) registers, DD
 * write-back as descriptor ownership, RX arrival driven by the scenario, TX fetched on the
 * doorbell, a counters-dump DMA command, optional descriptor prefetch, INTx (level) or MSI.
 * Every descriptor and buffer access is a DMA through the machine's checker.
 */
export class NicDevice extends PciFunction {
  private regs = new Map<number, number>();
  private icr = 0;
  private ims = 0;
  readonly counters: NicCounters = {
    rxFrames: 0,
    rxDropped: 0,
    rxNoDesc: 0,
    txFrames: 0,
    counterDumps: 0,
    dmaErrors: 0,
  };
  readonly mac: readonly number[];
  prefetch: number;
  stuckCauses: number;
  private txScheduled = false;

  constructor(m: Machine, opts: NicOptions = {}) {
    super(
      m,
      "e1000-shaped NIC",
      {
        vendor: 0x8086,
        device: 0x100e,
        classCode: 0x020000,
        revision: 3,
        subsystemVendor: 0x1af4,
        subsystemDevice: 0x1100,
        interruptPin: 1,
        msiVectors: opts.msiVectors ?? 1,
      },
      [
        { kind: "mem", size: R.NIC_BAR0_BYTES },
        { kind: "io", size: 0x40 },
      ],
    );
    this.mac = opts.mac ?? [0x52, 0x54, 0x00, 0x12, 0x34, 0x56];
    this.prefetch = opts.prefetch ?? 0;
    this.stuckCauses = opts.stuckCauses ?? 0;
    this.reset();
  }

  private reg(off: number): number {
    return this.regs.get(off) ?? 0;
  }

  /** CTRL.RST / power-on: every register to its default, rings forgotten, no interrupt. */
  reset(): void {
    this.regs.clear();
    this.regs.set(R.STATUS, R.STATUS_LU | R.STATUS_FD);
    this.regs.set(R.CHIP_XID, R.SIM_NIC_XID);
    const m = this.mac;
    this.regs.set(
      R.RAL0,
      ((m[0] ?? 0) | ((m[1] ?? 0) << 8) | ((m[2] ?? 0) << 16) | ((m[3] ?? 0) << 24)) >>> 0,
    );
    this.regs.set(R.RAH0, ((m[4] ?? 0) | ((m[5] ?? 0) << 8) | R.RAH_AV) >>> 0);
    this.icr = 0;
    this.ims = 0;
    this.updateIrq(0);
  }

  protected readBar(bar: number, off: number): number {
    if (bar !== 0) return 0;
    switch (off) {
      case R.ICR: {
        // Reading ICR returns the causes and clears them (dropping the line).
        const v = this.icr;
        this.icr = this.stuckCauses;
        this.updateIrq(0);
        return v;
      }
      case R.ICS:
        return this.icr;
      case R.IMS:
        return this.ims;
      default:
        return this.reg(off);
    }
  }

  protected writeBar(bar: number, off: number, _size: number, value: number): void {
    if (bar !== 0) return;
    switch (off) {
      case R.CTRL:
        if ((value & R.CTRL_RST) !== 0) this.reset();
        else this.regs.set(off, value);
        return;
      case R.ICR:
        this.icr &= ~value;
        this.icr |= this.stuckCauses;
        this.updateIrq(0);
        return;
      case R.ICS:
        this.raise(value);
        return;
      case R.IMS:
        this.ims |= value;
        this.updateIrq(this.icr);
        return;
      case R.IMC:
        this.ims &= ~value;
        this.updateIrq(0);
        return;
      case R.RDLEN:
      case R.TDLEN:
        this.regs.set(off, value & ~0x7f); // multiple of 128 bytes
        return;
      case R.TDT:
        this.regs.set(off, value);
        this.kickTx();
        return;
      case R.TCTL:
        this.regs.set(off, value);
        this.kickTx();
        return;
      case R.CNTR_CMD:
        this.regs.set(off, value);
        if ((value & R.CNTR_DUMP) !== 0)
          this.machine.schedule(this.machine.jitter(3_000), () => this.dumpCounters());
        return;
      case R.STATUS:
      case R.CHIP_XID:
        return; // read-only
      default:
        this.regs.set(off, value);
    }
  }

  /** Set interrupt causes (set_interrupt_cause): the line follows (ICR & IMS). */
  raise(causes: number): void {
    const fresh = causes & ~this.icr;
    this.icr |= causes;
    this.updateIrq(fresh);
  }

  private updateIrq(fresh: number): void {
    const pending = (this.icr & this.ims) !== 0;
    const pdev = this.pdev;
    if (pdev !== null && pdev.msi_enabled) {
      // MSI is edge: one message per newly pending, unmasked cause.
      if ((fresh & this.ims) !== 0) this.signalMsi(0);
      return;
    }
    this.setIntx(pending);
  }

  private ring(base: number, len: number): { base: number; count: number } {
    return {
      base: this.reg(base) + this.reg(base + 4) * 0x100000000,
      count: Math.floor(this.reg(len) / R.DESC_BYTES),
    };
  }

  /**
   * A frame of `lenBytes` arrives from the wire (e1000_receive_iov): fetch the head descriptor
   * (plus the prefetch burst), DMA the payload to its buffer, write the descriptor back with
   * DD|EOP, advance the head, raise RXT0. No free descriptor → RXO and the frame is dropped.
   */
  receive(lenBytes: number): boolean {
    if (!this.present || (this.reg(R.RCTL) & R.RCTL_EN) === 0) {
      this.counters.rxDropped++;
      return false;
    }
    const { base, count } = this.ring(R.RDBAL, R.RDLEN);
    const head = this.reg(R.RDH);
    if (count === 0 || head === this.reg(R.RDT)) {
      this.counters.rxNoDesc++;
      this.raise(R.E1000_ICR_RXO);
      return false;
    }
    const descAddr = base + head * R.DESC_BYTES;
    const burst = R.DESC_BYTES * (1 + this.prefetch);
    const desc = this.dma.read(
      descAddr,
      burst,
      this.prefetch > 0
        ? `rx descriptor fetch (+${this.prefetch} prefetched)`
        : "rx descriptor fetch",
    );
    if (desc === null) {
      this.counters.dmaErrors++;
      return false;
    }
    const buf = le64(desc, 0);
    const frame = new Uint8Array(lenBytes);
    for (let i = 0; i < lenBytes; i++) frame[i] = (i * 31 + this.counters.rxFrames) & 0xff;
    if (!this.dma.write(buf, frame, "rx packet data")) {
      this.counters.dmaErrors++;
      return false;
    }
    const wb = desc.slice(0, R.DESC_BYTES);
    put16(wb, 8, lenBytes);
    wb[12] = R.RXD_STAT_DD | R.RXD_STAT_EOP;
    if (!this.dma.write(descAddr, wb, "rx descriptor write-back")) {
      this.counters.dmaErrors++;
      return false;
    }
    this.regs.set(R.RDH, (head + 1) % count);
    this.counters.rxFrames++;
    this.raise(R.E1000_ICR_RXT0);
    return true;
  }

  /** The TDT doorbell: transmit asynchronously, a couple of microseconds later (start_xmit). */
  private kickTx(): void {
    if (this.txScheduled) return;
    this.txScheduled = true;
    this.machine.schedule(this.machine.jitter(2_000), () => {
      this.txScheduled = false;
      this.transmit();
    });
  }

  private transmit(): void {
    if (!this.present || (this.reg(R.TCTL) & R.TCTL_EN) === 0) return;
    const { base, count } = this.ring(R.TDBAL, R.TDLEN);
    if (count === 0) return;
    let sent = 0;
    for (let guard = 0; guard < count && this.reg(R.TDH) !== this.reg(R.TDT); guard++) {
      const head = this.reg(R.TDH);
      const descAddr = base + head * R.DESC_BYTES;
      const desc = this.dma.read(descAddr, R.DESC_BYTES, "tx descriptor fetch");
      if (desc === null) {
        this.counters.dmaErrors++;
        return;
      }
      const len = le16(desc, 8);
      if (len > 0 && this.dma.read(le64(desc, 0), len, "tx packet data") === null) {
        this.counters.dmaErrors++;
        return;
      }
      if (((desc[11] ?? 0) & R.TXD_CMD_RS) !== 0) {
        desc[12] = (desc[12] ?? 0) | R.TXD_STAT_DD;
        if (!this.dma.write(descAddr, desc, "tx descriptor write-back")) {
          this.counters.dmaErrors++;
          return;
        }
      }
      this.regs.set(R.TDH, (head + 1) % count);
      this.counters.txFrames++;
      sent++;
    }
    if (sent > 0) this.raise(R.E1000_ICR_TXDW);
  }

  /** CounterDump: DMA the 64-byte tally block to the programmed address, then clear the bit. */
  private dumpCounters(): void {
    const addr = this.reg(R.CNTR_ADDR_LO) + this.reg(R.CNTR_ADDR_HI) * 0x100000000;
    const block = new Uint8Array(R.COUNTERS_BYTES);
    put32(block, 0, this.counters.txFrames);
    put32(block, 8, this.counters.rxFrames);
    put32(block, 16, this.counters.rxDropped);
    put32(block, 24, this.counters.rxNoDesc);
    if (this.dma.write(addr, block, "tally counters dump")) this.counters.counterDumps++;
    else this.counters.dmaErrors++;
    this.regs.set(R.CNTR_CMD, this.reg(R.CNTR_CMD) & ~R.CNTR_DUMP);
  }
}
