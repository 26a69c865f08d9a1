import {
  GFP_KERNEL,
  Kernel,
  Prng,
  type KernelConfig,
  type TraceEventsEnabled,
  type TraceSink,
} from "@devscope/core";
import { DmaCheckerReport } from "./dma/dma-checker-report.js";
import { DmarReporter } from "./dma/dma-report.js";
import type { DmaFaultRecord } from "./dma/dma-fault.js";
import { GuestMemory } from "./dma/guest-memory.js";
import { Iommu, type IommuMode } from "./dma/iommu.js";
import { EventQueue } from "./event-queue.js";
import { registerConfigBus } from "./pci/config-access.js";
import { PciBus } from "./pci/pci-bus.js";

export interface MachineOptions {
  /** Seed for the kernel (pointer hashes, timing jitter) and the hardware (arrival times, layout). */
  seed?: number;
  /** Kernel version whose behaviour to follow; default 6.1 (the real captures). */
  version?: string;
  kernel?: Partial<KernelConfig>;
  /** Trace events to record, or false for none (benchmarks). */
  trace?: Partial<TraceEventsEnabled> | false;
  sink?: TraceSink;
  /** How device DMA is translated and checked; default translate (VT-d). */
  iommu?: IommuMode;
  /** Clock at power-on (after boot), ns. */
  startNs?: number;
}

/**
 * The simulated computer: one Linux kernel (packages/core), guest RAM shared by its allocators
 * and the devices' DMA, an IOMMU-like checker, PCI bus 0 and a clock-driven event queue for
 * device activity. Hardware runs asynchronously to the kernel: device events fall due while
 * kernel code runs (every kernel tick polls the queue) or while the CPU idles (run()).
 * Everything is derived from the seed: same seed, same trace bytes.
 */
export class Machine {
  readonly kernel: Kernel;
  readonly memory = new GuestMemory();
  readonly iommu: Iommu;
  readonly dmar: DmarReporter;
  /** The checker's own KASAN-worded report of what a bad access hit (dma-checker-report.ts). */
  readonly checkerReport: DmaCheckerReport;
  readonly bus: PciBus;
  /** Hardware randomness (arrival jitter, boot-time memory layout), separate from the kernel's. */
  readonly rng: Prng;
  readonly seed: number;
  /** Every access the DMA checker flagged, in order. */
  readonly faults: DmaFaultRecord[] = [];
  private readonly queue = new EventQueue();
  private polling = false;

  constructor(opts: MachineOptions = {}) {
    this.seed = opts.seed ?? 1;
    this.rng = new Prng(this.seed ^ 0x0badc0de);
    const kopts: ConstructorParameters<typeof Kernel>[0] = {
      version: opts.version ?? "6.1",
      seed: this.seed,
      startNs: opts.startNs ?? 3_000_000_000,
    };
    if (opts.kernel !== undefined) kopts.config = opts.kernel;
    if (opts.trace !== undefined) kopts.trace = opts.trace;
    if (opts.sink !== undefined) kopts.sink = opts.sink;
    this.kernel = new Kernel(kopts);
    this.kernel.physmem = this.memory;
    this.iommu = new Iommu(this.kernel, opts.iommu ?? "translate");
    this.dmar = new DmarReporter(this.kernel);
    this.checkerReport = new DmaCheckerReport(this.kernel);
    this.bus = new PciBus(this);
    registerConfigBus(this.kernel, this.bus);
    // Boot-time allocations the simulation does not model one by one: a seed-dependent number
    // of pages, so physical (and DMA) addresses differ between seeds while behaviour does not.
    const pages = this.rng.below(97);
    for (let i = 0; i < pages; i++)
      this.kernel.pages.alloc(this.rng.below(3), GFP_KERNEL, "memblock_alloc");
    this.kernel.hardwareHook = () => this.poll();
  }

  /** `baseNs` plus up to the same again of seeded jitter, ns (device latencies). */
  jitter(baseNs: number): number {
    return baseNs + this.rng.below(baseNs + 1);
  }

  /** Run `fn` on the device side `delayNs` from now. */
  schedule(delayNs: number, fn: () => void): void {
    this.queue.push(this.kernel.clock.now + Math.max(0, delayNs), fn);
  }

  /** Device events waiting, count. */
  get pendingEvents(): number {
    return this.queue.size;
  }

  /**
   * Let due device events happen now, in the context of whatever the CPU is running. Not from
   * inside an interrupt handler (the interrupt is masked until it returns) and never nested.
   */
  poll(): void {
    if (
      this.polling ||
      this.queue.nextNs > this.kernel.clock.now ||
      this.kernel.irq.hardirqDepth > 0
    )
      return;
    this.polling = true;
    try {
      while (this.queue.nextNs <= this.kernel.clock.now)
        (this.queue.pop() as { run: () => void }).run();
    } finally {
      this.polling = false;
    }
  }

  /**
   * The CPU idles for `ns`: device events fall due in time order, each at its own time, and
   * interrupts are taken by the idle task (`<idle>-0`) as on a real machine.
   */
  run(ns: number): void {
    const k = this.kernel;
    const until = k.clock.now + ns;
    const idle = k.idleTask(0);
    while (this.queue.nextNs <= until) {
      const at = this.queue.nextNs;
      if (at > k.clock.now) k.clock.now = at;
      const ev = this.queue.pop();
      if (ev === undefined) break;
      this.polling = true;
      try {
        k.runAs(idle, ev.run);
      } finally {
        this.polling = false;
      }
    }
    if (until > k.clock.now) k.clock.now = until;
  }

  /**
   * @internal The DMA engines report here, after the IOMMU printed its fault (if it did); the
   * checker then prints its own report of what the access hit, once per target.
   */
  recordFault(r: DmaFaultRecord): void {
    this.faults.push(r);
    this.checkerReport.report(r);
  }
}
