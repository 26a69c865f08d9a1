/**
 * The devscope trace event model, schema version 1 (docs/trace-format.md is the prose form).
 *
 * One `TraceEvent` is one fact a kernel wrote: a devres_log tracepoint record, a kmalloc, a
 * console line, a DRM managed-resource debug line... Importers turn real kernel output into
 * these; the simulator (packages/core) produces them and writes them back out in the kernel's
 * own text formats. Every field that holds a quantity names its unit (ns, bytes).
 *
 * Rules for this file:
 * - Every event kind is a plain JSON-serialisable object; `kind` discriminates.
 * - Optional fields are omitted, never `undefined`, so JSONL round-trips byte for byte.
 * - Adding a kind or an optional field is a minor change; renaming or removing one bumps
 *   TRACE_SCHEMA_VERSION.
 */

/** Bumped on any incompatible change to the event model or JSONL layout. */
export const TRACE_SCHEMA_VERSION = 1;
export const TRACE_SCHEMA = `devscope.trace/${TRACE_SCHEMA_VERSION}` as const;

/** Where an event came from inside its file. All fields optional: dmesg has no cpu/task. */
export interface EventOrigin {
  /**
   * Timestamp in integer nanoseconds on the trace clock (ftrace `secs.usecs` x 1e9, dmesg
   * `[secs.usecs]` x 1e9). Exact for clocks below 2^53 ns (~104 days of uptime).
   * Events with no timestamp (dmesg without prefixes) carry -1.
   */
  ts: number;
  /** 1-based line number in the source file; 0 for events not read from a file. */
  line: number;
  /** Index into the analysis' input list when several files are merged; 0 otherwise. */
  src?: number;
  /** CPU number from `[NNN]`. */
  cpu?: number;
  /** Task comm as printed (`<...>` when the kernel's comm cache missed). */
  task?: string;
  pid?: number;
  /**
   * The ftrace irq/preempt flags column as printed (`d..1.`, `.....`, `dN...`); 5 characters
   * since v5.17 (4 before). Absent for dmesg and trace-cmd report lines without it.
   */
  flags?: string;
}

/** devres_log ops, as printed by `"%s %3s %p %s (%zu bytes)"` (drivers/base/devres.c :: devres_log). */
export type DevresOp = "ADD" | "REL" | "REM" | "REPLACE";

/**
 * How the resource name was printed. Names that live in module memory print through the
 * trace's `[UNSAFE-MEMORY]` path: `(0xADDR:name)[UNSAFE-MEMORY]` while the module is loaded,
 * `(0xADDR)[UNSAFE-MEMORY]` once it was unloaded before the trace was read.
 * trace-cmd report prints `op`/`name` as raw kernel pointers (`pointer`).
 */
export type NameForm = "plain" | "module" | "module-gone" | "null" | "pointer";

export interface DevresEvent extends EventOrigin {
  kind: "devres";
  /** dev_name() of the device whose list changed: `0000:00:1f.2`, `0:0:0:0`, `mmc0:4567`... */
  dev: string;
  op: DevresOp;
  /** The node (header) pointer as printed: hashed `%p` text or a raw `0xff...` address. */
  node: string;
  /**
   * Resource name: the release function's name (`devm_kzalloc_release`, `grp<`...).
   * For `module` form this is the recovered name; for `module-gone` and `pointer` forms it is
   * the printed address (the name itself is not in the trace).
   */
  name: string;
  /** Payload size in bytes as logged (0 for group markers). */
  size: number;
  /** Omitted when `plain`. */
  nameForm?: NameForm;
  /** Raw kernel address of the name string for `module`/`module-gone`/`pointer` forms. */
  nameAddr?: string;
  /** Raw op pointer when the op was recovered from a trace-cmd pointer (see README quirk). */
  opAddr?: string;
  /** Which kernel output carried it. Omitted for the `devres_log` tracepoint. */
  via?: "dmesg" | "console";
  /**
   * For ADD: `call_site` of the kmalloc that allocated this node (same pointer, same CPU,
   * shortly before), e.g. `pinctrl_bind_pins+0x31/0x280`: the real devm caller.
   */
  allocSite?: string;
  /** For ADD with an allocSite: kmalloc's `bytes_alloc` (node header + payload, rounded). */
  allocBytes?: number;
  /**
   * For REL/REM/REPLACE: `call_site` of the kfree that freed this node (same pointer, shortly
   * after), e.g. `release_nodes+0x4d/0x90`, `devm_kfree+0x3c/0x60`.
   */
  freeSite?: string;
  /**
   * Driver/bus part of the dev_printk prefix (`ahci`, `pci`) for the CONFIG_DEBUG_DEVRES
   * `DEVRES ...` dmesg/console form; omitted for the tracepoint.
   */
  driver?: string;
}

/** DRM managed resources (drivers/gpu/drm/drm_managed.c, printed with drm.debug=0x200). */
export type DrmresOp = "ADD" | "REL" | "DEL";

export interface DrmresEvent extends EventOrigin {
  kind: "drmres";
  /** Device name from the dev_printk prefix (`0000:00:06.0`); empty when the line had none. */
  dev: string;
  /** Driver/bus part of the prefix (`cirrus`, `bochs-drm`, `pci`), if printed. */
  driver?: string;
  op: DrmresOp;
  node: string;
  name: string;
  /** Bytes as logged. */
  size: number;
  via?: "dmesg" | "console";
  /**
   * The function in the `[drm:<func> [drm]]` prefix (`add_dr`, `drm_managed_release`,
   * `drmm_kfree`); omitted when it is the usual one for the op (ADD → add_dr,
   * REL → drm_managed_release, DEL → drmm_kfree).
   */
  func?: string;
}

/** `drmres release begin` / `drmres release end` around drm_managed_release(). */
export interface DrmresReleaseEvent extends EventOrigin {
  kind: "drmres_release";
  phase: "begin" | "end";
  dev?: string;
  driver?: string;
  via?: "dmesg" | "console";
  /**
   * The function in the `[drm:<func> [drm]]` prefix: `drm_managed_release` for begin; for end
   * the one that dropped the last reference (`devm_drm_dev_init_release`, `drm_dev_put`).
   */
  func?: string;
}

/** kmem:kmalloc (6.1 form carries node=; include/trace/events/kmem.h). */
export interface KmallocEvent extends EventOrigin {
  kind: "kmalloc";
  callSite: string;
  ptr: string;
  /** Bytes requested. */
  bytesReq: number;
  /** Bytes handed out (slab size class). */
  bytesAlloc: number;
  gfp: string;
  /** NUMA node (-1 = any). */
  numaNode?: number;
  accounted?: boolean;
  /**
   * Set only by an import that keeps few kmem events (keepKmem "evidence"): a later kmalloc or
   * kfree line of the same input that was not kept as an event names this `ptr`, so the
   * allocation was freed (or its address handed out again) before the trace ended. Importers
   * only ever write `true`.
   */
  freedLater?: boolean;
}

/** kmem:kfree. */
export interface KfreeEvent extends EventOrigin {
  kind: "kfree";
  callSite: string;
  ptr: string;
}

/** module:module_load / module:module_free. */
export interface ModuleEvent extends EventOrigin {
  kind: "module";
  op: "load" | "free";
  module: string;
  /** Taint flags printed after the name by module_load (may be empty). */
  taints?: string;
}

/** A user marker written to trace_marker (`tracing_mark_write:` / trace-cmd `print:`). */
export interface MarkerEvent extends EventOrigin {
  kind: "marker";
  text: string;
}

/**
 * A kernel log line that no more specific kind describes (printk:console text, or a dmesg
 * line). `dev`/`driver` are filled when the line has a dev_printk prefix.
 */
export interface LogEvent extends EventOrigin {
  kind: "log";
  text: string;
  dev?: string;
  driver?: string;
  via?: "dmesg" | "console";
}

/** `<drv>: probe of <dev> failed with error -N` (drivers/base/dd.c :: call_driver_probe). */
export interface ProbeFailedEvent extends EventOrigin {
  kind: "probe_failed";
  driver: string;
  dev: string;
  /** Negative errno as printed (-12 = -ENOMEM). */
  errno: number;
  /**
   * `dev` = the dev_err form of v6.10+ (`<drv> <dev>: probe with driver <drv> failed with
   * error -N`); omitted = the pr_warn form up to v6.9 (`<drv>: probe of <dev> failed ...`).
   */
  form?: "dev";
  via?: "dmesg" | "console";
}

/** `Resources present before probing` (drivers/base/dd.c :: really_probe). */
export interface ResourcesBeforeProbeEvent extends EventOrigin {
  kind: "resources_before_probe";
  dev: string;
  driver?: string;
  via?: "dmesg" | "console";
}

/**
 * `dma_pool_destroy <name> busy` (mm/dmapool.c, v6.3+) or the older per-page form
 * `dma_pool_destroy <name>, <vaddr> busy`.
 */
export interface PoolBusyEvent extends EventOrigin {
  kind: "pool_busy";
  pool: string;
  dev?: string;
  driver?: string;
  /** Page address printed by the pre-6.3 form. */
  addr?: string;
  form: "v6.3" | "legacy";
  via?: "dmesg" | "console";
}

/** `CPU:N [LOST N EVENTS]` ring-buffer overrun marker. */
export interface LostEventsEvent extends EventOrigin {
  kind: "lost";
  /** Events the ring buffer dropped on that CPU (count). */
  count: number;
}

/** irq:irq_handler_entry / irq:irq_handler_exit (include/trace/events/irq.h). */
export interface IrqHandlerEvent extends EventOrigin {
  kind: "irq";
  phase: "entry" | "exit";
  irq: number;
  /** Action name (entry only). */
  name?: string;
  /** `handled` / `unhandled` (exit only). */
  ret?: "handled" | "unhandled";
}

/**
 * A memory-safety report the kernel printed: KASAN (`BUG: KASAN: use-after-free in f+0x…`),
 * an IOMMU/DMAR fault, a double free_irq, a devres WARN. The first line of the report
 * identifies it; `text` holds that line.
 */
export interface KernelReportEvent extends EventOrigin {
  kind: "report";
  report:
    | "kasan-use-after-free"
    | "kasan-double-free"
    | "kasan-invalid-free"
    | "kasan-out-of-bounds"
    /** Any other KASAN bug type (`null-ptr-deref`, `wild-memory-access`, ...). */
    | "kasan-other"
    | "iommu-fault"
    /**
     * A kernel-mode page fault oops (`BUG: unable to handle page fault for address: …`,
     * `BUG: kernel NULL pointer dereference, address: …`; arch/x86/mm/fault.c ::
     * page_fault_oops): e.g. MMIO through an ioremap that was already unmapped.
     */
    | "page-fault"
    | "irq-double-free"
    | "warning";
  text: string;
  dev?: string;
  /** Faulting or freed address, as printed. */
  addr?: string;
  /** Function named by the report (`f+0x12/0x40`). */
  func?: string;
  via?: "dmesg" | "console";
}

export type TraceEvent =
  | DevresEvent
  | DrmresEvent
  | DrmresReleaseEvent
  | KmallocEvent
  | KfreeEvent
  | ModuleEvent
  | MarkerEvent
  | LogEvent
  | ProbeFailedEvent
  | ResourcesBeforeProbeEvent
  | PoolBusyEvent
  | LostEventsEvent
  | IrqHandlerEvent
  | KernelReportEvent;

export type TraceEventKind = TraceEvent["kind"];
