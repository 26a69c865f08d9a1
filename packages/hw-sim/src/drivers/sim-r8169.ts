/**
 * sim-r8169: a heavily managed PCI NIC driver with the resource sequence of
 * drivers/net/ethernet/realtek/r8169_main.c (rtl_init_one / rtl_open / rtl8169_close /
 * rtl_remove_one, 6.1), driving the e1000-shaped NIC model. Every real bug the scenarios
 * reproduce is an option that changes exactly the code the real fix changed.
 */
import {
  DMA_BIT_MASK,
  ENODEV,
  ENOMEM,
  GFP_KERNEL,
  IORESOURCE_MEM,
  IRQ_HANDLED,
  IRQ_NONE,
  IRQF_NO_THREAD,
  IRQF_SHARED,
  KERN_ERR,
  PCI_IRQ_ALL_TYPES,
  PCI_IRQ_LEGACY,
  dev_err,
  devm_kzalloc,
  devm_kcalloc,
  devm_alloc_percpu,
  devm_clk_get_optional,
  devm_request_irq,
  devres_open_group,
  dma_alloc_coherent,
  dma_free_coherent,
  dma_map_single,
  dma_pool_free,
  dma_pool_zalloc,
  dma_set_mask_and_coherent,
  dma_unmap_single,
  dmam_alloc_coherent,
  dmam_pool_create,
  free_irq,
  IS_ERR,
  kfree,
  pci_alloc_irq_vectors,
  pci_clear_master,
  pci_irq_vector,
  pci_resource_flags,
  pci_resource_len,
  pci_set_master,
  pcim_enable_device,
  pcim_iomap_regions,
  pcim_iomap_table,
  request_irq,
  dev_get_drvdata,
  dev_set_drvdata,
  named,
  type DmaMapping,
  type DmaPool,
  type IoMem,
  type KMem,
  type PciDev,
  type PciDriver,
} from "@devscope/core";
import { put16, put64 } from "../dma/guest-memory.js";
import * as R from "../devices/nic/nic-regs.js";
import { modSym } from "../sim-symbols.js";
import { udelay } from "./delay.js";
import { devm_mdiobus_alloc, devm_mdiobus_register, type MiiBus } from "./mdio.js";
import {
  devm_alloc_etherdev,
  netdev_down,
  netdev_info,
  netdev_printk,
  netdev_up,
  register_netdev,
  unregister_netdev,
  type NetDevice,
} from "./netdev.js";
import { boundDrvdata, simPciDriver } from "./sim-pci-driver.js";
import {
  nic_configure_rings,
  nic_read_mac,
  nic_rx_fill,
  nic_rx_free,
  nic_rx_reap,
  nic_write_mac,
  type RxBuffer,
} from "./nic-hw.js";

export const R8169_MODULE = "sim_r8169";
export const R8169_DRIVER = "sim-r8169";
/** sizeof(struct rtl8169_private) on 6.1 x86-64, bytes. */
const RTL_PRIV_BYTES = 2880;
const R8169_REGS_SIZE = 256;

export interface SimR8169Options {
  /** RX/TX descriptors (r8169: 256 each; smaller by default to keep the simulation light). */
  rxRing?: number;
  txRing?: number;
  /**
   * nic-irq-before-alloc (cf. I6–I9): a devm IRQ on the shared INTx line requested in probe
   * *before* the devm memory its handler updates, so devres frees that memory first.
   */
  irqBeforeAlloc?: boolean;
  /** Bug fixed by f658b90977d2 ("r8169: fix DMA being used after buffer free if WoL is enabled"): close() leaves bus mastering and RX (WoL) on. */
  keepDmaOnClose?: boolean;
  /** Bug fixed by 5fd188215d4e (lpass-platform): a devm allocation on every open(). */
  devmInOpen?: boolean;
  /** Bug fixed by 3fd976afe974 (pinctrl ma35): devm memory handed to a path that kfree()s it. */
  kfreeDevm?: boolean;
  /** The MDIO setup opens a devres group and neither closes nor removes it. */
  leaveGroupOpen?: boolean;
  /** The RX ring comes from a DMA pool, one ring per block (the xHCI segment-pool shape, X16). */
  ringFromPool?: boolean;
  /** XHCI_TRB_OVERFETCH-style quirk: pool blocks twice the ring size, so an overfetch stays inside. */
  overfetchQuirk?: boolean;
}

interface TxSlot {
  phys: number;
  dma: number;
  len: number;
}

/** struct rtl8169_private (the parts the simulation needs). */
export interface RtlPriv {
  pdev: PciDev;
  nd: NetDevice<RtlPriv> | null;
  mmio: IoMem | null;
  counters: DmaMapping | null;
  mii: MiiBus | null;
  txRing: DmaMapping | null;
  rxRing: DmaMapping | null;
  rxPoolBlock: { vaddr: number; dma: number } | null;
  ringPool: DmaPool | null;
  rxBufs: RxBuffer[];
  txBufs: (TxSlot | null)[];
  curRx: number;
  curTx: number;
  dirtyTx: number;
  irq: number;
  /** irqBeforeAlloc: per-IRQ statistics the handler updates (devm memory). */
  irqStats: KMem<undefined> | null;
  /** kfreeDevm: a devm buffer that close() frees by hand. */
  rxStats: KMem<undefined> | null;
  rxCount: number;
  txCount: number;
  frames: number;
  opts: SimR8169Options;
}

const IRQ_MASK = R.E1000_ICR_RXT0 | R.E1000_ICR_RXO | R.E1000_ICR_TXDW | R.E1000_ICR_LSC;

/** rtl8169_irq_mask_and_ack: mask everything and ack what is pending. */
function rtl_irq_mask_and_ack(tp: RtlPriv): void {
  const io = tp.mmio as IoMem;
  io.write32(0xffffffff, R.IMC);
  io.read32(R.ICR);
}

/** rtl_hw_reset: CTRL.RST and wait for the chip. */
function rtl_hw_reset(tp: RtlPriv): void {
  (tp.mmio as IoMem).write32(R.CTRL_RST, R.CTRL);
  udelay(tp.pdev.kernel, 10);
}

/** The ISR (rtl8169_interrupt): 0xffffffff means the device is gone (surprise removal). */
function rtl8169_interrupt(_irq: number, dev_instance: unknown): number {
  const tp = dev_instance as RtlPriv;
  const k = tp.pdev.kernel;
  return k.at(modSym(R8169_MODULE, "rtl8169_interrupt"), () => {
    if (tp.irqStats !== null) tp.irqStats.write(0, 8);
    const io = tp.mmio;
    if (io === null || !io.live) return IRQ_NONE;
    const status = io.read32(R.ICR);
    if (status === 0xffffffff || (status & IRQ_MASK) === 0) return IRQ_NONE;
    if ((status & (R.E1000_ICR_RXT0 | R.E1000_ICR_RXO)) !== 0) rtl_rx(tp);
    if ((status & R.E1000_ICR_TXDW) !== 0) rtl_tx(tp);
    return IRQ_HANDLED;
  });
}
named(rtl8169_interrupt, "rtl8169_interrupt");

/** rtl_rx: hand completed descriptors to the stack and give them back to the NIC. */
function rtl_rx(tp: RtlPriv): void {
  const ring = rxRingBytes(tp);
  if (ring === null || tp.mmio === null) return;
  tp.curRx = nic_rx_reap(tp.mmio, ring, tp.curRx, tp.rxCount, () => tp.frames++);
}

function rxRingBytes(tp: RtlPriv): Uint8Array | null {
  if (tp.rxRing !== null) return tp.rxRing.bytes();
  if (tp.rxPoolBlock !== null && tp.ringPool !== null) {
    const page = tp.ringPool.pageOf(tp.rxPoolBlock.vaddr);
    if (page === null) return null;
    const off = tp.rxPoolBlock.vaddr - page.vaddr;
    return page.mapping.bytes().subarray(off, off + tp.rxCount * R.DESC_BYTES);
  }
  return null;
}

/** rtl_tx: reclaim transmitted buffers. */
function rtl_tx(tp: RtlPriv): void {
  const ring = tp.txRing?.bytes();
  if (ring === undefined) return;
  const dev = tp.pdev.dev;
  const k = tp.pdev.kernel;
  while (tp.dirtyTx !== tp.curTx) {
    const off = tp.dirtyTx * R.DESC_BYTES;
    if (((ring[off + 12] ?? 0) & R.TXD_STAT_DD) === 0) break;
    const slot = tp.txBufs[tp.dirtyTx];
    if (slot !== null && slot !== undefined) {
      dma_unmap_single(dev, slot.dma, slot.len, "DMA_TO_DEVICE");
      k.pages.free(slot.phys, 0, modSym(R8169_MODULE, "rtl_tx"));
      tp.txBufs[tp.dirtyTx] = null;
    }
    tp.dirtyTx = (tp.dirtyTx + 1) % tp.txCount;
  }
}

/** rtl8169_rx_clear: unmap and free every RX buffer. */
function rtl8169_rx_clear(tp: RtlPriv): void {
  nic_rx_free(tp.pdev.dev, tp.rxBufs, modSym(R8169_MODULE, "rtl8169_rx_clear"));
}

function rtl_tx_clear(tp: RtlPriv): void {
  const dev = tp.pdev.dev;
  const k = tp.pdev.kernel;
  for (let i = 0; i < tp.txBufs.length; i++) {
    const slot = tp.txBufs[i];
    if (slot === null || slot === undefined) continue;
    dma_unmap_single(dev, slot.dma, slot.len, "DMA_TO_DEVICE");
    k.pages.free(slot.phys, 0, modSym(R8169_MODULE, "rtl_tx_clear"));
    tp.txBufs[i] = null;
  }
  tp.curTx = tp.dirtyTx = 0;
}

/** rtl8169_init_ring: a page per RX descriptor, mapped DMA_FROM_DEVICE, its address in the descriptor. */
function rtl8169_init_ring(tp: RtlPriv): number {
  const ring = rxRingBytes(tp);
  if (ring === null) return -ENOMEM;
  ring.fill(0);
  if (
    nic_rx_fill(
      tp.pdev.dev,
      ring,
      tp.rxCount,
      GFP_KERNEL,
      modSym(R8169_MODULE, "rtl8169_alloc_rx_data"),
      tp.rxBufs,
    ) !== 0
  ) {
    rtl8169_rx_clear(tp);
    return -ENOMEM;
  }
  tp.curRx = 0;
  tp.txBufs = Array.from({ length: tp.txCount }, () => null);
  tp.curTx = tp.dirtyTx = 0;
  return 0;
}

function ringDma(tp: RtlPriv): number {
  return tp.rxRing !== null ? tp.rxRing.dma_handle : (tp.rxPoolBlock as { dma: number }).dma;
}

/** rtl8169_up → rtl_hw_start: bus mastering on, rings programmed, RX/TX and interrupts enabled. */
function rtl8169_up(tp: RtlPriv): void {
  const io = tp.mmio as IoMem;
  pci_set_master(tp.pdev);
  nic_configure_rings(
    io,
    { dma: ringDma(tp), count: tp.rxCount },
    { dma: (tp.txRing as DmaMapping).dma_handle, count: tp.txCount },
  );
  io.write32(IRQ_MASK, R.IMS);
}

/**
 * rtl8169_update_counters: point the NIC at the dmam counters block, start a dump, poll for
 * completion (rtl_loop_wait_low: 1000 × 10 µs) — a device DMA write into the managed block.
 */
function rtl8169_update_counters(tp: RtlPriv): void {
  const io = tp.mmio as IoMem;
  const nd = tp.nd as NetDevice<RtlPriv>;
  const c = tp.counters as DmaMapping;
  io.write32(c.dma_handle % 0x100000000, R.CNTR_ADDR_LO);
  io.write32(Math.floor(c.dma_handle / 0x100000000), R.CNTR_ADDR_HI);
  io.write32(R.CNTR_DUMP, R.CNTR_CMD);
  for (let i = 0; i < 1000; i++) {
    if ((io.read32(R.CNTR_CMD) & R.CNTR_DUMP) === 0) return;
    udelay(tp.pdev.kernel, 10);
  }
  netdev_printk(KERN_ERR, nd, "rtl_counters_cond == 1 (loop: 1000, delay: 10).");
}

/** ndo_open (rtl_open): rings (coherent, unmanaged), RX buffers, IRQ, then up. */
function rtl_open(nd: NetDevice<RtlPriv>): number {
  const tp = nd.priv.data;
  const dev = tp.pdev.dev;
  const k = tp.pdev.kernel;
  return k.at(modSym(R8169_MODULE, "rtl_open"), () => {
    if (tp.opts.devmInOpen === true) {
      // 5fd188215d4e's bug: a devm allocation per open(), freed only at unbind.
      if (devm_kzalloc(dev, 4096, GFP_KERNEL) === null) return -ENOMEM;
    }
    tp.txRing = dma_alloc_coherent(dev, tp.txCount * R.DESC_BYTES, GFP_KERNEL);
    if (tp.txRing === null) return -ENOMEM;
    if (tp.ringPool !== null) {
      tp.rxPoolBlock = dma_pool_zalloc(tp.ringPool, GFP_KERNEL);
      if (tp.rxPoolBlock === null) return err_free_tx(tp, -ENOMEM);
    } else {
      tp.rxRing = dma_alloc_coherent(dev, tp.rxCount * R.DESC_BYTES, GFP_KERNEL);
      if (tp.rxRing === null) return err_free_tx(tp, -ENOMEM);
    }
    let rc = rtl8169_init_ring(tp);
    if (rc !== 0) return err_free_rx(tp, rc);
    const msi = tp.pdev.msi_enabled;
    rc = request_irq(
      dev,
      tp.irq,
      rtl8169_interrupt,
      msi ? IRQF_NO_THREAD : IRQF_SHARED,
      nd.name,
      tp,
    );
    if (rc !== 0) {
      rtl8169_rx_clear(tp);
      return err_free_rx(tp, rc);
    }
    rtl8169_up(tp);
    return 0;
  });
}

function err_free_rx(tp: RtlPriv, rc: number): number {
  const dev = tp.pdev.dev;
  if (tp.rxRing !== null)
    dma_free_coherent(dev, tp.rxRing.size, tp.rxRing.vaddr, tp.rxRing.dma_handle);
  if (tp.rxPoolBlock !== null && tp.ringPool !== null)
    dma_pool_free(tp.ringPool, tp.rxPoolBlock.vaddr, tp.rxPoolBlock.dma);
  tp.rxRing = null;
  tp.rxPoolBlock = null;
  return err_free_tx(tp, rc);
}

function err_free_tx(tp: RtlPriv, rc: number): number {
  const t = tp.txRing;
  if (t !== null) dma_free_coherent(tp.pdev.dev, t.size, t.vaddr, t.dma_handle);
  tp.txRing = null;
  return rc;
}

/**
 * rtl8169_down: PHY stop, counters update, then — the f658b90977d2 fix — pci_clear_master()
 * with a posted-write flush before the chip is reset and the buffers go, so no DMA can follow.
 */
function rtl8169_down(tp: RtlPriv): void {
  const io = tp.mmio as IoMem;
  rtl8169_update_counters(tp);
  if (tp.opts.keepDmaOnClose === true) {
    // Before the fix: with Wake-on-LAN armed the receiver stays on and the chip keeps bus
    // mastering; only the interrupt mask is cleared.
    io.write32(0xffffffff, R.IMC);
    return;
  }
  pci_clear_master(tp.pdev);
  io.read32(R.STATUS); // flush posted writes
  io.write32(0, R.RCTL);
  io.write32(0, R.TCTL);
  rtl_irq_mask_and_ack(tp);
  rtl_hw_reset(tp);
}

/** ndo_stop (rtl8169_close): down, RX buffers, IRQ, rings — in that order. */
function rtl8169_close(nd: NetDevice<RtlPriv>): number {
  const tp = nd.priv.data;
  const dev = tp.pdev.dev;
  const k = tp.pdev.kernel;
  return k.at(modSym(R8169_MODULE, "rtl8169_close"), () => {
    rtl8169_down(tp);
    rtl8169_rx_clear(tp);
    rtl_tx_clear(tp);
    free_irq(dev, tp.irq, tp);
    if (tp.opts.kfreeDevm === true && tp.rxStats !== null) {
      // 3fd976afe974's bug: devm memory passed to a path that kfree()s it.
      kfree(k, tp.rxStats);
      tp.rxStats = null;
    }
    if (tp.rxRing !== null)
      dma_free_coherent(dev, tp.rxRing.size, tp.rxRing.vaddr, tp.rxRing.dma_handle);
    if (tp.rxPoolBlock !== null && tp.ringPool !== null)
      dma_pool_free(tp.ringPool, tp.rxPoolBlock.vaddr, tp.rxPoolBlock.dma);
    tp.rxRing = null;
    tp.rxPoolBlock = null;
    const t = tp.txRing;
    if (t !== null) dma_free_coherent(dev, t.size, t.vaddr, t.dma_handle);
    tp.txRing = null;
    return 0;
  });
}

/** r8169_mdio_register: the MII bus, managed. */
function r8169_mdio_register(tp: RtlPriv): number {
  const dev = tp.pdev.dev;
  if (tp.opts.leaveGroupOpen === true) {
    // The group meant to scope the MDIO resources is never closed or removed.
    if (devres_open_group(dev, r8169_mdio_register, GFP_KERNEL) === null) return -ENOMEM;
  }
  const bus = devm_mdiobus_alloc(dev);
  if (bus === null) return -ENOMEM;
  bus.name = "r8169";
  tp.mii = bus;
  return devm_mdiobus_register(dev, bus);
}

/** rtl_init_one: the probe, in r8169's order; every failure is a bare return (devres unwinds). */
function rtl_init_one(pdev: PciDev, opts: SimR8169Options): number {
  const dev = pdev.dev;
  const k = pdev.kernel;
  return k.at(modSym(R8169_MODULE, "rtl_init_one"), () => {
    const tp: RtlPriv = {
      pdev,
      nd: null,
      mmio: null,
      counters: null,
      mii: null,
      txRing: null,
      rxRing: null,
      rxPoolBlock: null,
      ringPool: null,
      rxBufs: [],
      txBufs: [],
      curRx: 0,
      curTx: 0,
      dirtyTx: 0,
      irq: 0,
      irqStats: null,
      rxStats: null,
      rxCount: opts.rxRing ?? 16,
      txCount: opts.txRing ?? 16,
      frames: 0,
      opts,
    };
    const nd = devm_alloc_etherdev(dev, RTL_PRIV_BYTES, tp);
    if (nd === null) return -ENOMEM;
    nd.parent = dev;
    tp.nd = nd;
    nd.ops = { ndo_open: rtl_open, ndo_stop: rtl8169_close };
    if (devm_alloc_percpu(dev, 24) === null) return -ENOMEM; // devm_netdev_alloc_pcpu_stats
    const clk = devm_clk_get_optional(dev, "ether_clk");
    if (clk !== null && IS_ERR(clk)) return -ENODEV;
    let rc = pcim_enable_device(pdev);
    if (rc !== 0) {
      dev_err(dev, "enable failure");
      return rc;
    }
    // The first memory BAR of at least R8169_REGS_SIZE bytes holds the registers.
    let region = -1;
    for (let i = 0; i < 6; i++)
      if ((pci_resource_flags(pdev, i) & IORESOURCE_MEM) !== 0) {
        region = i;
        break;
      }
    if (region < 0 || pci_resource_len(pdev, region) < R8169_REGS_SIZE) {
      dev_err(dev, "Invalid PCI region size(s), aborting");
      return -ENODEV;
    }
    rc = pcim_iomap_regions(pdev, 1 << region, R8169_DRIVER);
    if (rc < 0) {
      dev_err(dev, "cannot remap MMIO, aborting");
      return rc;
    }
    tp.mmio = pcim_iomap_table(pdev)?.[region] ?? null;
    if (tp.mmio === null) return -ENOMEM;
    const xid = tp.mmio.read32(R.CHIP_XID) & 0xfcf;
    if (xid !== R.SIM_NIC_XID) {
      dev_err(
        dev,
        `unknown chip XID ${xid.toString(16).padStart(3, "0")}, contact r8169 maintainers (see MAINTAINERS file)`,
      );
      return -ENODEV;
    }
    rc = dma_set_mask_and_coherent(dev, DMA_BIT_MASK(64));
    if (rc !== 0) return rc;
    rtl_irq_mask_and_ack(tp);
    rtl_hw_reset(tp);
    rc = pci_alloc_irq_vectors(
      pdev,
      1,
      1,
      opts.irqBeforeAlloc === true ? PCI_IRQ_LEGACY : PCI_IRQ_ALL_TYPES,
    );
    if (rc < 0) {
      dev_err(dev, "Can't allocate interrupt");
      return rc;
    }
    tp.irq = pci_irq_vector(pdev, 0);
    if (opts.irqBeforeAlloc === true) {
      // The handler's state is allocated after the IRQ: devres frees it first at unbind.
      rc = devm_request_irq(dev, tp.irq, rtl8169_interrupt, IRQF_SHARED, R8169_DRIVER, tp);
      if (rc !== 0) return rc;
      tp.irqStats = devm_kzalloc(dev, 256, GFP_KERNEL);
      if (tp.irqStats === null) return -ENOMEM;
    }
    const io = tp.mmio;
    nd.dev_addr = nic_read_mac(io);
    tp.counters = dmam_alloc_coherent(dev, R.COUNTERS_BYTES, GFP_KERNEL);
    if (tp.counters === null) return -ENOMEM;
    if (opts.kfreeDevm === true) {
      tp.rxStats = devm_kcalloc(dev, tp.rxCount, 16, GFP_KERNEL);
      if (tp.rxStats === null) return -ENOMEM;
    }
    if (opts.ringFromPool === true) {
      const ringBytes = (opts.rxRing ?? 16) * R.DESC_BYTES;
      const blk = opts.overfetchQuirk === true ? 2 * ringBytes : ringBytes;
      tp.ringPool = dmam_pool_create("sim_r8169 rx ring", dev, blk, blk, blk);
      if (tp.ringPool === null) return -ENOMEM;
    }
    dev_set_drvdata(dev, tp);
    rc = r8169_mdio_register(tp);
    if (rc !== 0) return rc;
    rc = register_netdev(nd);
    if (rc !== 0) return rc;
    if (opts.irqBeforeAlloc === true) io.write32(R.E1000_ICR_LSC, R.IMS); // link-change interrupts from probe on
    const mac = nd.dev_addr.map((b) => b.toString(16).padStart(2, "0")).join(":");
    netdev_info(nd, `RTL8168h/8111h, ${mac}, XID ${xid.toString(16)}, IRQ ${tp.irq}`);
    return 0;
  });
}

/** rtl_remove_one: unregister (closing the interface), restore the permanent MAC. */
function rtl_remove_one(pdev: PciDev): void {
  const k = pdev.kernel;
  k.at(modSym(R8169_MODULE, "rtl_remove_one"), () => {
    const tp = dev_get_drvdata<RtlPriv | null>(pdev.dev);
    if (tp === null || tp.nd === null) return;
    unregister_netdev(tp.nd);
    if (tp.mmio !== null) nic_write_mac(tp.mmio, tp.nd.dev_addr);
  });
}
named(rtl_remove_one, "rtl_remove_one");

/** The pci_driver, configured with the bug options of a scenario. */
export function makeSimR8169(opts: SimR8169Options = {}): PciDriver {
  return simPciDriver(
    {
      name: R8169_DRIVER,
      module: R8169_MODULE,
      id_table: [{ vendor: 0x8086, device: 0x100e }],
      probe: rtl_init_one,
      probeName: "rtl_init_one",
      remove: rtl_remove_one,
    },
    opts,
  );
}

/** The bound driver's state of a device (for scenario scripts: open, traffic, close). */
export function r8169Of(pdev: PciDev): RtlPriv | null {
  return boundDrvdata<RtlPriv>(pdev, R8169_DRIVER);
}

/** `ip link set dev ethN up`. */
export function r8169Up(tp: RtlPriv): number {
  return netdev_up(tp.nd);
}

/** `ip link set dev ethN down`. */
export function r8169Down(tp: RtlPriv): void {
  netdev_down(tp.nd);
}

/** ndo_start_xmit of `count` frames of `lenBytes`: a page each, mapped to the device, doorbell. */
export function r8169Xmit(tp: RtlPriv, count: number, lenBytes: number): number {
  const k = tp.pdev.kernel;
  const ring = tp.txRing?.bytes();
  if (ring === undefined || tp.mmio === null || tp.nd?.up !== true) return 0;
  let sent = 0;
  k.at(modSym(R8169_MODULE, "rtl8169_start_xmit"), () => {
    for (let i = 0; i < count; i++) {
      const next = (tp.curTx + 1) % tp.txCount;
      if (next === tp.dirtyTx) break; // ring full
      const phys = k.pages.alloc(0, GFP_KERNEL, modSym(R8169_MODULE, "rtl8169_start_xmit"));
      if (phys === null) break;
      const dma = dma_map_single(tp.pdev.dev, phys, lenBytes, "DMA_TO_DEVICE");
      const off = tp.curTx * R.DESC_BYTES;
      put64(ring, off, dma);
      put16(ring, off + 8, lenBytes);
      ring[off + 11] = R.TXD_CMD_EOP | R.TXD_CMD_RS;
      ring[off + 12] = 0;
      tp.txBufs[tp.curTx] = { phys, dma, len: lenBytes };
      tp.curTx = next;
      sent++;
    }
    (tp.mmio as IoMem).write32(tp.curTx, R.TDT);
  });
  return sent;
}
