import type { Kernel } from "../kernel/kernel.js";
import { EBUSY, EINVAL, ENOMEM } from "../kernel/errno.js";
import { GFP_KERNEL } from "../kernel/gfp.js";
import { hex } from "../kernel/address.js";
import { sym } from "../kernel/symbols.js";
import type { Task } from "../kernel/task.js";
import type { SlabObject } from "../mm/slab.js";

export const IRQF_TRIGGER_RISING = 0x1;
export const IRQF_TRIGGER_FALLING = 0x2;
export const IRQF_TRIGGER_HIGH = 0x4;
export const IRQF_TRIGGER_LOW = 0x8;
export const IRQF_TRIGGER_MASK = 0xf;
export const IRQF_SHARED = 0x80;
export const IRQF_PROBE_SHARED = 0x100;
export const IRQF_ONESHOT = 0x2000;
export const IRQF_NO_THREAD = 0x10000;

export const IRQ_NONE = 0;
export const IRQ_HANDLED = 1;
export const IRQ_WAKE_THREAD = 2;
export type IrqReturn = number;

/** irq_handler_t: `irqreturn_t (*)(int irq, void *dev_id)`. */
export type IrqHandler = (irq: number, dev_id: unknown) => IrqReturn;

/** Number of interrupt lines the simulator knows (NR_IRQS). */
export const NR_IRQS = 1024;

/** struct irqaction */
export class IrqAction {
  /** Times the handler ran. */
  count = 0;
  /** Set once free_irq() removed it. */
  freed = false;
  thread: Task | null = null;

  constructor(
    readonly irq: number,
    readonly handler: IrqHandler,
    readonly thread_fn: IrqHandler | null,
    readonly flags: number,
    readonly name: string,
    readonly dev_id: unknown,
    readonly obj: SlabObject,
  ) {}
}

/** struct irq_desc, reduced: the action chain, trigger type, disable depth, statistics. */
export class IrqDesc {
  readonly actions: IrqAction[] = [];
  /** Trigger type once set by the first requester (irqd_trigger_type_was_set). */
  trigger: number | null = null;
  /** disable_irq() depth. */
  depth = 0;
  /** Interrupts raised while disabled, delivered on enable_irq. */
  pending = 0;
  /** Handler currently running (synchronize_irq waits for it). */
  inProgress = false;
  /** Raised with no handler or all handlers returned IRQ_NONE. */
  unhandled = 0;
  /** Times raised. */
  count = 0;
  constructor(readonly irq: number) {}
}

function irq_default_primary_handler(): IrqReturn {
  return IRQ_WAKE_THREAD;
}

/**
 * Interrupt lines (kernel/irq/manage.c): request_threaded_irq() with IRQF_SHARED rules and
 * trigger/oneshot agreement, free_irq() with synchronize and the CONFIG_DEBUG_SHIRQ extra call,
 * "Trying to free already-free IRQ" WARN, and raise() to deliver an interrupt to the handlers
 * (irq:irq_handler_entry / irq_handler_exit, then the threaded handler if woken).
 */
export class IrqCore {
  private readonly descs = new Map<number, IrqDesc>();
  /** Next dynamically allocated vector (MSI). */
  private nextDynamic = 24;
  /** Hard-IRQ nesting depth (in_interrupt()). */
  hardirqDepth = 0;

  constructor(private readonly k: Kernel) {}

  desc(irq: number): IrqDesc | null {
    if (!Number.isInteger(irq) || irq < 0 || irq >= NR_IRQS) return null;
    let d = this.descs.get(irq);
    if (d === undefined) {
      d = new IrqDesc(irq);
      this.descs.set(irq, d);
    }
    return d;
  }

  /** irq_domain_alloc_irqs for MSI: the next free Linux irq number above the legacy ones. */
  allocVector(): number {
    // kernel/irq/irqdesc.c :: irq_alloc_descs → the first free number from the dynamic base
    // (bitmap_find_next_zero_area), so numbers freed with their MSI vectors are reused.
    let irq = this.nextDynamic;
    while (this.allocatedVectors.has(irq) || (this.descs.get(irq)?.actions.length ?? 0) > 0) irq++;
    this.allocatedVectors.add(irq);
    return irq;
  }

  /** Linux irqs handed out for MSI/MSI-X and not yet freed. */
  private readonly allocatedVectors = new Set<number>();

  /** irq_free_descs for a vector allocated by allocVector (pci_free_irq_vectors). */
  freeVector(irq: number): void {
    this.allocatedVectors.delete(irq);
  }

  /** request_threaded_irq(irq, handler, thread_fn, irqflags, devname, dev_id): 0 or -errno. */
  request_threaded_irq(
    irq: number,
    handler: IrqHandler | null,
    thread_fn: IrqHandler | null,
    irqflags: number,
    devname: string,
    dev_id: unknown,
  ): number {
    const k = this.k;
    if ((irqflags & IRQF_SHARED) !== 0 && (dev_id === null || dev_id === undefined)) return -EINVAL;
    const desc = this.desc(irq);
    if (desc === null) return -EINVAL;
    if (handler === null) {
      if (thread_fn === null) return -EINVAL;
      handler = irq_default_primary_handler;
      if ((irqflags & IRQF_ONESHOT) === 0) {
        k.printk(
          3,
          `genirq: Threaded irq requested with handler=NULL and !ONESHOT for ${devname} (irq ${irq})`,
        );
        return -EINVAL;
      }
    }
    if (k.faults.shouldFail("irq")) return -EBUSY;
    const obj = k.slab.kzalloc(128, GFP_KERNEL, "request_threaded_irq+0xc1/0x170");
    if (obj === null) return -ENOMEM;
    const action = new IrqAction(irq, handler, thread_fn, irqflags, devname, dev_id, obj);
    // __setup_irq: a second action on the line must agree on sharing, trigger and oneshot.
    const old = desc.actions[0];
    if (old !== undefined) {
      const oldtype = desc.trigger ?? irqflags & IRQF_TRIGGER_MASK;
      if (desc.trigger === null) desc.trigger = oldtype;
      const mismatch =
        (old.flags & irqflags & IRQF_SHARED) === 0 ||
        oldtype !== (irqflags & IRQF_TRIGGER_MASK) ||
        (old.flags & IRQF_ONESHOT) !== (irqflags & IRQF_ONESHOT);
      if (mismatch) {
        if ((irqflags & IRQF_PROBE_SHARED) === 0) {
          k.printk(
            3,
            `genirq: Flags mismatch irq ${irq}. ${hex(irqflags, 8)} (${devname}) vs. ${hex(old.flags, 8)} (${old.name})`,
          );
        }
        k.slab.kfree(obj, "request_threaded_irq+0x12c/0x170");
        return -EBUSY;
      }
    } else if ((irqflags & IRQF_TRIGGER_MASK) !== 0) {
      desc.trigger = irqflags & IRQF_TRIGGER_MASK;
    }
    if (thread_fn !== null) action.thread = k.task(`irq/${irq}-${devname}`.slice(0, 15), 0);
    desc.actions.push(action);
    k.tick(2000);
    return 0;
  }

  /** request_irq(): request_threaded_irq without a thread. */
  request_irq(
    irq: number,
    handler: IrqHandler,
    flags: number,
    name: string,
    dev_id: unknown,
  ): number {
    return this.request_threaded_irq(irq, handler, null, flags, name, dev_id);
  }

  /**
   * free_irq(irq, dev_id): remove the action, wait for running handlers, call a shared handler
   * once more under CONFIG_DEBUG_SHIRQ, free the action. Returns the devname, or null with a
   * WARN when no such action exists.
   */
  free_irq(irq: number, dev_id: unknown): string | null {
    const k = this.k;
    return k.call("free_irq", () => {
      const desc = this.desc(irq);
      if (desc === null) {
        k.warn("kernel/irq/manage.c", "free_irq", `Trying to free already-free IRQ ${irq}`);
        return null;
      }
      if (this.hardirqDepth > 0)
        k.warn("kernel/irq/manage.c", "free_irq", `Trying to free IRQ ${irq} from IRQ context!`);
      const i = desc.actions.findIndex((a) => a.dev_id === dev_id);
      const action = desc.actions[i];
      if (action === undefined) {
        k.warn("kernel/irq/manage.c", "__free_irq", `Trying to free already-free IRQ ${irq}`);
        return null;
      }
      desc.actions.splice(i, 1);
      if (desc.actions.length === 0) desc.trigger = null;
      // synchronize_hardirq(): handlers run to completion in the simulator, nothing to wait for.
      if (k.config.debugShirq && (action.flags & IRQF_SHARED) !== 0) {
        // kernel/irq/manage.c :: __free_irq — "the driver ought to be prepared for an IRQ event
        // to happen even now it's being freed": call the handler once more.
        this.invoke(action, irq);
      }
      action.freed = true;
      k.slab.kfree(null, "free_irq+0x1b6/0x340"); // action->secondary
      k.slab.kfree(action.obj, "free_irq+0x1c2/0x340");
      return action.name;
    });
  }

  /** disable_irq(): nested; raised interrupts stay pending until enable_irq(). */
  disable_irq(irq: number): void {
    const d = this.desc(irq);
    if (d !== null) d.depth++;
  }

  enable_irq(irq: number): void {
    const d = this.desc(irq);
    if (d === null) return;
    if (d.depth === 0) {
      this.k.warn("kernel/irq/manage.c", "__enable_irq", `Unbalanced enable for IRQ ${irq}`);
      return;
    }
    d.depth--;
    if (d.depth === 0 && d.pending > 0) {
      const n = d.pending;
      d.pending = 0;
      for (let i = 0; i < n; i++) this.raise(irq);
    }
  }

  /** synchronize_irq(): handlers never run concurrently here; kept for API symmetry. */
  synchronize_irq(irq: number): void {
    const d = this.desc(irq);
    if (d !== null && d.inProgress)
      this.k.warn(
        "kernel/irq/manage.c",
        "synchronize_irq",
        `synchronize_irq(${irq}) from its own handler would deadlock`,
      );
  }

  /**
   * Deliver one interrupt on `irq` (what the device asserting its line does): every action's
   * handler runs in hard-IRQ context on the current CPU; IRQ_WAKE_THREAD runs the threaded
   * handler right after, as the irq thread. Returns IRQ_HANDLED if any handler claimed it.
   */
  raise(irq: number): IrqReturn {
    const d = this.desc(irq);
    if (d === null) return IRQ_NONE;
    d.count++;
    if (d.depth > 0) {
      d.pending++;
      return IRQ_NONE;
    }
    let ret = IRQ_NONE;
    const woken: IrqAction[] = [];
    d.inProgress = true;
    try {
      for (const action of d.actions.slice()) {
        const r = this.invoke(action, irq);
        ret |= r & IRQ_HANDLED;
        if ((r & IRQ_WAKE_THREAD) !== 0 && action.thread_fn !== null) woken.push(action);
      }
    } finally {
      d.inProgress = false;
    }
    for (const action of woken) {
      const fn = action.thread_fn as IrqHandler;
      const r = this.k.runAs(action.thread as Task, () =>
        this.k.call(this.k.fnName(fn, "irq_thread_fn"), () => fn(irq, action.dev_id)),
      );
      ret |= r & IRQ_HANDLED;
    }
    if (ret === IRQ_NONE) d.unhandled++;
    return ret;
  }

  /** The actions on a line (for inspection). */
  actions(irq: number): readonly IrqAction[] {
    return this.descs.get(irq)?.actions ?? [];
  }

  private invoke(action: IrqAction, irq: number): IrqReturn {
    const k = this.k;
    this.hardirqDepth++;
    try {
      if (k.tracing.irq) k.emit({ kind: "irq", phase: "entry", irq, name: action.name }, "d.h..");
      action.count++;
      k.callStack.push(sym(k.fnName(action.handler, "irq_handler")));
      let r: IrqReturn;
      try {
        r = action.handler(irq, action.dev_id);
      } finally {
        k.callStack.pop();
      }
      if (k.tracing.irq)
        k.emit(
          {
            kind: "irq",
            phase: "exit",
            irq,
            ret: (r & IRQ_HANDLED) !== 0 ? "handled" : "unhandled",
          },
          "d.h..",
        );
      k.tick(500);
      return r;
    } finally {
      this.hardirqDepth--;
    }
  }
}
