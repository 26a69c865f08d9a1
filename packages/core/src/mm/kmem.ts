import type { Kernel } from "../kernel/kernel.js";
import { rawAddr } from "../kernel/address.js";
import { NODE, type DevresNode } from "../devres/devres-node.js";
import { SlabObject } from "./slab.js";

/** The object behind ZERO_SIZE_PTR: no bytes, never freed; any access is out of bounds. */
const ZERO_SIZE_OBJECT = new SlabObject(16, 0, 0, 0, {
  comm: "swapper/0",
  pid: 0,
  ns: 0,
  site: "",
  stack: [],
});

/**
 * A pointer to kernel memory the simulator hands out (kmalloc, devm_kmalloc, dma_pool_alloc
 * vaddr...): the slab object it lives in, the offset of the pointer inside it and the usable
 * size. `data` is the driver's typed view of the memory (its struct). Accesses that should be
 * checked go through read()/write(), which KASAN-check against the object's current state, so
 * a driver touching freed devm memory gets the report the real kernel would print.
 */
export class KMem<T = undefined> {
  [NODE]?: DevresNode;

  constructor(
    readonly kernel: Kernel,
    readonly obj: SlabObject,
    /** Offset of this pointer from the start of the slab object, bytes (40 for devm memory). */
    readonly offset: number,
    /** Usable bytes behind the pointer. */
    public size: number,
    public data: T,
  ) {}

  /** Physical address of the pointer. */
  get addr(): number {
    return this.obj.addr + this.offset;
  }

  /** `%px` text of the pointer. */
  get raw(): string {
    return rawAddr(this.addr);
  }

  /** True while the memory is allocated. */
  get live(): boolean {
    return this.obj.live;
  }

  /** A checked read of `size` bytes at `off` by function `ip` (`%pS`; default: innermost simulated function). */
  read(off = 0, size = 8, ip?: string): boolean {
    return this.kernel.kasan.check(
      this.obj,
      this.offset + off,
      size,
      false,
      ip ?? this.kernel.caller("unknown_function"),
    );
  }

  /** A checked write of `size` bytes at `off`. */
  write(off = 0, size = 8, ip?: string): boolean {
    return this.kernel.kasan.check(
      this.obj,
      this.offset + off,
      size,
      true,
      ip ?? this.kernel.caller("unknown_function"),
    );
  }

  /** ZERO_OR_NULL_PTR() for a non-null pointer. */
  get isZeroSize(): boolean {
    return this.obj === ZERO_SIZE_OBJECT;
  }

  /** ZERO_SIZE_PTR as a KMem of this kernel. */
  static zeroSize<T>(k: Kernel, data: T): KMem<T> {
    return new KMem(k, ZERO_SIZE_OBJECT, 0, 0, data);
  }
}
