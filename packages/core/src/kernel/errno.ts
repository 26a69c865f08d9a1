/**
 * Linux errno values used by the simulated kernel (include/uapi/asm-generic/errno-base.h,
 * errno.h, include/linux/errno.h). Kernel functions return them negated, as the kernel does.
 */
export const EPERM = 1;
export const ENOENT = 2;
export const EIO = 5;
export const ENXIO = 6;
export const E2BIG = 7;
export const EAGAIN = 11;
export const ENOMEM = 12;
export const EFAULT = 14;
export const EBUSY = 16;
export const EEXIST = 17;
export const ENODEV = 19;
export const EINVAL = 22;
export const ENOSPC = 28;
export const ETIMEDOUT = 110;
/** include/linux/errno.h: driver requests probe retry. */
export const EPROBE_DEFER = 517;

const NAMES: Record<number, string> = {
  [EPERM]: "EPERM",
  [ENOENT]: "ENOENT",
  [EIO]: "EIO",
  [ENXIO]: "ENXIO",
  [E2BIG]: "E2BIG",
  [EAGAIN]: "EAGAIN",
  [ENOMEM]: "ENOMEM",
  [EFAULT]: "EFAULT",
  [EBUSY]: "EBUSY",
  [EEXIST]: "EEXIST",
  [ENODEV]: "ENODEV",
  [EINVAL]: "EINVAL",
  [ENOSPC]: "ENOSPC",
  [ETIMEDOUT]: "ETIMEDOUT",
  [EPROBE_DEFER]: "EPROBE_DEFER",
};

/** `%pe` rendering of a negative errno (`-EBUSY`); unknown values print as the number. */
export function errname(err: number): string {
  const name = NAMES[Math.abs(err)];
  return name === undefined ? String(err) : (err < 0 ? "-" : "") + name;
}
