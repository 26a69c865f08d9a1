import { TRACE_SCHEMA, writeFtrace, writeJsonl, type TraceEvent } from "@devscope/tracer";
import {
  pci_register_driver,
  pci_unregister_driver,
  type Kernel,
  type KernelConfig,
  type PciDev,
  type PciDriver,
  type Task,
} from "@devscope/core";
import type { DmaFaultRecord } from "../dma/dma-fault.js";
import type { IommuMode } from "../dma/iommu.js";
import { Machine } from "../machine.js";

/** The real fix (or thread) a scenario reproduces. */
export interface ScenarioSource {
  kind: "commit" | "thread" | "reference";
  /** Commit id (12+ hex digits), message-id, or a short reference. */
  ref: string;
  /** Subject line / what it fixed. */
  subject: string;
}

/** What a scenario is, without running it: what the app lists and the CLI prints. */
export interface ScenarioMeta {
  id: string;
  title: string;
  /** The simulated device it exercises. */
  device: "nic" | "gpu";
  /** The simulated driver (and variant) it runs. */
  driver: string;
  source: ScenarioSource;
  /** Rule ids `devscope analyze` must report for its trace, sorted; [] = must be clean. */
  expectedRules: readonly string[];
  /** What happens, in two or three sentences. */
  description: string;
  /** Meaning and default of `--steps` for this scenario, if it takes one. */
  steps?: { meaning: string; default: number };
}

export interface ScenarioRunOptions {
  seed?: number;
  /** Cycles / failure points / frames, per the scenario's `steps` meaning. */
  steps?: number;
  /** false = no trace at all (benchmarks): only the machine's state and fault records. */
  trace?: boolean;
}

/** How a scenario wants its machine. */
export interface ScenarioEnv {
  kernel?: Partial<KernelConfig>;
  iommu?: IommuMode;
  version?: string;
}

export interface Scenario extends ScenarioMeta {
  env?: ScenarioEnv;
  script(ctx: ScenarioContext): void;
}

/** Simulated time units, ns. */
export const MS = 1_000_000;
export const US = 1_000;

/** What a run produced. */
export interface ScenarioResult {
  meta: ScenarioMeta;
  seed: number;
  machine: Machine;
  /** Trace events as `cat trace` would read them now. */
  events: TraceEvent[];
  /** Device accesses the DMA checker flagged, with allocation and free sites. */
  faults: DmaFaultRecord[];
  /** `cat /sys/kernel/tracing/trace`. */
  ftrace(): string;
  /** `dmesg`. */
  dmesg(): string;
  /** devscope JSONL of the same events. */
  jsonl(): string;
}

/**
 * What a scenario script works with: the machine and its kernel, user-space tasks the way the
 * capture scripts ran them (`init` writing sysfs and trace markers, `modprobe`, `ip`, a DRM
 * client), and step markers (`tracing_mark_write: scenario: …`) that also land in dmesg.
 */
export class ScenarioContext {
  readonly k: Kernel;
  /** The shell that drives the scenario (init, pid 1, as in the captures). */
  readonly sh: Task;

  constructor(
    readonly m: Machine,
    readonly steps: number,
  ) {
    this.k = m.kernel;
    this.sh = m.kernel.init;
  }

  /**
   * Announce a step: a trace marker from the shell (and its /dev/kmsg copy, as the captures
   * do), after `pauseNs` of idle time — the shell's pace between commands (the captures slept
   * a second between steps; 100 ms keeps the devices' background activity small).
   */
  step(text: string, pauseNs = 100 * MS): void {
    if (pauseNs > 0) this.idle(pauseNs);
    this.k.runAs(this.sh, () => {
      this.k.marker(`scenario: ${text}`);
      this.k.printk(5, `scenario: ${text}`);
    });
  }

  /** A new user-space process (`ip`, `modprobe`, `modetest`). */
  task(comm: string): Task {
    return this.k.task(comm);
  }

  /** Run `fn` as `task` (its system calls: the kernel code it reaches runs as that task). */
  as<T>(task: Task, fn: () => T): T {
    return this.k.runAs(task, fn);
  }

  /** `modprobe <module>`: load it and register its PCI driver (binding matching devices). */
  modprobe(pdrv: PciDriver): number {
    const t = this.task("modprobe");
    return this.as(t, () => {
      this.k.loadModule(pdrv.module ?? pdrv.name);
      return pci_register_driver(this.k, pdrv);
    });
  }

  /** `rmmod <module>`. */
  rmmod(pdrv: PciDriver): void {
    const t = this.task("rmmod");
    this.as(t, () => {
      pci_unregister_driver(this.k, pdrv);
      this.k.unloadModule(pdrv.module ?? pdrv.name);
    });
  }

  /** `echo <dev> > /sys/bus/pci/drivers/<drv>/unbind` by the shell. */
  unbind(pdev: PciDev, driver: string): number {
    return this.as(this.sh, () => this.k.core.unbind("pci", driver, pdev.name));
  }

  /** `echo <dev> > /sys/bus/pci/drivers/<drv>/bind` by the shell. */
  bind(pdev: PciDev, driver: string): number {
    return this.as(this.sh, () => this.k.core.bind("pci", driver, pdev.name));
  }

  /** The CPU idles while devices do their thing. */
  idle(ns: number): void {
    this.m.run(ns);
  }

  /** `count` events from a device, `intervalNs` apart (with the machine's jitter). */
  every(count: number, intervalNs: number, fn: (i: number) => void): void {
    let at = 0;
    for (let i = 0; i < count; i++) {
      // Uniform in [interval/2, 3·interval/2]: the mean spacing is the interval.
      at += Math.floor(intervalNs / 2) + this.m.rng.below(intervalNs + 1);
      const n = i;
      this.m.schedule(at, () => fn(n));
    }
  }

  /** Let `count` intervals pass so scheduled traffic happens. */
  settle(ns = 2 * MS): void {
    this.idle(ns);
  }
}

/** The trace events every scenario records: what the real captures enabled, plus irq. */
const SCENARIO_TRACE = {
  devres: true,
  kmem: true,
  irq: true,
  module: true,
  console: true,
  marker: true,
};

/** Build the machine a scenario asks for, run its script, and package what happened. */
export function runScenarioDef(s: Scenario, opts: ScenarioRunOptions = {}): ScenarioResult {
  const seed = opts.seed ?? 1;
  const traceOn = opts.trace !== false;
  const kernel: Partial<KernelConfig> = { consoleLoglevel: 8, drmDebug: 0x200, ...s.env?.kernel };
  const m = new Machine({
    seed,
    version: s.env?.version ?? "6.1",
    kernel,
    trace: traceOn ? SCENARIO_TRACE : false,
    ...(s.env?.iommu !== undefined ? { iommu: s.env.iommu } : {}),
  });
  const steps = opts.steps ?? s.steps?.default ?? 1;
  if (!Number.isInteger(steps) || steps < 1)
    throw new Error(
      `scenario ${s.id}: --steps must be a positive integer, got ${String(opts.steps)}`,
    );
  const ctx = new ScenarioContext(m, steps);
  ctx.step(`start ${s.id} seed=${seed}`);
  s.script(ctx);
  ctx.step(`end ${s.id}`);
  const meta: ScenarioMeta = metaOf(s);
  const events = traceOn ? m.kernel.readTrace() : [];
  return {
    meta,
    seed,
    machine: m,
    events,
    faults: m.faults,
    ftrace: () => writeFtrace(events, { cpus: m.kernel.config.cpus }).text,
    dmesg: () => m.kernel.dmesgText(),
    jsonl: () =>
      writeJsonl(
        {
          schema: TRACE_SCHEMA,
          source: {
            simulator: "devscope hw-sim",
            scenario: s.id,
            seed,
            kernel: m.kernel.version.text,
          },
        },
        events,
      ),
  };
}

export function metaOf(s: Scenario): ScenarioMeta {
  const out: ScenarioMeta = {
    id: s.id,
    title: s.title,
    device: s.device,
    driver: s.driver,
    source: s.source,
    expectedRules: s.expectedRules,
    description: s.description,
  };
  if (s.steps !== undefined) out.steps = s.steps;
  return out;
}
