/**
 * Fault injection in the spirit of CONFIG_FAILSLAB / CONFIG_FAIL_PAGE_ALLOC: make the next
 * allocations of a kind fail, to drive probe error paths (rollback, action_or_reset...).
 */
export type FaultKind = "kmalloc" | "pages" | "dma" | "ioremap" | "irq";

interface Plan {
  /** Calls to let through before failing. */
  skip: number;
  /** Calls to fail after that. */
  fail: number;
}

export class FaultInjector {
  private readonly plans = new Map<FaultKind, Plan>();
  /** Injected failures so far, per kind. */
  readonly injected: Record<FaultKind, number> = { kmalloc: 0, pages: 0, dma: 0, ioremap: 0, irq: 0 };
  private armed = 0;

  /** Fail `times` calls of `kind` after letting `skip` calls succeed. */
  failNext(kind: FaultKind, times = 1, skip = 0): void {
    this.plans.set(kind, { skip, fail: times });
    this.armed = this.plans.size;
  }

  clear(kind?: FaultKind): void {
    if (kind === undefined) this.plans.clear();
    else this.plans.delete(kind);
    this.armed = this.plans.size;
  }

  /** Called by the allocators: true when this call must fail. */
  shouldFail(kind: FaultKind): boolean {
    if (this.armed === 0) return false;
    const p = this.plans.get(kind);
    if (p === undefined) return false;
    if (p.skip > 0) {
      p.skip--;
      return false;
    }
    p.fail--;
    if (p.fail <= 0) {
      this.plans.delete(kind);
      this.armed = this.plans.size;
    }
    this.injected[kind]++;
    return true;
  }
}
