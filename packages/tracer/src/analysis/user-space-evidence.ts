import type { TraceEventKind } from "../model/events.js";
import { callSiteFunction } from "./name-recovery.js";

/**
 * What the task-activity handler reads as evidence that a task was in user space, in one
 * place: the handler uses it, and so does the importer's keepKmem "evidence" mode, which keeps
 * exactly the kmem lines that can carry such evidence.
 */

/**
 * Functions that allocate or free only at a system call entry or exit of the calling task.
 * A kmalloc/kfree with one of them as its call site proves the task was in user space just
 * before or just after.
 */
export const USER_ENTRY_SITES: ReadonlySet<string> = new Set([
  // fs/kernfs/file.c: the per-write buffer of a sysfs write (bind/unbind/new_id...), allocated
  // at the start of write(2) and freed at its end.
  "kernfs_fop_write_iter",
  "kernfs_fop_open",
  "kernfs_fop_release",
  // kernel/printk/printk.c: writes to /dev/kmsg
  "devkmsg_write",
  "devkmsg_open",
  "devkmsg_release",
  // fs/exec.c: execve(2)
  "alloc_bprm",
  // fs/pipe.c: pipe(2)
  "alloc_pipe_info",
  // fs/proc/self.c: a path walk through /proc/self by the task
  "proc_self_get_link",
]);

/** Syscall entry points (arch/x86/include/asm/syscall_wrapper.h, include/linux/syscalls.h). */
export const SYSCALL_PREFIXES: readonly string[] = [
  "__x64_sys_",
  "__ia32_sys_",
  "__arm64_sys_",
  "__do_sys_",
  "__se_sys_",
];

/**
 * Every call site that userEntrySite() accepts starts with one of these (the function name is
 * a prefix of the call site): a cheap byte-level pre-filter for the importer.
 */
export const USER_ENTRY_SITE_PREFIXES: readonly string[] = [
  ...USER_ENTRY_SITES,
  ...SYSCALL_PREFIXES,
];

export function userEntrySite(callSite: string): boolean {
  const fn = callSiteFunction(callSite);
  if (fn === undefined) return false;
  return USER_ENTRY_SITES.has(fn) || SYSCALL_PREFIXES.some((p) => fn.startsWith(p));
}

/**
 * Event kinds the task-activity handler reads: their task and pid track comm changes (execve),
 * markers and module loads are evidence themselves, kmem events by call site.
 */
export const ACTIVITY_KINDS = [
  "marker",
  "module",
  "kmalloc",
  "kfree",
  "devres",
  "drmres",
  "log",
  "lost",
  "irq",
] as const satisfies readonly TraceEventKind[];
