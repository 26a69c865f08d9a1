import { EPROBE_DEFER, ENOMEM, errname } from "../kernel/errno.js";
import { dev_driver_string, type Device } from "./device.js";

/** printk levels (include/linux/kern_levels.h) */
export const KERN_EMERG = 0;
export const KERN_ALERT = 1;
export const KERN_CRIT = 2;
export const KERN_ERR = 3;
export const KERN_WARNING = 4;
export const KERN_NOTICE = 5;
export const KERN_INFO = 6;
export const KERN_DEBUG = 7;

/** dev_printk(level, dev, text): `<driver-or-bus> <dev_name>: text` into the kernel log. */
export function dev_printk(level: number, dev: Device, text: string): void {
  dev.kernel.printk(level, `${dev_driver_string(dev)} ${dev.name}: ${text}`);
}

export function dev_err(dev: Device, text: string): void {
  dev_printk(KERN_ERR, dev, text);
}
export function dev_warn(dev: Device, text: string): void {
  dev_printk(KERN_WARNING, dev, text);
}
export function dev_info(dev: Device, text: string): void {
  dev_printk(KERN_INFO, dev, text);
}
export function dev_crit(dev: Device, text: string): void {
  dev_printk(KERN_CRIT, dev, text);
}

/**
 * dev_err_probe(dev, err, text) (drivers/base/core.c): -EPROBE_DEFER stores the deferred-probe
 * reason and prints only at debug level; -ENOMEM prints nothing since ~v6.9; anything
 * else prints `error %pe: text`. Returns err.
 */
export function dev_err_probe(dev: Device, err: number, text: string): number {
  if (err === -EPROBE_DEFER) {
    dev.deferred_probe_reason = text;
  } else if (err !== -ENOMEM || !dev.kernel.features.devErrProbeSilentEnomem) {
    dev_err(dev, `error ${errname(err)}: ${text}`);
  }
  return err;
}
