import type { Device } from "../base/device.js";
import { __GFP_NOWARN, type Gfp } from "../kernel/gfp.js";
import { devres_add, devres_alloc, devres_destroy, devres_free } from "../devres/devres.js";
import type { DmaMapping } from "./dma-mapping.js";
import { named } from "../kernel/kernel-name.js";

/** struct dma_devres {size, vaddr, dma_handle, attrs} (32 bytes). */
interface DmaDevres {
  size: number;
  vaddr: number;
  dma_handle: number;
  attrs: number;
}

const DMA_ATTR_NO_WARN = 1 << 8;

/** dmam_release(): dma_free_attrs with the recorded values. */
export function dmam_release(dev: Device, res: DmaDevres): void {
  dev.kernel.dma.free_coherent(dev, res.size, res.vaddr, res.dma_handle, "dmam_release+0x3c/0x50");
}
named(dmam_release, "dmam_release");

function dmam_match(dev: Device, res: DmaDevres, match_data: unknown): boolean {
  const m = match_data as DmaDevres;
  if (res.vaddr === m.vaddr) {
    if (res.size !== m.size || res.dma_handle !== m.dma_handle)
      dev.kernel.warn("kernel/dma/mapping.c", "dmam_match");
    return true;
  }
  return false;
}

/**
 * dmam_alloc_attrs / dmam_alloc_coherent(dev, size, &handle, gfp) (kernel/dma/mapping.c): the
 * node (32 bytes, `dmam_release`) first, then the allocation; the node is freed and NULL
 * returned when the allocation fails.
 */
export function dmam_alloc_coherent(dev: Device, size: number, gfp: Gfp): DmaMapping | null {
  const k = dev.kernel;
  const attrs = (gfp & __GFP_NOWARN) !== 0 ? DMA_ATTR_NO_WARN : 0;
  const dr = devres_alloc(
    dev,
    dmam_release,
    32,
    gfp,
    { size, vaddr: 0, dma_handle: 0, attrs } as DmaDevres,
    "dmam_alloc_attrs+0x3e/0xa0",
  );
  if (dr === null) return null;
  const m = k.dma.alloc_coherent(dev, size, gfp, "dmam_alloc_attrs+0x6b/0xa0");
  if (m === null) {
    devres_free(dev, dr, "dmam_alloc_attrs+0x94/0xa0");
    return null;
  }
  dr.vaddr = m.vaddr;
  dr.dma_handle = m.dma_handle;
  devres_add(dev, dr);
  return m;
}

/**
 * dmam_free_coherent(dev, size, vaddr, dma_handle): devres_destroy matched by vaddr (REM,
 * release not run), then dma_free_coherent — even when no node was found (with a WARN).
 */
export function dmam_free_coherent(
  dev: Device,
  size: number,
  vaddr: number,
  dma_handle: number,
): void {
  const k = dev.kernel;
  const match: DmaDevres = { size, vaddr, dma_handle, attrs: 0 };
  if (devres_destroy(dev, dmam_release, dmam_match, match, "dmam_free_coherent+0x4c/0x90") !== 0)
    k.warn("kernel/dma/mapping.c", "dmam_free_coherent");
  k.dma.free_coherent(dev, size, vaddr, dma_handle, "dmam_free_coherent+0x72/0x90");
}
