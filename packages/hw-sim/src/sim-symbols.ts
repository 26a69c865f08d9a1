import { sym } from "@devscope/core";

/**
 * `%pS` text of a function in a loadable module, as the kernel prints call sites from module
 * code: `e100_probe+0x1a4/0x6c0 [sim_e100]` (kernel/kallsyms.c :: sprint_symbol appends the
 * module name). The analyzer attributes kmalloc()s to a driver by this suffix.
 */
export function modSym(module: string, name: string, site = 0): string {
  return `${sym(name, site)} [${module}]`;
}
