/**
 * sim-drm: a DRM driver for the bochs-display-shaped GPU whose probe and remove follow the
 * cirrus driver of the captured 6.1 kernel (drivers/gpu/drm/tiny/cirrus.c :: cirrus_pci_probe,
 * cirrus_pci_remove): pcim_enable_device, pci_request_regions (managed through pcim in 6.1),
 * devm_drm_dev_alloc, devm_ioremap of VRAM and MMIO, drmm_mode_config_init, KMS pipe,
 * drm_dev_register; remove = drm_dev_unplug + drm_atomic_helper_shutdown. Hardware access
 * from the modeset and ioctl paths is bracketed by drm_dev_enter/drm_dev_exit.
 *
 * With `engine` it also drives the GPU's command ring (blits read by DMA, fence write + MSI):
 * a managed ring and fence buffer and a managed IRQ, acquired after everything they use.
 */
import {
  DRIVER_ATOMIC,
  DRIVER_GEM,
  DRIVER_MODESET,
  ENODEV,
  ENOMEM,
  GFP_KERNEL,
  IRQ_HANDLED,
  IRQ_NONE,
  IS_ERR,
  PCI_IRQ_MSI,
  PTR_ERR,
  dev_err,
  dev_get_drvdata,
  dev_info,
  dev_set_drvdata,
  named,
  devm_drm_dev_alloc,
  devm_ioremap,
  devm_request_irq,
  dma_alloc_coherent,
  dma_free_coherent,
  dmam_alloc_coherent,
  drm_dev_enter,
  drm_dev_exit,
  drm_dev_put,
  drm_dev_register,
  drm_dev_unplug,
  drm_dev_unregister,
  drm_open,
  drm_release,
  pci_alloc_irq_vectors,
  pci_irq_vector,
  pci_request_regions,
  pci_resource_len,
  pci_resource_start,
  pcim_enable_device,
  pci_set_master,
  type DmaMapping,
  type DrmDevice,
  type DrmDriver,
  type DrmFile,
  type IoMem,
  type PciDev,
  type PciDriver,
} from "@devscope/core";
import { le32, put32, put64 } from "../dma/guest-memory.js";
import * as G from "../devices/gpu/gpu-regs.js";
import { modSym } from "../sim-symbols.js";
import { drm_simple_display_pipe_init, drmm_mode_config_init } from "./drm-kms.js";
import { boundDrvdata, simPciDriver } from "./sim-pci-driver.js";

export const DRM_MODULE = "sim_drm";
export const DRM_PCI_DRIVER = "sim-drm";
/** sizeof(struct cirrus_device) on the captured 6.1 kernel (its kmalloc: bytes_req=4640). */
const SIM_DRM_DEVICE_BYTES = 4640;
const RING_ENTRIES = 64;

export interface SimDrmOptions {
  /** Drive the command ring: managed ring + fence buffers and a managed fence IRQ. */
  engine?: boolean;
  /** Bug fixed by 5247a8b313cc (bochs): remove() puts the drm_device that devm_drm_dev_alloc's action puts again. */
  doublePut?: boolean;
  /**
   * Bug fixed by 4522ad764d7e (accel/ivpu): remove() uses drm_dev_unregister instead of
   * drm_dev_unplug and the ioctl path reaches the hardware without drm_dev_enter.
   */
  noUnplug?: boolean;
}

/** struct sim_drm_device (the container devm_drm_dev_alloc embeds the drm_device in). */
export interface SimDrm {
  drm: DrmDevice;
  pdev: PciDev;
  vram: IoMem | null;
  mmio: IoMem | null;
  ring: DmaMapping | null;
  fencePage: DmaMapping | null;
  tail: number;
  fenceSeq: number;
  fenceDone: number;
  irq: number;
  opts: SimDrmOptions;
}

const sim_drm_driver: DrmDriver = {
  name: "simdrm",
  desc: "simulated bochs-display DRM driver",
  date: "2019",
  major: 2,
  minor: 0,
  patchlevel: 0,
  driver_features: DRIVER_MODESET | DRIVER_GEM | DRIVER_ATOMIC,
};

function dispiWrite(sd: SimDrm, index: number, value: number): void {
  (sd.mmio as IoMem).write16(value, G.PCI_VGA_BOCHS_OFFSET + 2 * index);
}

/** The fence interrupt: ack, read the completed fence value the GPU wrote. */
function sim_drm_fence_irq(_irq: number, arg: unknown): number {
  const sd = arg as SimDrm;
  const k = sd.pdev.kernel;
  return k.at(modSym(DRM_MODULE, "sim_drm_fence_irq"), () => {
    const io = sd.mmio;
    if (io === null || !io.live) return IRQ_NONE;
    const st = io.read32(G.IRQ_STATUS);
    if (st === 0xffffffff || (st & G.IRQ_FENCE) === 0) return IRQ_NONE;
    io.write32(st, G.IRQ_STATUS);
    if (sd.fencePage !== null) sd.fenceDone = le32(sd.fencePage.bytes(), 0);
    return IRQ_HANDLED;
  });
}
named(sim_drm_fence_irq, "sim_drm_fence_irq");

/** Engine setup: ring and fence buffers (managed), MSI, the managed IRQ last. */
function sim_drm_engine_init(sd: SimDrm): number {
  const dev = sd.pdev.dev;
  sd.ring = dmam_alloc_coherent(dev, RING_ENTRIES * G.CMD_BYTES, GFP_KERNEL);
  if (sd.ring === null) return -ENOMEM;
  sd.fencePage = dmam_alloc_coherent(dev, 64, GFP_KERNEL);
  if (sd.fencePage === null) return -ENOMEM;
  let rc = pci_alloc_irq_vectors(sd.pdev, 1, 1, PCI_IRQ_MSI);
  if (rc < 0) return rc;
  sd.irq = pci_irq_vector(sd.pdev, 0);
  rc = devm_request_irq(dev, sd.irq, sim_drm_fence_irq, 0, DRM_PCI_DRIVER, sd);
  if (rc !== 0) return rc;
  const io = sd.mmio as IoMem;
  io.write32(sd.ring.dma_handle % 0x100000000, G.RING_BASE_LO);
  io.write32(Math.floor(sd.ring.dma_handle / 0x100000000), G.RING_BASE_HI);
  io.write32(RING_ENTRIES, G.RING_SIZE);
  io.write32(0, G.RING_TAIL);
  io.write32(sd.fencePage.dma_handle % 0x100000000, G.FENCE_ADDR_LO);
  io.write32(Math.floor(sd.fencePage.dma_handle / 0x100000000), G.FENCE_ADDR_HI);
  io.write32(G.IRQ_FENCE, G.IRQ_MASK);
  io.write32(G.RING_CTRL_RUN, G.RING_CTRL);
  pci_set_master(sd.pdev);
  return 0;
}

/** cirrus_pci_probe order (6.1). Every failure is a bare return: devres unwinds. */
function sim_drm_pci_probe(pdev: PciDev, opts: SimDrmOptions): number {
  const k = pdev.kernel;
  return k.at(modSym(DRM_MODULE, "sim_drm_pci_probe"), () => {
    let ret = pcim_enable_device(pdev);
    if (ret !== 0) return ret;
    ret = pci_request_regions(pdev, DRM_PCI_DRIVER);
    if (ret !== 0) return ret;
    const c = devm_drm_dev_alloc<SimDrm | null>(
      pdev.dev,
      sim_drm_driver,
      SIM_DRM_DEVICE_BYTES,
      null,
    );
    if (IS_ERR(c)) return PTR_ERR(c);
    const sd: SimDrm = {
      drm: c.drm,
      pdev,
      vram: null,
      mmio: null,
      ring: null,
      fencePage: null,
      tail: 0,
      fenceSeq: 0,
      fenceDone: 0,
      irq: 0,
      opts,
    };
    c.container.data = sd;
    sd.vram = devm_ioremap(pdev.dev, pci_resource_start(pdev, 0), pci_resource_len(pdev, 0));
    if (sd.vram === null) return -ENOMEM;
    sd.mmio = devm_ioremap(pdev.dev, pci_resource_start(pdev, 2), pci_resource_len(pdev, 2));
    if (sd.mmio === null) return -ENOMEM;
    // bochs_hw_init: the DISPI id must read 0xB0Cx.
    const id = sd.mmio.read16(G.PCI_VGA_BOCHS_OFFSET + 2 * G.VBE_DISPI_INDEX_ID);
    if ((id & 0xfff0) !== 0xb0c0) {
      dev_err(pdev.dev, `ID mismatch (0x${id.toString(16)})`);
      return -ENODEV;
    }
    ret = drmm_mode_config_init(sd.drm);
    if (ret !== 0) return ret;
    ret = drm_simple_display_pipe_init(sd.drm);
    if (ret !== 0) return ret;
    if (opts.engine === true) {
      ret = sim_drm_engine_init(sd);
      if (ret !== 0) return ret;
    }
    dev_set_drvdata(pdev.dev, sd);
    ret = drm_dev_register(sd.drm, 0);
    if (ret !== 0) return ret;
    dev_info(pdev.dev, "[drm] fb0: simdrmdrmfb frame buffer device");
    return 0;
  });
}

/** The CRTC disable of the atomic shutdown: guarded, so skipped once unplugged. */
function sim_drm_pipe_disable(sd: SimDrm): void {
  const idx = drm_dev_enter(sd.drm);
  if (idx === null) return;
  dispiWrite(sd, G.VBE_DISPI_INDEX_ENABLE, 0);
  drm_dev_exit(sd.drm, idx);
}

/** cirrus_pci_remove: drm_dev_unplug, then drm_atomic_helper_shutdown. */
function sim_drm_pci_remove(pdev: PciDev): void {
  const k = pdev.kernel;
  k.at(modSym(DRM_MODULE, "sim_drm_pci_remove"), () => {
    const sd = dev_get_drvdata<SimDrm | null>(pdev.dev);
    if (sd === null) return;
    if (sd.opts.noUnplug === true) drm_dev_unregister(sd.drm);
    else drm_dev_unplug(sd.drm);
    if (sd.opts.engine === true && sd.mmio !== null) {
      // Quiesce the engine while the mappings are still ours (devres unmaps them after remove()).
      sd.mmio.write32(0, G.IRQ_MASK);
      sd.mmio.write32(0, G.RING_CTRL);
    }
    k.call("drm_atomic_helper_shutdown", () => sim_drm_pipe_disable(sd));
    if (sd.opts.doublePut === true) drm_dev_put(sd.drm);
  });
}
named(sim_drm_pci_remove, "sim_drm_pci_remove");

/** The pci_driver, configured with the bug options of a scenario. */
export function makeSimDrm(opts: SimDrmOptions = {}): PciDriver {
  return simPciDriver(
    {
      name: DRM_PCI_DRIVER,
      module: DRM_MODULE,
      id_table: [{ vendor: 0x1234, device: 0x1111 }],
      probe: sim_drm_pci_probe,
      probeName: "sim_drm_pci_probe",
      remove: sim_drm_pci_remove,
    },
    opts,
  );
}

/** The bound driver's state of a device (for scenario scripts). */
export function simDrmOf(pdev: PciDev): SimDrm | null {
  return boundDrvdata<SimDrm>(pdev, DRM_PCI_DRIVER);
}

// ---- user space: an open file on /dev/dri/card0 and its ioctls ---------------------------------

/** An open DRM file with its buffer object (a coherent buffer the blits read). */
export interface SimDrmFile {
  file: DrmFile;
  sd: SimDrm;
  bo: DmaMapping | null;
}

export function simDrmOpen(sd: SimDrm): SimDrmFile {
  return { file: drm_open(sd.drm), sd, bo: null };
}

/** DRM_IOCTL_MODE_SETCRTC-like: program a mode (guarded by drm_dev_enter). */
export function simDrmSetMode(f: SimDrmFile, xres: number, yres: number): number {
  const sd = f.sd;
  const k = sd.pdev.kernel;
  return k.at(modSym(DRM_MODULE, "sim_drm_pipe_enable"), () => {
    const idx = drm_dev_enter(sd.drm);
    if (idx === null) return -ENODEV;
    dispiWrite(sd, G.VBE_DISPI_INDEX_ENABLE, 0);
    dispiWrite(sd, G.VBE_DISPI_INDEX_XRES, xres);
    dispiWrite(sd, G.VBE_DISPI_INDEX_YRES, yres);
    dispiWrite(sd, G.VBE_DISPI_INDEX_BPP, 32);
    dispiWrite(sd, G.VBE_DISPI_INDEX_VIRT_WIDTH, xres);
    dispiWrite(sd, G.VBE_DISPI_INDEX_ENABLE, G.VBE_DISPI_ENABLED | G.VBE_DISPI_LFB_ENABLED);
    drm_dev_exit(sd.drm, idx);
    return 0;
  });
}

/**
 * The submit ioctl: a blit of `bytes` from the file's buffer object into VRAM and a fence,
 * rung on the command ring. The hardware section is bracketed by drm_dev_enter/exit unless the
 * driver has the ivpu bug (then it writes the MMIO of an unbound device).
 */
export function simDrmSubmit(f: SimDrmFile, bytes: number): number {
  const sd = f.sd;
  const k = sd.pdev.kernel;
  return k.at(modSym(DRM_MODULE, "sim_drm_ioctl_submit"), () => {
    const guarded = sd.opts.noUnplug !== true;
    let idx: number | null = 0;
    if (guarded) {
      idx = drm_dev_enter(sd.drm);
      if (idx === null) return -ENODEV;
    }
    if (f.bo === null) {
      f.bo = dma_alloc_coherent(sd.pdev.dev, 4096, GFP_KERNEL);
      if (f.bo === null) {
        if (idx !== null && guarded) drm_dev_exit(sd.drm, idx);
        return -ENOMEM;
      }
    }
    const ring = sd.ring?.bytes();
    const io = sd.mmio as IoMem;
    if (ring !== undefined) {
      const blit = sd.tail * G.CMD_BYTES;
      ring.fill(0, blit, blit + 2 * G.CMD_BYTES);
      put32(ring, blit, G.CMD_BLIT);
      put64(ring, blit + 8, f.bo.dma_handle);
      put32(ring, blit + 16, Math.min(bytes, 4096));
      put32(ring, blit + 20, 0);
      sd.tail = (sd.tail + 1) % RING_ENTRIES;
      const fence = sd.tail * G.CMD_BYTES;
      sd.fenceSeq++;
      put32(ring, fence, G.CMD_FENCE);
      put32(ring, fence + 24, sd.fenceSeq);
      sd.tail = (sd.tail + 1) % RING_ENTRIES;
    }
    io.write32(sd.tail, G.RING_TAIL);
    if (guarded && idx !== null) drm_dev_exit(sd.drm, idx);
    return 0;
  });
}

/** close(): the buffer object goes, then the file's drm_device reference (maybe the last). */
export function simDrmClose(f: SimDrmFile): void {
  const sd = f.sd;
  const k = sd.pdev.kernel;
  k.at(modSym(DRM_MODULE, "sim_drm_postclose"), () => {
    if (f.bo !== null) dma_free_coherent(sd.pdev.dev, f.bo.size, f.bo.vaddr, f.bo.dma_handle);
    f.bo = null;
    drm_release(f.file);
  });
}
