/**
 * Test support: an ahci-like PCI SATA driver and its SCSI disk, written the way drivers/ata/
 * ahci.c + libata + sd_mod are (6.1), so a simulated bind/unbind produces the devres sequence
 * of fixtures/real-traces/ahci-bind-unbind.ftrace.txt: per probe pcim_release,
 * pcim_iomap_release, hpriv (312), the ata_host_alloc group (grp< + ata_devres_release, group
 * removed), the MSI nodes, 6 x (port priv 1288, irq_desc 8, dmam 32), ata_host_stop, the irq
 * name (19) and devm_irq_release; the SCSI disk 0:0:0:0 bound by sd asynchronously.
 */
import type { Kernel } from "../kernel/kernel.js";
import { ENOMEM, ENODEV } from "../kernel/errno.js";
import { GFP_KERNEL } from "../kernel/gfp.js";
import { moduleFunction } from "../kernel/modules.js";
import { named } from "../kernel/kernel-name.js";
import { kzalloc, kfree } from "../mm/kmalloc.js";
import type { KMem } from "../mm/kmem.js";
import { Device, dev_set_drvdata, dev_get_drvdata, dev_driver_string } from "../base/device.js";
import { define_driver, type DeviceDriver } from "../base/driver.js";
import type { BusType } from "../base/bus.js";
import { devres_add, devres_alloc } from "../devres/devres.js";
import { devres_open_group, devres_remove_group } from "../devres/devres-group.js";
import { devm_kasprintf, devm_kzalloc } from "../devres/devm-memory.js";
import { devm_request_irq } from "../irq/devm-irq.js";
import { IRQ_HANDLED, IRQ_NONE, IRQF_SHARED } from "../irq/irq-core.js";
import { dmam_alloc_coherent } from "../dma/devm-dma.js";
import { dma_set_mask_and_coherent, DMA_BIT_MASK } from "../dma/dma-mapping.js";
import type { IoMem } from "../io/iomem.js";
import {
  PCI_IRQ_ALL_TYPES,
  pci_alloc_irq_vectors,
  pci_device_add,
  pci_irq_vector,
  pci_register_driver,
  pci_set_master,
  pci_unregister_driver,
  type PciDev,
  type PciDriver,
} from "../pci/pci.js";
import {
  pcim_enable_device,
  pcim_iomap_regions_request_all,
  pcim_iomap_table,
} from "../pci/pcim.js";

const AHCI_PCI_BAR_STANDARD = 5;
const HOST_CAP = 0x00;
const HOST_CTL = 0x04;
const HOST_IRQ_STAT = 0x08;
const HOST_PORTS_IMPL = 0x0c;
/** sizeof(struct ahci_host_priv), struct ata_host + 6 port pointers, struct ata_port (6.1 x86-64), bytes. */
const AHCI_HOST_PRIV_BYTES = 312;
const ATA_HOST_BYTES = 120 + 6 * 8;
const ATA_PORT_BYTES = 15552;
const AHCI_PORT_PRIV_BYTES = 1288;
/** AHCI_CMD_SLOT_SZ + AHCI_CMD_TBL_AR_SZ + AHCI_RX_FIS_SZ */
const AHCI_PORT_PRIV_DMA_SZ = 1024 + 32 * 0x180 + 256;

/** The ICH9 AHCI function of the captured QEMU q35 machine. */
export const ICH9_AHCI = { name: "0000:00:1f.2", vendor: 0x8086, device: 0x2922, class: 0x010601 };

interface AtaPort {
  mem: KMem<undefined>;
  pp: KMem<undefined> | null;
}

interface AtaHost {
  dev: Device;
  mem: KMem<undefined>;
  ports: AtaPort[];
  irq: number;
  scsi: Device[];
  /** host->private_data: the AHCI host private state. */
  priv: AhciHostPriv | null;
}

interface AhciHostPriv {
  mmio: IoMem;
  cap: number;
  port_map: number;
  irqs: number;
}

// ---- libata (module "libata") -----------------------------------------------------------------

/** libata-core.c :: ata_devres_release — frees the ports and the host (named in module memory). */
const ata_devres_release = moduleFunction(
  "libata",
  named(function ata_devres_release(dev: Device, _res: object): void {
    const host = dev_get_drvdata<AtaHost | null>(dev);
    if (host === null) return;
    const k = dev.kernel;
    for (const ap of host.ports) k.call("ata_devres_release", () => kfree(k, ap.mem));
    k.at("release_nodes+0x40/0xb0", () => kfree(k, host.mem));
  }, "ata_devres_release"),
);

/** libata-core.c :: ata_host_stop — stops the ports (nothing of their memory: that is devm). */
const ata_host_stop = moduleFunction(
  "libata",
  named(function ata_host_stop(_dev: Device, _res: object): void {
    /* ap->ops->port_stop for each port */
  }, "ata_host_stop"),
);

/**
 * ata_host_alloc(dev, n_ports): kzalloc the host, open a devres group, add ata_devres_release,
 * allocate the ports, and on success remove the group (the resources stay).
 */
function ata_host_alloc(dev: Device, n_ports: number): AtaHost | null {
  const k = dev.kernel;
  const mem = kzalloc(k, ATA_HOST_BYTES, GFP_KERNEL);
  if (mem === null) return null;
  if (devres_open_group(dev, null, GFP_KERNEL) === null) {
    kfree(k, mem);
    return null;
  }
  const dr = devres_alloc(dev, ata_devres_release, 0, GFP_KERNEL, {});
  if (dr === null) return null;
  devres_add(dev, dr);
  const host: AtaHost = { dev, mem, ports: [], irq: 0, scsi: [], priv: null };
  dev_set_drvdata(dev, host);
  for (let i = 0; i < n_ports; i++) {
    const ap = kzalloc(k, ATA_PORT_BYTES, GFP_KERNEL);
    if (ap === null) return null;
    host.ports.push({ mem: ap, pp: null });
  }
  devres_remove_group(dev, null);
  return host;
}

/** ahci_port_start(): port private data, the irq name buffer, and the command/FIS DMA area. */
function ahci_port_start(dev: Device, ap: AtaPort, nPorts: number): number {
  ap.pp = devm_kzalloc(dev, AHCI_PORT_PRIV_BYTES, GFP_KERNEL);
  if (ap.pp === null) return -ENOMEM;
  if (nPorts > 1 && devm_kzalloc(dev, 8, GFP_KERNEL) === null) return -ENOMEM;
  return dmam_alloc_coherent(dev, AHCI_PORT_PRIV_DMA_SZ, GFP_KERNEL) === null ? -ENOMEM : 0;
}

/** ata_host_start(): the ata_host_stop devres is allocated first and added after the ports start. */
function ata_host_start(host: AtaHost): number {
  const dev = host.dev;
  const start_dr = devres_alloc(dev, ata_host_stop, 0, GFP_KERNEL, {});
  if (start_dr === null) return -ENOMEM;
  for (const ap of host.ports) {
    const rc = dev.kernel.call("ahci_port_start", () =>
      ahci_port_start(dev, ap, host.ports.length),
    );
    if (rc !== 0) return rc;
  }
  devres_add(dev, start_dr);
  return 0;
}

function ahci_single_level_irq_intr(_irq: number, dev_instance: unknown): number {
  const hpriv = (dev_instance as AtaHost).priv;
  if (hpriv === null) return IRQ_NONE;
  const stat = hpriv.mmio.read32(HOST_IRQ_STAT);
  if (stat === 0) return IRQ_NONE;
  hpriv.mmio.write32(stat, HOST_IRQ_STAT);
  return IRQ_HANDLED;
}
named(ahci_single_level_irq_intr, "ahci_single_level_irq_intr");

/** ata_host_activate(): the `%s[%s]` irq name (devm_kasprintf) and the devm irq, then register. */
function ata_host_activate(host: AtaHost, irq: number, scsi: ScsiSim | null): number {
  const dev = host.dev;
  let rc = ata_host_start(host);
  if (rc !== 0) return rc;
  const irq_desc = devm_kasprintf(dev, GFP_KERNEL, "%s[%s]", dev_driver_string(dev), dev.name);
  if (irq_desc === null) return -ENOMEM;
  rc = devm_request_irq(dev, irq, ahci_single_level_irq_intr, IRQF_SHARED, irq_desc.data, host);
  if (rc !== 0) return rc;
  host.irq = irq;
  // ata_host_register → SCSI host scan: the disk appears asynchronously (async_schedule).
  if (scsi !== null) host.scsi.push(scsi.addDisk(host, "0:0:0:0"));
  return 0;
}

// ---- ahci (module "ahci") ---------------------------------------------------------------------

function makeAhciDriver(scsi: ScsiSim | null): PciDriver {
  return {
    name: "ahci",
    module: "ahci",
    id_table: [{ vendor: ICH9_AHCI.vendor, device: ICH9_AHCI.device }],
    probe: named(function ahci_init_one(pdev: PciDev): number {
      const dev = pdev.dev;
      let rc = pcim_enable_device(pdev);
      if (rc !== 0) return rc;
      rc = pcim_iomap_regions_request_all(pdev, 1 << AHCI_PCI_BAR_STANDARD, "ahci");
      if (rc !== 0) return rc;
      const hpriv = devm_kzalloc(dev, AHCI_HOST_PRIV_BYTES, GFP_KERNEL);
      if (hpriv === null) return -ENOMEM;
      const mmio = pcim_iomap_table(pdev)?.[AHCI_PCI_BAR_STANDARD] ?? null;
      if (mmio === null) return -ENODEV;
      const cap = mmio.read32(HOST_CAP);
      const port_map = mmio.read32(HOST_PORTS_IMPL);
      const n_ports = Math.max((cap & 0x1f) + 1, 32 - Math.clz32(port_map));
      const host = pdev.kernel.call("ata_host_alloc_pinfo", () => ata_host_alloc(dev, n_ports));
      if (host === null) return -ENOMEM;
      const info: AhciHostPriv = { mmio, cap, port_map, irqs: 0 };
      host.priv = info;
      info.irqs = pci_alloc_irq_vectors(pdev, 1, n_ports, PCI_IRQ_ALL_TYPES);
      if (info.irqs < 0) return info.irqs;
      if (dma_set_mask_and_coherent(dev, DMA_BIT_MASK(64)) !== 0) return -ENODEV;
      pci_set_master(pdev);
      mmio.write32(0x80000002, HOST_CTL);
      return pdev.kernel.call("ahci_host_activate", () =>
        ata_host_activate(host, pci_irq_vector(pdev, 0), scsi),
      );
    }, "ahci_init_one"),
    remove: named(function ata_pci_remove_one(pdev: PciDev): void {
      const host = dev_get_drvdata<AtaHost | null>(pdev.dev);
      if (host === null) return;
      // ata_host_detach(): the SCSI devices go before the host's resources.
      for (const d of host.scsi) pdev.kernel.core.device_unregister(d);
      host.scsi.length = 0;
    }, "ata_pci_remove_one"),
  };
}

// ---- SCSI disk (sd_mod) -------------------------------------------------------------------------

/** A `scsi` bus with the sd driver, for the disk the ahci-like host exposes. */
export class ScsiSim {
  readonly bus: BusType;
  readonly sd: DeviceDriver;

  constructor(readonly k: Kernel) {
    this.bus = k.core.buses.get("scsi") ?? k.core.bus_register({ name: "scsi" });
    this.sd = define_driver({
      name: "sd",
      module: "sd_mod",
      probe_type: "async",
      probe: named(function sd_probe() {
        return 0;
      }, "sd_probe"),
      remove: named(function sd_remove() {}, "sd_remove"),
    });
  }

  addDisk(host: AtaHost, name: string): Device {
    const d = new Device(this.k, name, host.dev);
    d.release = () => undefined;
    this.k.core.device_add(d, this.bus);
    return d;
  }

  /** `modprobe sd_mod` */
  register(): void {
    this.k.loadModule("sd_mod");
    this.k.core.driver_register(this.sd, this.bus);
  }

  /** `rmmod sd_mod` */
  unregister(): void {
    this.k.core.driver_unregister(this.sd);
    this.k.unloadModule("sd_mod");
  }
}

/** The AHCI function with an ABAR model: 6 ports implemented, CAP.NP = 5. */
export function addIch9Ahci(k: Kernel): PciDev {
  const abar = 0xfebef000;
  const regs = new Map<number, number>([
    [HOST_CAP, 0xc0141f05],
    [HOST_PORTS_IMPL, 0x3f],
    [HOST_IRQ_STAT, 0],
  ]);
  k.mmio.register("mem", abar, 0x1000, {
    read: (off) => regs.get(off) ?? 0,
    write: (off, _size, value) => {
      if (off === HOST_IRQ_STAT) regs.set(off, (regs.get(off) ?? 0) & ~value);
      else regs.set(off, value);
    },
  });
  return pci_device_add(k, {
    ...ICH9_AHCI,
    bars: [
      null,
      null,
      null,
      null,
      { kind: "io", start: 0xc040, size: 32 },
      { kind: "mem", start: abar, size: 0x1000 },
    ],
    irq: 16,
    msi: 1,
  });
}

/** The ahci driver bound to the modules it needs, registered and unregistered like modprobe/rmmod do. */
export class AhciLikeDriver {
  readonly pdrv: PciDriver;
  constructor(
    readonly k: Kernel,
    scsi: ScsiSim | null,
  ) {
    this.pdrv = makeAhciDriver(scsi);
  }

  /** `modprobe ahci`: scsi_common, scsi_mod, libata, libahci, ahci, then the driver registers. */
  modprobe(): number {
    for (const m of ["scsi_common", "scsi_mod", "libata", "libahci", "ahci"]) this.k.loadModule(m);
    return pci_register_driver(this.k, this.pdrv);
  }

  /** `rmmod ahci` */
  rmmod(): void {
    pci_unregister_driver(this.k, this.pdrv);
    this.k.unloadModule("ahci");
  }
}
