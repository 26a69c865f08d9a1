import type { Kernel } from "@devscope/core";

/**
 * Fault injection in probe, the way failslab numbers allocations (the captured Debian kernel
 * has no CONFIG_FAILSLAB): every acquisition the kernel makes while the plan is armed — slab,
 * pages, DMA, ioremap, IRQ — is counted, and the n-th fails once.
 */
export function countAcquisitions<T>(k: Kernel, fn: () => T): { result: T; count: number } {
  k.faults.failNth(Number.POSITIVE_INFINITY);
  try {
    const result = fn();
    return { result, count: k.faults.counted };
  } finally {
    k.faults.stopNth();
  }
}

/** Run `fn` with the `n`-th acquisition (1-based) failing. Returns fn's result and whether it fired. */
export function failAcquisition<T>(
  k: Kernel,
  n: number,
  fn: () => T,
): { result: T; injected: boolean } {
  k.faults.failNth(n);
  try {
    const result = fn();
    return { result, injected: k.faults.counted >= n };
  } finally {
    k.faults.stopNth();
  }
}
