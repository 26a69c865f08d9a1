import { classifyKernelLog, writeDmesg, writeFtrace, type TraceEvent } from "@devscope/tracer";
import { PointerHasher, hex } from "./address.js";
import { FaultInjector } from "./fault-inject.js";
import {
  kernelFeatures,
  parseKernelVersion,
  type KernelFeatures,
  type KernelVersion,
} from "./kernel-version.js";
import { explicitKernelName, kernelName } from "./kernel-name.js";
import { functionModule, ModuleRegistry, type KernelModule } from "./modules.js";
import { Prng } from "./prng.js";
import { sym } from "./symbols.js";
import type { Task } from "./task.js";
import {
  DEFAULT_TRACE_EVENTS,
  TraceBuffer,
  type EventPayload,
  type TraceEventsEnabled,
  type TraceSink,
} from "./trace-sink.js";
import { PageAllocator } from "../mm/page-alloc.js";
import { SlabHeap, type TaskStamp } from "../mm/slab.js";
import { Kasan } from "../mm/kasan.js";
import { PercpuAllocator } from "../mm/percpu.js";
import { ResourceTree, IORESOURCE_IO, IORESOURCE_MEM } from "../io/resource-tree.js";
import { MmioBus } from "../io/iomem.js";
import { IrqCore } from "../irq/irq-core.js";
import { DmaMappings } from "../dma/dma-mapping.js";
import { DriverCore } from "../base/driver-core.js";
import { ClkRegistry } from "../consumers/clk.js";
import { GpioRegistry } from "../consumers/gpio.js";
import { RegulatorRegistry } from "../consumers/regulator.js";

/** Kernel build and boot options that change behaviour (CONFIG_* and command-line parameters). */
export interface KernelConfig {
  /** CONFIG_DEBUG_DEVRES=y booted with devres.log=1: `DEVRES ADD ...` dev_err lines in dmesg. */
  debugDevres: boolean;
  /** drm.debug bitmask; 0x200 (DRM_UT_DRMRES) prints the drmres ADD/REL/DEL lines. */
  drmDebug: number;
  /** CONFIG_DEBUG_SHIRQ: free_irq() calls a shared handler once more after removing it. */
  debugShirq: boolean;
  /** DMAPOOL_DEBUG (CONFIG_SLUB_DEBUG_ON): poison and check dma_pool blocks, catch bad frees. */
  dmapoolDebug: boolean;
  /** CONFIG_KASAN (generic): report use-after-free / double free / out-of-bounds. */
  kasan: boolean;
  /**
   * KASAN quarantine, bytes: freed objects wait this long before reuse. 0 keeps SLUB's
   * immediate LIFO reuse (pointer reuse as in the non-KASAN captures).
   */
  kasanQuarantineBytes: number;
  /** console_loglevel (`loglevel=`): printk levels below it reach the console (printk:console). */
  consoleLoglevel: number;
  /** CONFIG_DEBUG_TEST_DRIVER_REMOVE: probe, remove, probe again on every bind. */
  debugTestDriverRemove: boolean;
  /** CONFIG_DMA_API_DEBUG: check dma_free_coherent/unmap arguments against the live mappings. */
  dmaApiDebug: boolean;
  /** CONFIG_PINCTRL: really_probe binds pins (the devm_kzalloc 40 + devm_pinctrl_release pair). */
  pinctrl: boolean;
  /** Simulated RAM, bytes. */
  memBytes: number;
  /** Number of CPUs (`#P:` in the trace header). */
  cpus: number;
}

export const DEFAULT_KERNEL_CONFIG: KernelConfig = {
  debugDevres: false,
  drmDebug: 0,
  debugShirq: false,
  dmapoolDebug: false,
  kasan: true,
  kasanQuarantineBytes: 0,
  consoleLoglevel: 7,
  debugTestDriverRemove: false,
  dmaApiDebug: false,
  pinctrl: true,
  memBytes: 3 * 2 ** 30,
  cpus: 2,
};

export interface KernelOptions {
  /** Kernel version whose behaviour to follow (`6.1`, `6.6`, `6.13`...). Default 6.1. */
  version?: string;
  /** Seed for pointer hashing, timing jitter and anything random. Default 1. */
  seed?: number;
  /** Clock value at creation, ns. Default 3 s (after boot, like the captures). */
  startNs?: number;
  config?: Partial<KernelConfig>;
  /** Trace events to record; `false` turns tracing off entirely (fastest). */
  trace?: Partial<TraceEventsEnabled> | false;
  /** Where trace events go; default an in-memory TraceBuffer (`kernel.trace`). */
  sink?: TraceSink;
}

/** A BUG() in the simulated kernel: the simulation cannot continue past it. */
export class KernelBug extends Error {
  constructor(
    message: string,
    readonly location: string,
  ) {
    super(`kernel BUG at ${location}: ${message}`);
    this.name = "KernelBug";
  }
}

/** A WARN() the kernel printed (also in dmesg as a `report` event). */
export interface KernelWarning {
  ns: number;
  /** `WARNING: CPU: 0 PID: 1 at drivers/base/devres.c:1083 devm_kfree+0x4a/0x60` */
  title: string;
  /** Message printed before the WARNING line, if any. */
  message?: string;
  func: string;
}

const NO_TRACE: TraceEventsEnabled = {
  devres: false,
  kmem: false,
  irq: false,
  module: false,
  console: false,
  marker: false,
};

/**
 * One simulated Linux kernel. Everything lives on the instance (no globals), so two kernels
 * can run side by side. Subsystems: clock, tasks, printk/dmesg, tracing, page allocator, slab
 * + KASAN, iomem/ioport resources, IRQ lines, DMA mappings, modules and the driver core.
 */
export class Kernel {
  readonly version: KernelVersion;
  readonly features: KernelFeatures;
  readonly config: KernelConfig;
  readonly seed: number;
  /** `uname -r`-like text used in reports. */
  readonly release: string;
  readonly rng: Prng;
  readonly clock: { now: number };
  /** Enabled trace events (all false when tracing is off). */
  readonly tracing: TraceEventsEnabled;
  /** The trace sink; a TraceBuffer unless one was given. */
  readonly sink: TraceSink;
  /** The kernel log ring (what `dmesg` reads), events with `via: "dmesg"`. */
  readonly dmesg: TraceEvent[] = [];
  readonly warnings: KernelWarning[] = [];
  /** Task currently running (what `current` is in kernel code). */
  current: Task;
  /** Simulated call stack (`%pS` strings, outermost first) for reports and call sites. */
  readonly callStack: string[] = [];
  readonly faults = new FaultInjector();
  readonly modules = new ModuleRegistry();
  readonly pages: PageAllocator;
  readonly slab: SlabHeap;
  readonly kasan: Kasan;
  readonly percpu: PercpuAllocator;
  readonly iomem: ResourceTree;
  readonly ioport: ResourceTree;
  /** Device register windows (MMIO and I/O ports) that ioremap()/ioport_map() reach. */
  readonly mmio = new MmioBus();
  readonly irq: IrqCore;
  readonly dma: DmaMappings;
  readonly core: DriverCore;
  readonly clk: ClkRegistry;
  readonly gpio: GpioRegistry;
  readonly regulators: RegulatorRegistry;
  /** DRM core state: allocated minor numbers. */
  readonly drm = { minors: new Set<number>() };
  /** init (pid 1). */
  readonly init: Task;

  private readonly hasher: PointerHasher;
  private nextPid = 100;
  private readonly moduleOfEvent = new WeakMap<TraceEvent, KernelModule>();
  private readonly idle: Task[];

  constructor(opts: KernelOptions = {}) {
    this.version = parseKernelVersion(opts.version ?? "6.1");
    this.features = kernelFeatures(this.version);
    this.config = { ...DEFAULT_KERNEL_CONFIG, ...opts.config };
    this.seed = opts.seed ?? 1;
    this.release = `${this.version.major}.${this.version.minor}.0-sim #1`;
    this.rng = new Prng(this.seed);
    this.hasher = new PointerHasher(new Prng(this.seed ^ 0x5eed1e55));
    this.clock = { now: opts.startNs ?? 3_000_000_000 };
    this.tracing =
      opts.trace === false ? { ...NO_TRACE } : { ...DEFAULT_TRACE_EVENTS, ...opts.trace };
    if (!this.features.devresTracepoint) this.tracing.devres = false;
    this.sink = opts.sink ?? new TraceBuffer();
    this.idle = Array.from({ length: this.config.cpus }, (_, cpu) => ({
      comm: "<idle>",
      pid: 0,
      cpu,
    }));
    this.init = { comm: "init", pid: 1, cpu: 0 };
    this.current = this.init;
    this.pages = new PageAllocator(this, this.config.memBytes);
    this.slab = new SlabHeap(this);
    this.kasan = new Kasan(this);
    this.percpu = new PercpuAllocator(this);
    this.iomem = new ResourceTree(this, "PCI mem", 0, 2 ** 46 - 1, IORESOURCE_MEM);
    this.ioport = new ResourceTree(this, "PCI IO", 0, 0xffff, IORESOURCE_IO);
    this.irq = new IrqCore(this);
    this.dma = new DmaMappings(this);
    this.core = new DriverCore(this);
    this.clk = new ClkRegistry(this);
    this.gpio = new GpioRegistry(this);
    this.regulators = new RegulatorRegistry(this);
  }

  /** The in-memory trace buffer's events (throws if a custom sink was given). */
  get trace(): TraceBuffer {
    if (!(this.sink instanceof TraceBuffer))
      throw new Error("kernel.trace: a custom sink was given; read events from it");
    return this.sink;
  }

  // ---- time ----------------------------------------------------------------------------

  /** Let `baseNs` (plus deterministic jitter up to the same amount) pass: the cost of an operation. */
  tick(baseNs: number): void {
    this.clock.now += baseNs + (this.rng.u32() % (baseNs + 1));
    if (this.hardwareHook !== null) this.hardwareHook();
  }

  /**
   * Called after every tick: where simulated hardware (packages/hw-sim) lets time-driven device
   * activity happen — DMA, interrupts — while kernel code runs, as real devices do
   * asynchronously. The hook must not re-enter itself; null = no hardware.
   */
  hardwareHook: (() => void) | null = null;

  /**
   * Guest physical memory shared with simulated devices: when set, DMA buffers (DmaMapping.bytes)
   * are views of it, so device DMA and CPU accesses see the same bytes. Null = private buffers.
   */
  physmem: { view(phys: number, len: number): Uint8Array } | null = null;

  /** Let exactly `ns` pass (sleep, msleep...). */
  advance(ns: number): void {
    if (ns < 0) throw new Error(`kernel clock: cannot go back ${ns} ns`);
    this.clock.now += ns;
  }

  // ---- tasks ---------------------------------------------------------------------------

  /** A new task (`modprobe`, `kworker/u4:5`...) with the next pid; by default on CPU pid mod #CPUs. */
  task(comm: string, cpu?: number): Task {
    const pid = this.nextPid++;
    return { comm, pid, cpu: cpu ?? pid % this.config.cpus };
  }

  /**
   * Simulated code called a kernel API that does not exist in this kernel version (e.g.
   * drmm_release_action on 6.1): a scenario bug, reported as an exception naming both.
   */
  requireVersion(available: boolean, api: string, since: string): void {
    if (!available)
      throw new Error(`${api}() does not exist in Linux ${this.version.text} (added in v${since})`);
  }

  /** The idle task of a CPU (`<idle>-0`), for interrupts taken while idle. */
  idleTask(cpu = 0): Task {
    return this.idle[cpu] ?? (this.idle[0] as Task);
  }

  /** Run `fn` as `task` (the way a syscall or a kworker runs kernel code). */
  runAs<T>(task: Task, fn: () => T): T {
    const prev = this.current;
    this.current = task;
    try {
      return fn();
    } finally {
      this.current = prev;
    }
  }

  /** Run `fn` as function `name` on the simulated call stack (for call sites and reports). */
  call<T>(name: string, fn: () => T): T {
    this.callStack.push(sym(name));
    try {
      return fn();
    } finally {
      this.callStack.pop();
    }
  }

  /** Run `fn` with an exact `%pS` call site on the stack (`pinctrl_bind_pins+0x31/0x280`). */
  at<T>(site: string, fn: () => T): T {
    this.callStack.push(site);
    try {
      return fn();
    } finally {
      this.callStack.pop();
    }
  }

  /**
   * Function names the kernel took from JavaScript (`.name`, or the fallback of an anonymous
   * function) because the function carried no kernel name (`named()`, kernel-name.ts): a
   * minifying bundler would change them in the trace. Empty when every release, action,
   * handler, probe and remove function a run used was named.
   */
  readonly namesFromJs = new Set<string>();

  /** The kernel name of a simulated function (`named()`'s, else its JavaScript name, noted in `namesFromJs`). */
  fnName(fn: { readonly name: string }, fallback?: string): string {
    const explicit = explicitKernelName(fn);
    if (explicit !== undefined) return explicit;
    const js = kernelName(fn, fallback);
    this.namesFromJs.add(js);
    return js;
  }

  /** `%pS` of the innermost simulated function, or of `fallback` when the stack is empty. */
  caller(fallback: string): string {
    const top = this.callStack[this.callStack.length - 1];
    return top ?? sym(fallback);
  }

  /** Who/when/where stamp for KASAN tracks. */
  stamp(site: string): TaskStamp {
    return {
      comm: this.current.comm,
      pid: this.current.pid,
      ns: this.clock.now,
      site,
      stack: this.callStack.slice(),
    };
  }

  // ---- tracing and printk --------------------------------------------------------------

  /** Hashed `%p` text for a direct-map physical address. */
  ptr(phys: number): string {
    return this.hasher.token(phys);
  }

  /**
   * Trace time of "now": the clock in ns cut to the microsecond, the resolution ftrace and
   * printk print (`%5lu.%06lu`), so written traces read back to the same timestamps.
   */
  traceNs(): number {
    return this.clock.now - (this.clock.now % 1000);
  }

  /** Write one trace event from the current task and CPU. `flags` is the irq/preempt column. */
  emit(payload: EventPayload, flags: string): TraceEvent {
    // Every caller passes a fresh object literal: complete it in place (no copy, no garbage).
    const t = this.current;
    const ev = payload as TraceEvent;
    ev.ts = this.traceNs();
    ev.line = 0;
    ev.cpu = t.cpu;
    ev.task = t.comm;
    ev.pid = t.pid;
    ev.flags = flags;
    this.sink.emit(ev);
    return ev;
  }

  /**
   * printk(level, text) with level 0 = KERN_EMERG ... 7 = KERN_DEBUG. The line goes to the log
   * ring (dmesg) and, below console_loglevel, to the console — which printk:console traces.
   * The event a line becomes is decided by the tracer's own classifier (the one the importers
   * use), so a simulated line and the same real line are the same event.
   */
  printk(level: number, text: string): void {
    this.tick(400);
    const ts = this.traceNs();
    const fact = classifyKernelLog(text);
    this.dmesg.push({ ...fact, ts, line: 0, via: "dmesg" } as TraceEvent);
    if (level < this.config.consoleLoglevel && this.tracing.console) {
      const t = this.current;
      this.sink.emit({
        ...fact,
        ts,
        line: 0,
        cpu: t.cpu,
        task: t.comm,
        pid: t.pid,
        flags: "d....",
        via: "console",
      } as TraceEvent);
    }
  }

  /** Write a user marker (echo text > trace_marker). */
  marker(text: string): void {
    if (this.tracing.marker) this.emit({ kind: "marker", text }, ".....");
    this.tick(2000);
  }

  /** Remember which module instance an emitted event's name lives in (pre-6.13 name pointers). */
  noteModuleName(ev: TraceEvent, fn: object): KernelModule | undefined {
    const name = functionModule(fn);
    if (name === undefined) return undefined;
    const m = this.modules.get(name) ?? this.modules.load(name);
    this.moduleOfEvent.set(ev, m);
    return m;
  }

  /**
   * The trace as `cat trace` would print it now: names of events whose module has been
   * unloaded since are no longer readable (`(0xADDR)[UNSAFE-MEMORY]`).
   */
  readTrace(events: readonly TraceEvent[] = this.trace.events): TraceEvent[] {
    return events.map((ev) => {
      const m = this.moduleOfEvent.get(ev);
      if (m === undefined || m.loaded || ev.kind !== "devres" || ev.nameForm !== "module")
        return ev;
      const again = this.modules.get(m.name);
      if (again !== undefined && again.base === m.base) return ev;
      const addr = ev.nameAddr ?? "";
      return { ...ev, nameForm: "module-gone", name: addr };
    });
  }

  /** `cat /sys/kernel/tracing/trace` now: header and every recorded event (TraceBuffer sink). */
  traceText(): string {
    return writeFtrace(this.readTrace(), { cpus: this.config.cpus }).text;
  }

  /** `dmesg` now: the whole kernel log ring. */
  dmesgText(): string {
    return writeDmesg(this.dmesg).text;
  }

  // ---- modules -------------------------------------------------------------------------

  /** Load a module (module:module_load). Returns its instance. */
  loadModule(name: string): KernelModule {
    const had = this.modules.get(name);
    const m = this.modules.load(name);
    if (had === undefined && this.tracing.module)
      this.emit({ kind: "module", op: "load", module: name, taints: "" }, ".....");
    this.tick(5000);
    return m;
  }

  /** Unload a module (module:module_free). */
  unloadModule(name: string): void {
    if (this.modules.unload(name) !== undefined && this.tracing.module)
      this.emit({ kind: "module", op: "free", module: name }, ".....");
    this.tick(5000);
  }

  // ---- WARN / BUG ----------------------------------------------------------------------

  /**
   * WARN(): prints the optional message, then `WARNING: CPU: n PID: p at <file>:<line> <func>`
   * and a short call trace, and continues. Returns true so it reads like `if (WARN_ON(x))`.
   */
  warn(file: string, func: string, message?: string): true {
    const t = this.current;
    const line = 100 + (fnvLine(file + func) % 1900);
    const where = sym(func);
    const title = `WARNING: CPU: ${t.cpu} PID: ${t.pid} at ${file}:${line} ${where}`;
    if (message !== undefined) this.printk(4, message);
    this.printk(4, title);
    this.printk(4, `CPU: ${t.cpu} PID: ${t.pid} Comm: ${t.comm} Not tainted ${this.release}`);
    this.printk(4, "Call Trace:");
    for (const s of this.callStack.slice().reverse()) this.printk(4, ` ${s}`);
    this.printk(4, "---[ end trace 0000000000000000 ]---");
    const w: KernelWarning = { ns: this.clock.now, title, func: where };
    if (message !== undefined) w.message = message;
    this.warnings.push(w);
    return true;
  }

  /** BUG(): `kernel BUG at <file>!` then the simulation stops with a KernelBug. */
  bug(file: string, message: string): never {
    this.printk(0, `kernel BUG at ${file}!`);
    throw new KernelBug(message, file);
  }

  /** mm/page_alloc.c :: bad_page for a free of pages that are not allocated. */
  reportBadPage(phys: number, order: number, site: string, what: string): void {
    this.printk(
      1,
      `BUG: Bad page state in process ${this.current.comm}  pfn:${hex(phys / 4096, 5)}`,
    );
    this.printk(1, `page dumped because: free_pages order ${order} from ${site}: ${what}`);
  }
}

function fnvLine(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 0x01000193);
  return h >>> 0;
}
