import { PciDev } from "@devscope/core";
import { DmaEngine, type DmaInitiator } from "../dma/dma-engine.js";
import type { Machine } from "../machine.js";
import {
  ConfigSpace,
  PCI_COMMAND,
  PCI_COMMAND_INTX_DISABLE,
  PCI_COMMAND_IO,
  PCI_COMMAND_MASTER,
  PCI_COMMAND_MEMORY,
  PCI_STATUS,
  PCI_STATUS_INTERRUPT,
  type BarSpec,
  type ConfigIdentity,
} from "./config-space.js";

/** All-ones of an access size: what a read returns from a device that is gone (master abort). */
export function allOnes(size: number): number {
  return size >= 4 ? 0xffffffff : size === 2 ? 0xffff : 0xff;
}

/** A level-triggered INTx line re-fires this long after a handler returns with it still asserted, ns. */
const INTX_REFIRE_NS = 20_000;

/**
 * One PCI function as hardware: configuration header, BARs backed by a register model, an
 * INTx pin (level) and MSI vectors, a bus-master DMA engine, and presence (surprise removal:
 * config and MMIO reads return all-ones, writes are dropped, DMA and interrupts stop).
 *
 * COMMAND's bits are the kernel's view of the function: memory/IO decode turn on with the
 * first pci_enable_device() and stay on (x86 pci_disable_device only clears bus mastering),
 * Bus Master follows pci_set_master/pci_clear_master/pci_disable_device, and a driver's config
 * write of COMMAND changes them the same way.
 */
export abstract class PciFunction implements DmaInitiator {
  readonly config: ConfigSpace;
  readonly dma: DmaEngine;
  /** Physically present on the bus (false after surprise removal). */
  present = true;
  /** dev_name once the bus placed it (`0000:00:03.0`). */
  bdf: string | null = null;
  private pdevCache: PciDev | null = null;
  /** Bus address (or first port) of each BAR, set by the bus. */
  readonly barAddress: number[] = [];
  /** INTx line level as driven by the device. */
  private intxLevel = false;
  private intxPending = false;
  /** Decode latched on by the first enable. */
  private decode = false;
  /** MMIO accesses that hit a removed or non-decoding function, count. */
  masterAborts = 0;

  constructor(
    readonly machine: Machine,
    /** Model name for reports (`e1000-like NIC`). */
    readonly model: string,
    id: ConfigIdentity,
    readonly bars: readonly (BarSpec | null)[],
  ) {
    this.config = new ConfigSpace(id, bars);
    this.dma = new DmaEngine(machine, this);
  }

  /**
   * The kernel's struct pci_dev. pci_device_add() binds a driver before it returns, so the
   * function finds its pci_dev by name on the kernel's device list (it is there from
   * device_add on, before any probe runs).
   */
  get pdev(): PciDev | null {
    if (this.pdevCache === null && this.bdf !== null) {
      const d = this.machine.kernel.core.devices.find((x) => x.name === this.bdf);
      if (d instanceof PciDev) this.pdevCache = d;
    }
    return this.pdevCache;
  }

  get kdev(): PciDev | null {
    return this.pdev;
  }

  /** Memory/IO space decoding (COMMAND.MEMORY / COMMAND.IO). */
  get decoding(): boolean {
    if (!this.decode && this.pdev !== null && this.pdev.enable_cnt > 0) this.decode = true;
    return this.decode;
  }

  /** COMMAND.MASTER. */
  get busMaster(): boolean {
    return this.present && this.pdev !== null && this.pdev.is_busmaster;
  }

  /** INTx is disabled while MSI is on (the PCI core sets COMMAND.INTX_DISABLE). */
  get intxDisabled(): boolean {
    return this.pdev !== null && (this.pdev.msi_enabled || this.pdev.msix_enabled);
  }

  get command(): number {
    let c = 0;
    if (this.decoding) c |= PCI_COMMAND_MEMORY | PCI_COMMAND_IO;
    if (this.busMaster) c |= PCI_COMMAND_MASTER;
    if (this.intxDisabled) c |= PCI_COMMAND_INTX_DISABLE;
    return c;
  }

  /** A configuration read as the root complex sees it. */
  configRead(off: number, size: 1 | 2 | 4): number {
    if (!this.present) return allOnes(size);
    if (off === PCI_COMMAND && size >= 2)
      return size === 4 ? (this.command | (this.status << 16)) >>> 0 : this.command;
    if (off === PCI_STATUS && size === 2) return this.status;
    return this.config.read(off, size);
  }

  /** A configuration write; COMMAND changes decode and bus mastering like the kernel helpers do. */
  configWrite(off: number, size: 1 | 2 | 4, value: number): void {
    if (!this.present) return;
    if (off === PCI_COMMAND && size >= 2) {
      if (this.pdev !== null) this.pdev.is_busmaster = (value & PCI_COMMAND_MASTER) !== 0;
      this.decode = (value & (PCI_COMMAND_MEMORY | PCI_COMMAND_IO)) !== 0;
      return;
    }
    this.config.write(off, size, value);
  }

  private get status(): number {
    return this.config.get16(PCI_STATUS) | (this.intxLevel ? PCI_STATUS_INTERRUPT : 0);
  }

  /** Register read of BAR `bar` at byte offset `off` (the device model's behaviour). */
  protected abstract readBar(bar: number, off: number, size: number): number;
  protected abstract writeBar(bar: number, off: number, size: number, value: number): void;

  /** MMIO read from the CPU through an ioremap of BAR `bar`. */
  mmioRead(bar: number, off: number, size: number): number {
    if (!this.present || !this.decoding) {
      this.masterAborts++;
      return allOnes(size);
    }
    return this.readBar(bar, off, size);
  }

  mmioWrite(bar: number, off: number, size: number, value: number): void {
    if (!this.present || !this.decoding) {
      this.masterAborts++;
      return;
    }
    this.writeBar(bar, off, size, value);
  }

  /**
   * Drive the INTx pin. A rising level is delivered to the line's handlers shortly after (as
   * the IOAPIC would); while it stays high and a handler exists it fires again, which is how a
   * stuck cause becomes an interrupt storm.
   */
  setIntx(level: boolean): void {
    this.intxLevel = level && this.present;
    if (this.intxLevel && !this.intxPending) this.scheduleIntx(this.machine.jitter(1_000));
  }

  private scheduleIntx(delayNs: number): void {
    this.intxPending = true;
    this.machine.schedule(delayNs, () => {
      this.intxPending = false;
      const pdev = this.pdev;
      if (
        !this.intxLevel ||
        !this.present ||
        pdev === null ||
        this.intxDisabled ||
        pdev.intx_irq === 0
      )
        return;
      const k = this.machine.kernel;
      // An unrequested line is masked at the IOAPIC (irq_shutdown when its last action went).
      if (k.irq.actions(pdev.intx_irq).length === 0) return;
      k.irq.raise(pdev.intx_irq);
      // Still asserted after the handlers ran (and not re-armed by them): the level fires again.
      if (this.intxLevel && !this.intxPending) this.scheduleIntx(INTX_REFIRE_NS);
    });
  }

  /**
   * Signal MSI vector `n`: a posted memory write to the MSI address — which, like any DMA,
   * needs bus mastering and presence — delivered to the vector's Linux irq.
   */
  signalMsi(n: number): void {
    const pdev = this.pdev;
    if (pdev === null || !this.present || !pdev.msi_enabled) return;
    if (!this.busMaster) {
      this.dma.blockedBme++;
      return;
    }
    const irq = pdev.vectors[n];
    if (irq === undefined) return;
    const k = this.machine.kernel;
    this.machine.schedule(this.machine.jitter(500), () => {
      if (k.irq.actions(irq).length > 0) k.irq.raise(irq);
    });
  }

  /** Surprise removal: gone from the bus this instant. */
  yank(): void {
    this.present = false;
    this.intxLevel = false;
  }
}
