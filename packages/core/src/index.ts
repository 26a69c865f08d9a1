// @devscope/core public API: a simulated Linux kernel (pure TypeScript, no Node built-ins).
// Kernel functions keep their kernel names and take the device first, so simulated drivers
// read like kernel C.

// kernel instance and basics
export * from "./kernel/kernel.js";
export * from "./kernel/kernel-version.js";
export * from "./kernel/errno.js";
export * from "./kernel/err-ptr.js";
export * from "./kernel/gfp.js";
export * from "./kernel/task.js";
export * from "./kernel/trace-sink.js";
export * from "./kernel/fault-inject.js";
export { moduleFunction, functionModule, KernelModule } from "./kernel/modules.js";
export { rawAddr, rawModuleAddr, hex } from "./kernel/address.js";
export { sym, symName } from "./kernel/symbols.js";
export { named, kernelName, explicitKernelName, KERNEL_NAME } from "./kernel/kernel-name.js";
export { kvsprintf, type PrintfArg } from "./kernel/printf.js";
export { siphash1u64, type SiphashKey } from "./kernel/siphash.js";
export { Prng } from "./kernel/prng.js";

// memory
export * from "./mm/page-alloc.js";
export * from "./mm/slab.js";
export * from "./mm/kmem.js";
export * from "./mm/kmalloc.js";
export * from "./mm/kasan.js";

// devres
export * from "./devres/devres-node.js";
export * from "./devres/devres.js";
export * from "./devres/devres-group.js";
export * from "./devres/devres-action.js";
export * from "./devres/devm-memory.js";

// driver core
export * from "./base/device.js";
export * from "./base/bus.js";
export * from "./base/driver.js";
export * from "./base/driver-core.js";
export * from "./base/core-api.js";
export {
  dev_printk,
  dev_err,
  dev_warn,
  dev_info,
  dev_crit,
  KERN_EMERG,
  KERN_ALERT,
  KERN_CRIT,
  KERN_ERR,
  KERN_WARNING,
  KERN_NOTICE,
  KERN_INFO,
  KERN_DEBUG,
} from "./base/dev-printk.js";
export * from "./base/pinctrl.js";

// I/O, IRQ, DMA
export * from "./io/resource-tree.js";
export * from "./io/iomem.js";
export * from "./io/devm-io.js";
export * from "./irq/irq-core.js";
export * from "./irq/devm-irq.js";
export * from "./irq/msi.js";
export * from "./dma/dma-mapping.js";
export * from "./dma/devm-dma.js";
export * from "./dma/dmapool.js";

// buses and subsystems
export * from "./pci/pci.js";
export * from "./pci/pcim.js";
export * from "./consumers/clk.js";
export * from "./consumers/gpio.js";
export * from "./consumers/regulator.js";
export * from "./drm/drm-managed.js";
export * from "./drm/drm-device.js";
export * from "./base/platform.js";
