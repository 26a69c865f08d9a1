import type { Device } from "../base/device.js";
import { ENOMEM } from "../kernel/errno.js";
import { GFP_KERNEL } from "../kernel/gfp.js";
import { devres_add, devres_alloc, devres_free, devres_release } from "../devres/devres.js";
import type { IrqHandler } from "./irq-core.js";
import { named } from "../kernel/kernel-name.js";

/** struct irq_devres {irq, dev_id} (16 bytes). */
interface IrqDevres {
  irq: number;
  dev_id: unknown;
}

/** devm_irq_release(): free_irq(irq, dev_id). */
export function devm_irq_release(dev: Device, res: IrqDevres): void {
  dev.kernel.irq.free_irq(res.irq, res.dev_id);
}
named(devm_irq_release, "devm_irq_release");

function devm_irq_match(_dev: Device, res: IrqDevres, data: unknown): boolean {
  const m = data as IrqDevres;
  return res.irq === m.irq && res.dev_id === m.dev_id;
}

/**
 * devm_request_threaded_irq(dev, irq, handler, thread_fn, irqflags, devname, dev_id)
 * (kernel/irq/devres.c): node (16 bytes) first; devname NULL → dev_name(dev); on error the node
 * is freed and the error returned; on success `devm_irq_release` is added.
 */
export function devm_request_threaded_irq(
  dev: Device,
  irq: number,
  handler: IrqHandler | null,
  thread_fn: IrqHandler | null,
  irqflags: number,
  devname: string | null,
  dev_id: unknown,
): number {
  const k = dev.kernel;
  const dr = devres_alloc(
    dev,
    devm_irq_release,
    16,
    GFP_KERNEL,
    { irq, dev_id } as IrqDevres,
    "devm_request_threaded_irq+0x47/0xd0",
  );
  if (dr === null) return -ENOMEM;
  const rc = k.call("request_threaded_irq", () =>
    k.irq.request_threaded_irq(irq, handler, thread_fn, irqflags, devname ?? dev.name, dev_id),
  );
  if (rc !== 0) {
    devres_free(dev, dr, "devm_request_threaded_irq+0xaa/0xd0");
    return rc;
  }
  devres_add(dev, dr);
  return 0;
}

/** devm_request_irq(dev, irq, handler, irqflags, devname, dev_id) */
export function devm_request_irq(
  dev: Device,
  irq: number,
  handler: IrqHandler,
  irqflags: number,
  devname: string | null,
  dev_id: unknown,
): number {
  return devm_request_threaded_irq(dev, irq, handler, null, irqflags, devname, dev_id);
}

/** devm_free_irq(dev, irq, dev_id): devres_release (REM) → free_irq; WARN when not managed. */
export function devm_free_irq(dev: Device, irq: number, dev_id: unknown): void {
  if (devres_release(dev, devm_irq_release, devm_irq_match, { irq, dev_id }) !== 0)
    dev.kernel.warn("kernel/irq/devres.c", "devm_free_irq");
}

/** request_irq / free_irq for unmanaged use, device first for symmetry with the devm forms. */
export function request_irq(
  dev: Device,
  irq: number,
  handler: IrqHandler,
  flags: number,
  name: string,
  dev_id: unknown,
): number {
  return dev.kernel.irq.request_irq(irq, handler, flags, name, dev_id);
}
export function free_irq(dev: Device, irq: number, dev_id: unknown): string | null {
  return dev.kernel.irq.free_irq(irq, dev_id);
}
