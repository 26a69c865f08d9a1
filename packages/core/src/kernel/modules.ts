import { rawModuleAddr } from "./address.js";

/**
 * Loadable modules. Functions (release callbacks, actions, handlers) can be declared as living
 * in a module; then their names sit in module memory, and before v6.13 the devres_log
 * tracepoint printed them as `(0xADDR:name)[UNSAFE-MEMORY]` — or `(0xADDR)[UNSAFE-MEMORY]` once
 * the module was unloaded before the trace was read (kernel/trace/trace.c :: trace_check_vprintf).
 */
const functionModules = new WeakMap<object, string>();

/** Declare that `fn` is code of module `module` (e.g. `ata_devres_release` in `libata`). */
export function moduleFunction<F extends object>(module: string, fn: F): F {
  functionModules.set(fn, module);
  return fn;
}

/** The module a function was declared in, if any (built-in code returns undefined). */
export function functionModule(fn: object): string | undefined {
  return functionModules.get(fn);
}

/** One loaded instance of a module. */
export class KernelModule {
  loaded = true;
  constructor(
    readonly name: string,
    /** Offset of the module's text from MODULES_VADDR, bytes. */
    readonly base: number,
  ) {}

  /** Raw address of a string (a function name) inside this module, deterministic per name. */
  stringAddr(name: string): string {
    let h = 0x811c9dc5;
    for (let i = 0; i < name.length; i++) h = Math.imul(h ^ name.charCodeAt(i), 0x01000193);
    return "0x" + rawModuleAddr(this.base + 0x20000 + ((h >>> 0) % 0x18000));
  }
}

/** The kernel's module list: load/unload, base addresses. */
export class ModuleRegistry {
  private readonly live = new Map<string, KernelModule>();
  private nextBase = 0x600000;

  get(name: string): KernelModule | undefined {
    return this.live.get(name);
  }

  load(name: string): KernelModule {
    const existing = this.live.get(name);
    if (existing !== undefined) return existing;
    const m = new KernelModule(name, this.nextBase);
    this.nextBase += 0x40000;
    this.live.set(name, m);
    return m;
  }

  unload(name: string): KernelModule | undefined {
    const m = this.live.get(name);
    if (m === undefined) return undefined;
    m.loaded = false;
    this.live.delete(name);
    return m;
  }
}
