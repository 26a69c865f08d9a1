import type { Device } from "../base/device.js";
import { dev_err } from "../base/dev-printk.js";
import { EBUSY, EINVAL, ENOMEM } from "../kernel/errno.js";
import { ERR_PTR, type ErrPtr } from "../kernel/err-ptr.js";
import { GFP_KERNEL } from "../kernel/gfp.js";
import { devres_add, devres_alloc, devres_destroy, devres_free } from "../devres/devres.js";
import { devm_kasprintf, devm_kstrdup } from "../devres/devm-memory.js";
import { ioport_map, ioport_unmap, ioremap, iounmap, type IoMem } from "./iomem.js";
import {
  IORESOURCE_MEM,
  formatResource,
  resource_size,
  resource_type,
  type Resource,
} from "./resource-tree.js";
import { named } from "../kernel/kernel-name.js";

// ---- devm_ioremap family (lib/devres.c) -----------------------------------------------------

interface IoremapDevres {
  addr: IoMem | null;
}

export function devm_ioremap_release(dev: Device, res: IoremapDevres): void {
  iounmap(dev.kernel, res.addr, "devm_ioremap_release+0x1e/0x30");
}
named(devm_ioremap_release, "devm_ioremap_release");

function devm_ioremap_match(_dev: Device, res: IoremapDevres, match_data: unknown): boolean {
  return res.addr === match_data;
}

/** __devm_ioremap(): node (8 bytes) first, then the mapping; added only if mapped. */
function __devm_ioremap(dev: Device, offset: number, size: number, wc: boolean): IoMem | null {
  const k = dev.kernel;
  const ptr = devres_alloc(
    dev,
    devm_ioremap_release,
    8,
    GFP_KERNEL,
    { addr: null } as IoremapDevres,
    "__devm_ioremap+0x3b/0xc0",
  );
  if (ptr === null) return null;
  const addr = ioremap(k, offset, size, wc);
  if (addr !== null) {
    ptr.addr = addr;
    devres_add(dev, ptr);
  } else devres_free(dev, ptr, "__devm_ioremap+0xa2/0xc0");
  return addr;
}

/** devm_ioremap(dev, offset, size) */
export function devm_ioremap(dev: Device, offset: number, size: number): IoMem | null {
  return __devm_ioremap(dev, offset, size, false);
}

/** devm_ioremap_wc(dev, offset, size) */
export function devm_ioremap_wc(dev: Device, offset: number, size: number): IoMem | null {
  return __devm_ioremap(dev, offset, size, true);
}

/** devm_iounmap(dev, addr): devres_destroy (REM, WARN if absent) and iounmap. */
export function devm_iounmap(dev: Device, addr: IoMem): void {
  const k = dev.kernel;
  if (
    devres_destroy(
      dev,
      devm_ioremap_release,
      devm_ioremap_match,
      addr,
      "devm_iounmap+0x2c/0x50",
    ) !== 0
  )
    k.warn("lib/devres.c", "devm_iounmap");
  iounmap(k, addr);
}

/**
 * devm_ioremap_resource(dev, res): validate, name the region (`devm_kasprintf("%s %s")` or
 * `devm_kstrdup(dev_name)`), devm_request_mem_region, devm_ioremap — three nodes in that
 * order. Errors: -EINVAL (not MEM), -EBUSY (region taken), -ENOMEM (ioremap failed; the region
 * is released again, the name node stays until detach).
 */
export function devm_ioremap_resource(dev: Device, res: Resource | null): IoMem | ErrPtr {
  return __devm_ioremap_resource(dev, res, false);
}

export function devm_ioremap_resource_wc(dev: Device, res: Resource | null): IoMem | ErrPtr {
  return __devm_ioremap_resource(dev, res, true);
}

function __devm_ioremap_resource(dev: Device, res: Resource | null, wc: boolean): IoMem | ErrPtr {
  const k = dev.kernel;
  return k.call("__devm_ioremap_resource", () => {
    if (res === null || resource_type(res) !== IORESOURCE_MEM) {
      dev_err(dev, `invalid resource ${res === null ? "(null)" : formatResource(res)}`);
      return ERR_PTR(-EINVAL);
    }
    const size = resource_size(res);
    const pretty =
      res.name !== ""
        ? devm_kasprintf(dev, GFP_KERNEL, "%s %s", dev.name, res.name)
        : devm_kstrdup(dev, dev.name, GFP_KERNEL);
    if (pretty === null) {
      dev_err(dev, `can't generate pretty name for resource ${formatResource(res)}`);
      return ERR_PTR(-ENOMEM);
    }
    if (devm_request_mem_region(dev, res.start, size, pretty.data) === null) {
      dev_err(dev, `can't request region for resource ${formatResource(res)}`);
      return ERR_PTR(-EBUSY);
    }
    const dest = __devm_ioremap(dev, res.start, size, wc);
    if (dest === null) {
      dev_err(dev, `ioremap failed for resource ${formatResource(res)}`);
      devm_release_mem_region(dev, res.start, size);
      return ERR_PTR(-ENOMEM);
    }
    return dest;
  });
}

// ---- ioport map -----------------------------------------------------------------------------

export function devm_ioport_map_release(_dev: Device, res: IoremapDevres): void {
  if (res.addr !== null) ioport_unmap(res.addr);
}
named(devm_ioport_map_release, "devm_ioport_map_release");

/** devm_ioport_map(dev, port, nr) */
export function devm_ioport_map(dev: Device, port: number, nr: number): IoMem | null {
  const ptr = devres_alloc(
    dev,
    devm_ioport_map_release,
    8,
    GFP_KERNEL,
    { addr: null } as IoremapDevres,
    "devm_ioport_map+0x2e/0x80",
  );
  if (ptr === null) return null;
  const addr = ioport_map(dev.kernel, port, nr);
  ptr.addr = addr;
  devres_add(dev, ptr);
  return addr;
}

/** devm_ioport_unmap(dev, addr): ioport_unmap, then devres_destroy (WARN if absent). */
export function devm_ioport_unmap(dev: Device, addr: IoMem): void {
  ioport_unmap(addr);
  if (
    devres_destroy(
      dev,
      devm_ioport_map_release,
      devm_ioremap_match,
      addr,
      "devm_ioport_unmap+0x2a/0x50",
    ) !== 0
  )
    dev.kernel.warn("lib/devres.c", "devm_ioport_unmap");
}

// ---- managed regions (kernel/resource.c) ----------------------------------------------------

/** struct region_devres {parent, start, n} (24 bytes). */
interface RegionDevres {
  parent: Resource;
  start: number;
  n: number;
}

export function devm_region_release(dev: Device, res: RegionDevres): void {
  const k = dev.kernel;
  const tree = res.parent === k.ioport.root ? k.ioport : k.iomem;
  tree.__release_region(res.parent, res.start, res.n);
}
named(devm_region_release, "devm_region_release");

function devm_region_match(_dev: Device, res: RegionDevres, match_data: unknown): boolean {
  const m = match_data as RegionDevres;
  return res.parent === m.parent && res.start === m.start && res.n === m.n;
}

/**
 * __devm_request_region(dev, parent, start, n, name): node (24 bytes) first, then
 * __request_region; on a conflict the node is freed silently and NULL returned.
 */
export function __devm_request_region(
  dev: Device,
  parent: Resource,
  start: number,
  n: number,
  name: string,
): Resource | null {
  const k = dev.kernel;
  const dr = devres_alloc(
    dev,
    devm_region_release,
    24,
    GFP_KERNEL,
    { parent, start, n } as RegionDevres,
    "__devm_request_region+0x3a/0xc0",
  );
  if (dr === null) return null;
  const tree = parent === k.ioport.root ? k.ioport : k.iomem;
  const res = tree.__request_region(parent, start, n, name, 0);
  if (res !== null) devres_add(dev, dr);
  else devres_free(dev, dr, "__devm_request_region+0xa0/0xc0");
  return res;
}

/** devm_request_region(dev, start, n, name): I/O ports. */
export function devm_request_region(
  dev: Device,
  start: number,
  n: number,
  name: string,
): Resource | null {
  return __devm_request_region(dev, dev.kernel.ioport.root, start, n, name);
}

/** devm_request_mem_region(dev, start, n, name): MMIO. */
export function devm_request_mem_region(
  dev: Device,
  start: number,
  n: number,
  name: string,
): Resource | null {
  return __devm_request_region(dev, dev.kernel.iomem.root, start, n, name);
}

/** __devm_release_region(): __release_region, then devres_destroy (REM; WARN if absent). */
export function __devm_release_region(
  dev: Device,
  parent: Resource,
  start: number,
  n: number,
): void {
  const k = dev.kernel;
  const tree = parent === k.ioport.root ? k.ioport : k.iomem;
  tree.__release_region(parent, start, n);
  if (
    devres_destroy(
      dev,
      devm_region_release,
      devm_region_match,
      { parent, start, n },
      "__devm_release_region+0x5a/0x80",
    ) !== 0
  )
    k.warn("kernel/resource.c", "__devm_release_region");
}

export function devm_release_region(dev: Device, start: number, n: number): void {
  __devm_release_region(dev, dev.kernel.ioport.root, start, n);
}

export function devm_release_mem_region(dev: Device, start: number, n: number): void {
  __devm_release_region(dev, dev.kernel.iomem.root, start, n);
}
