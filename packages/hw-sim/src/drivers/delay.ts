import type { Kernel } from "@devscope/core";

/**
 * udelay()/usleep_range() in simulated driver code: time passes on the kernel clock and the
 * hardware gets to run (a polling loop waiting for a device bit needs the device to act).
 */
export function udelay(k: Kernel, us: number): void {
  k.advance(us * 1000);
  if (k.hardwareHook !== null) k.hardwareHook();
}
