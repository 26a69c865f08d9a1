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
  readonly injected: Record<FaultKind, number> = {
    kmalloc: 0,
    pages: 0,
    dma: 0,
    ioremap: 0,
    irq: 0,
  };
  private armed = 0;

  /** Fail `times` calls of `kind` after letting `skip` calls succeed. */
  failNext(kind: FaultKind, times = 1, skip = 0): void {
    this.plans.set(kind, { skip, fail: times });
    this.armed = this.plans.size + (this.nth !== null ? 1 : 0);
  }

  clear(kind?: FaultKind): void {
    if (kind === undefined) {
      this.plans.clear();
      this.nth = null;
    } else this.plans.delete(kind);
    this.armed = this.plans.size + (this.nth !== null ? 1 : 0);
  }

  /** failslab-style numbered plan: which call (1-based) of the counted kinds fails. */
  private nth: { n: number; kinds: ReadonlySet<FaultKind>; seen: number } | null = null;

  /**
   * Count every allocation of `kinds` from now on and fail the `n`-th one (1-based), once — the
   * way failslab with `times=1` and a `space` window picks one allocation. `n = Infinity`
   * only counts (a dry run that numbers a probe's acquisitions).
   */
  failNth(
    n: number,
    kinds: readonly FaultKind[] = ["kmalloc", "pages", "dma", "ioremap", "irq"],
  ): void {
    this.nth = { n, kinds: new Set(kinds), seen: 0 };
    this.armed = this.plans.size + 1;
  }

  /** Allocations the numbered plan has counted so far (0 when none is armed). */
  get counted(): number {
    return this.nth?.seen ?? 0;
  }

  /** Stop the numbered plan; returns how many allocations it counted. */
  stopNth(): number {
    const seen = this.nth?.seen ?? 0;
    this.nth = null;
    this.armed = this.plans.size;
    return seen;
  }

  /** Called by the allocators: true when this call must fail. */
  shouldFail(kind: FaultKind): boolean {
    if (this.armed === 0) return false;
    const nth = this.nth;
    if (nth !== null && nth.kinds.has(kind)) {
      nth.seen++;
      if (nth.seen === nth.n) {
        this.injected[kind]++;
        return true;
      }
    }
    const p = this.plans.get(kind);
    if (p === undefined) return false;
    if (p.skip > 0) {
      p.skip--;
      return false;
    }
    p.fail--;
    if (p.fail <= 0) {
      this.plans.delete(kind);
      this.armed = this.plans.size + (this.nth !== null ? 1 : 0);
    }
    this.injected[kind]++;
    return true;
  }
}
