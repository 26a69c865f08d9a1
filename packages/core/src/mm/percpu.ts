import type { Kernel } from "../kernel/kernel.js";
import type { PercpuPtr } from "../devres/devm-memory.js";

/**
 * The per-CPU allocator (mm/percpu.c), reduced to what devm_alloc_percpu needs: aligned areas
 * in the percpu address space, a free that checks the area is live.
 */
export class PercpuAllocator {
  private next = 0x30000;
  /** Live areas, bytes per CPU. */
  liveBytes = 0;

  constructor(private readonly k: Kernel) {}

  alloc(size: number, align: number): PercpuPtr | null {
    if (size <= 0 || size > 32768 || (align & (align - 1)) !== 0) {
      this.k.warn(
        "mm/percpu.c",
        "pcpu_alloc",
        `illegal size (${size}) or align (${align}) for percpu allocation`,
      );
      return null;
    }
    if (this.k.faults.shouldFail("kmalloc")) return null;
    const a = Math.max(align, 1);
    const addr = Math.ceil(this.next / a) * a;
    this.next = addr + size;
    this.liveBytes += size;
    return { addr, size, live: true };
  }

  free(p: PercpuPtr): void {
    if (!p.live) {
      this.k.warn(
        "mm/percpu.c",
        "free_percpu",
        `free_percpu: area 0x${p.addr.toString(16)} already free`,
      );
      return;
    }
    p.live = false;
    this.liveBytes -= p.size;
  }
}
