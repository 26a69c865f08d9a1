/**
 * ERR_PTR / IS_ERR / PTR_ERR (include/linux/err.h): functions that return either an object or
 * an errno return an ErrPtr for the error case, so call sites read like the C ones.
 */
export class ErrPtr {
  constructor(readonly err: number) {}
  toString(): string {
    return `ERR_PTR(${this.err})`;
  }
}

export function ERR_PTR(err: number): ErrPtr {
  return new ErrPtr(err);
}

export function IS_ERR(p: unknown): p is ErrPtr {
  return p instanceof ErrPtr;
}

export function IS_ERR_OR_NULL(p: unknown): p is ErrPtr | null {
  return p === null || p instanceof ErrPtr;
}

export function PTR_ERR(p: ErrPtr): number {
  return p.err;
}

/** PTR_ERR_OR_ZERO */
export function PTR_ERR_OR_ZERO(p: unknown): number {
  return p instanceof ErrPtr ? p.err : 0;
}
