/**
 * sim-e100: a fully manual PCI NIC driver with a DMA pool for its command blocks, shaped like
 * drivers/net/ethernet/intel/e100.c (e100_probe / e100_up / e100_down / e100_remove, ~v5.10),
 * with the e1000e-style ring-struct allocation whose error-ladder rung was the N17 bug
 * (e1000e 4589075608420). It drives the same e1000-shaped NIC model: the command-block pool
 * block holds the TX descriptors, so the NIC DMA-reads pool memory.
 */
import {
  DMA_BIT_MASK,
  EAGAIN,
  ENODEV,
  ENOMEM,
  GFP_KERNEL,
  IORESOURCE_MEM,
  IRQ_HANDLED,
  IRQ_NONE,
  IRQF_SHARED,
  dev_err,
  dev_get_drvdata,
  dev_set_drvdata,
  dma_alloc_coherent,
  dma_free_coherent,
  __GFP_DMA32,
  dma_pool_create,
  dma_pool_destroy,
  dma_pool_free,
  dma_pool_zalloc,
  dma_set_mask,
  free_irq,
  kfree,
  kzalloc,
  named,
  pci_disable_device,
  pci_enable_device,
  pci_iomap,
  pci_iounmap,
  pci_release_regions,
  pci_request_regions,
  pci_resource_flags,
  pci_set_master,
  request_irq,
  type DmaMapping,
  type DmaPool,
  type DmaPoolBlock,
  type IoMem,
  type KMem,
  type PciDev,
  type PciDriver,
} from "@devscope/core";
import * as R from "../devices/nic/nic-regs.js";
import { modSym } from "../sim-symbols.js";
import { udelay } from "./delay.js";
import {
  alloc_etherdev,
  free_netdev,
  netdev_down,
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
  type RxBuffer,
} from "./nic-hw.js";

export const E100_MODULE = "sim_e100";
export const E100_DRIVER = "sim-e100";
/** sizeof(struct nic) and struct mem (self-test, stats dump, register dump) on 64-bit, bytes. */
const NIC_PRIV_BYTES = 1536;
const E100_MEM_BYTES = 1284;
/** e100_get_defaults: cbs.max 256 × sizeof(struct cb) 576. */
const CBS_MAX = 256;
const CB_BYTES = 576;
/** e1000e-style per-direction ring bookkeeping structs (e1000_sw_init → e1000_alloc_queues), bytes. */
const RING_STRUCT_BYTES = 1280;

export interface SimE100Options {
  rxRing?: number;
  txRing?: number;
  /** nic-pool-busy: the close path forgets dma_pool_free() of the command block. */
  leakCbBlock?: boolean;
  /**
   * N17 (e1000e 4589075608420 and siblings): the probe's error ladder jumps past the rung
   * that frees the ring structs.
   */
  ladderMissesRung?: boolean;
}

/** struct nic */
export interface E100Nic {
  pdev: PciDev;
  nd: NetDevice<E100Nic> | null;
  csr: IoMem | null;
  mem: DmaMapping | null;
  rings: KMem<undefined> | null;
  cbsPool: DmaPool | null;
  cbs: DmaPoolBlock | null;
  rxRing: DmaMapping | null;
  rxBufs: RxBuffer[];
  curRx: number;
  rxCount: number;
  txCount: number;
  frames: number;
  opts: SimE100Options;
}

function e100_intr(_irq: number, dev_id: unknown): number {
  const nic = dev_id as E100Nic;
  const k = nic.pdev.kernel;
  return k.at(modSym(E100_MODULE, "e100_intr"), () => {
    const io = nic.csr;
    if (io === null) return IRQ_NONE;
    const stat = io.read32(R.ICR);
    // Not our interrupt (shared line), or the device is gone.
    if (stat === 0 || stat === 0xffffffff) return IRQ_NONE;
    const ring = nic.rxRing?.bytes();
    if (ring !== undefined)
      nic.curRx = nic_rx_reap(io, ring, nic.curRx, nic.rxCount, () => nic.frames++);
    return IRQ_HANDLED;
  });
}
named(e100_intr, "e100_intr");

/** e100_hw_reset: reset before bus mastering, as e100_probe's comment requires. */
function e100_hw_reset(nic: E100Nic): void {
  const io = nic.csr as IoMem;
  io.write32(R.CTRL_RST, R.CTRL);
  udelay(nic.pdev.kernel, 20);
  io.write32(0xffffffff, R.IMC);
}

/** e100_alloc_cbs: one zeroed pool block holds the command (TX) ring. */
function e100_alloc_cbs(nic: E100Nic): number {
  if (nic.cbsPool === null) return -ENOMEM;
  nic.cbs = dma_pool_zalloc(nic.cbsPool, GFP_KERNEL);
  return nic.cbs === null ? -ENOMEM : 0;
}

/** e100_clean_cbs: the block goes back to the pool. */
function e100_clean_cbs(nic: E100Nic): void {
  if (nic.cbs === null || nic.cbsPool === null) return;
  if (nic.opts.leakCbBlock !== true) dma_pool_free(nic.cbsPool, nic.cbs.vaddr, nic.cbs.dma);
  nic.cbs = null;
}

function e100_rx_alloc_list(nic: E100Nic): number {
  const dev = nic.pdev.dev;
  nic.rxRing = dma_alloc_coherent(dev, nic.rxCount * R.DESC_BYTES, GFP_KERNEL);
  if (nic.rxRing === null) return -ENOMEM;
  const ring = nic.rxRing.bytes();
  ring.fill(0);
  // The device addresses 32 bits (dma_set_mask(32)): buffers from ZONE_DMA32, as swiotlb
  // would otherwise bounce them. A failure leaves the posted buffers to e100_rx_clean_list.
  const err = nic_rx_fill(
    dev,
    ring,
    nic.rxCount,
    GFP_KERNEL | __GFP_DMA32,
    modSym(E100_MODULE, "e100_rx_alloc_skb"),
    nic.rxBufs,
  );
  if (err !== 0) return err;
  nic.curRx = 0;
  return 0;
}

function e100_rx_clean_list(nic: E100Nic): void {
  const dev = nic.pdev.dev;
  nic_rx_free(dev, nic.rxBufs, modSym(E100_MODULE, "e100_rx_clean_list"));
  const r = nic.rxRing;
  if (r !== null) dma_free_coherent(dev, r.size, r.vaddr, r.dma_handle);
  nic.rxRing = null;
}

/** e100_up: RX list, command blocks, hardware start, then the shared IRQ. */
function e100_open(nd: NetDevice<E100Nic>): number {
  const nic = nd.priv.data;
  const k = nic.pdev.kernel;
  return k.at(modSym(E100_MODULE, "e100_up"), () => {
    let err = e100_rx_alloc_list(nic);
    if (err !== 0) {
      e100_rx_clean_list(nic);
      return err;
    }
    err = e100_alloc_cbs(nic);
    if (err !== 0) {
      e100_rx_clean_list(nic);
      return err;
    }
    const io = nic.csr as IoMem;
    // The command-block pool block holds the TX ring.
    nic_configure_rings(
      io,
      { dma: (nic.rxRing as DmaMapping).dma_handle, count: nic.rxCount },
      { dma: (nic.cbs as DmaPoolBlock).dma, count: nic.txCount },
    );
    err = request_irq(nic.pdev.dev, nic.pdev.irq, e100_intr, IRQF_SHARED, nd.name, nic);
    if (err !== 0) {
      e100_clean_cbs(nic);
      e100_rx_clean_list(nic);
      return err;
    }
    io.write32(R.E1000_ICR_RXT0 | R.E1000_ICR_RXO, R.IMS);
    return 0;
  });
}

/** e100_down: IRQ off first, the hardware quiesced, then the command blocks and RX list. */
function e100_close(nd: NetDevice<E100Nic>): number {
  const nic = nd.priv.data;
  const k = nic.pdev.kernel;
  return k.at(modSym(E100_MODULE, "e100_down"), () => {
    const io = nic.csr as IoMem;
    io.write32(0xffffffff, R.IMC);
    free_irq(nic.pdev.dev, nic.pdev.irq, nic);
    io.write32(0, R.RCTL);
    io.write32(0, R.TCTL);
    io.write32(R.CTRL_RST, R.CTRL);
    e100_clean_cbs(nic);
    e100_rx_clean_list(nic);
    return 0;
  });
}

/** e100_probe: everything by hand, with the label ladder of the real driver. */
function e100_probe(pdev: PciDev, opts: SimE100Options): number {
  const dev = pdev.dev;
  const k = pdev.kernel;
  return k.at(modSym(E100_MODULE, "e100_probe"), () => {
    const nic: E100Nic = {
      pdev,
      nd: null,
      csr: null,
      mem: null,
      rings: null,
      cbsPool: null,
      cbs: null,
      rxRing: null,
      rxBufs: [],
      curRx: 0,
      rxCount: opts.rxRing ?? 16,
      txCount: opts.txRing ?? 16,
      frames: 0,
      opts,
    };
    const nd = alloc_etherdev(k, NIC_PRIV_BYTES, nic);
    if (nd === null) return -ENOMEM;
    nic.nd = nd;
    nd.parent = dev;
    nd.ops = { ndo_open: e100_open, ndo_stop: e100_close };
    dev_set_drvdata(dev, nic);
    let err = pci_enable_device(pdev);
    if (err !== 0) {
      dev_err(dev, "Cannot enable PCI device, aborting");
      return err_out_free_dev(nic, err);
    }
    if ((pci_resource_flags(pdev, 0) & IORESOURCE_MEM) === 0) {
      dev_err(dev, "Cannot find proper PCI device base address, aborting");
      return err_out_disable_pdev(nic, -ENODEV);
    }
    err = pci_request_regions(pdev, E100_DRIVER);
    if (err !== 0) {
      dev_err(dev, "Cannot obtain PCI resources, aborting");
      return err_out_disable_pdev(nic, err);
    }
    err = dma_set_mask(dev, DMA_BIT_MASK(32));
    if (err !== 0) {
      dev_err(dev, "No usable DMA configuration, aborting");
      return err_out_free_res(nic, err);
    }
    nic.csr = pci_iomap(pdev, 0, 0x20000);
    if (nic.csr === null) {
      dev_err(dev, "Cannot map device registers, aborting");
      return err_out_free_res(nic, -ENOMEM);
    }
    e100_hw_reset(nic);
    pci_set_master(pdev);
    nic.mem = dma_alloc_coherent(dev, E100_MEM_BYTES, GFP_KERNEL);
    if (nic.mem === null) {
      dev_err(dev, "Cannot alloc driver memory, aborting");
      return err_out_iounmap(nic, -ENOMEM);
    }
    nic.rings = kzalloc(k, 2 * RING_STRUCT_BYTES, GFP_KERNEL);
    if (nic.rings === null) return err_out_free(nic, -ENOMEM);
    // EEPROM / MAC validation (e100_eeprom_load + is_valid_ether_addr).
    const mac = nic_read_mac(nic.csr);
    if (mac.every((b) => b === 0) || ((mac[0] ?? 0) & 1) !== 0) {
      dev_err(dev, "Invalid MAC address from EEPROM, aborting");
      // The N17 shape: this error path was added later and jumps one label too far.
      return opts.ladderMissesRung === true
        ? err_out_free(nic, -EAGAIN)
        : err_out_free_rings(nic, -EAGAIN);
    }
    nd.dev_addr = mac;
    err = register_netdev(nd);
    if (err !== 0) {
      dev_err(dev, "Cannot register net device, aborting");
      return err_out_free_rings(nic, err);
    }
    nic.cbsPool = dma_pool_create(nd.name, dev, CBS_MAX * CB_BYTES, 4, 0);
    if (nic.cbsPool === null) {
      dev_err(dev, "Cannot create DMA pool, aborting");
      return err_out_pool(nic, -ENOMEM);
    }
    k.printk(
      6,
      `${E100_DRIVER} ${dev.name} ${nd.name}: addr 0x${(pdev.resource[0]?.start ?? 0).toString(16)}, irq ${pdev.irq}, MAC addr ${mac.map((b) => b.toString(16).padStart(2, "0")).join(":")}`,
    );
    return 0;
  });
}

function err_out_pool(nic: E100Nic, err: number): number {
  unregister_netdev(nic.nd as NetDevice<E100Nic>);
  return err_out_free_rings(nic, err);
}
function err_out_free_rings(nic: E100Nic, err: number): number {
  kfree(nic.pdev.kernel, nic.rings);
  nic.rings = null;
  return err_out_free(nic, err);
}
function err_out_free(nic: E100Nic, err: number): number {
  const m = nic.mem;
  if (m !== null) dma_free_coherent(nic.pdev.dev, m.size, m.vaddr, m.dma_handle);
  nic.mem = null;
  return err_out_iounmap(nic, err);
}
function err_out_iounmap(nic: E100Nic, err: number): number {
  pci_iounmap(nic.pdev, nic.csr);
  nic.csr = null;
  return err_out_free_res(nic, err);
}
function err_out_free_res(nic: E100Nic, err: number): number {
  pci_release_regions(nic.pdev);
  return err_out_disable_pdev(nic, err);
}
function err_out_disable_pdev(nic: E100Nic, err: number): number {
  pci_disable_device(nic.pdev);
  return err_out_free_dev(nic, err);
}
function err_out_free_dev(nic: E100Nic, err: number): number {
  if (nic.nd !== null) free_netdev(nic.nd);
  nic.nd = null;
  dev_set_drvdata(nic.pdev.dev, null);
  return err;
}

/** e100_remove: unregister (closing it), then the ladder's rungs in order. */
function e100_remove(pdev: PciDev): void {
  const k = pdev.kernel;
  k.at(modSym(E100_MODULE, "e100_remove"), () => {
    const nic = dev_get_drvdata<E100Nic | null>(pdev.dev);
    if (nic === null || nic.nd === null) return;
    unregister_netdev(nic.nd);
    kfree(k, nic.rings);
    nic.rings = null;
    const m = nic.mem;
    if (m !== null) dma_free_coherent(pdev.dev, m.size, m.vaddr, m.dma_handle);
    nic.mem = null;
    pci_iounmap(pdev, nic.csr);
    nic.csr = null;
    dma_pool_destroy(nic.cbsPool);
    nic.cbsPool = null;
    free_netdev(nic.nd);
    nic.nd = null;
    pci_release_regions(pdev);
    pci_disable_device(pdev);
  });
}
named(e100_remove, "e100_remove");

/** The pci_driver, configured with the bug options of a scenario. */
export function makeSimE100(opts: SimE100Options = {}): PciDriver {
  return simPciDriver(
    {
      name: E100_DRIVER,
      module: E100_MODULE,
      id_table: [{ vendor: 0x8086, device: 0x100e }],
      probe: e100_probe,
      probeName: "e100_probe",
      remove: e100_remove,
    },
    opts,
  );
}

/** The bound driver's state of a device (for scenario scripts). */
export function e100Of(pdev: PciDev): E100Nic | null {
  return boundDrvdata<E100Nic>(pdev, E100_DRIVER);
}

/** `ip link set dev ethN up`. */
export function e100Up(nic: E100Nic): number {
  return netdev_up(nic.nd);
}

/** `ip link set dev ethN down`. */
export function e100Down(nic: E100Nic): void {
  netdev_down(nic.nd);
}
