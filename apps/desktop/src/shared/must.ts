/**
 * A value the code knows is there (an index inside its array, a map key it just set), checked:
 * the strict-TypeScript replacement for the `!` assertion that fails loudly instead of
 * propagating `undefined`.
 */
export function must<T>(v: T | undefined | null, what = "value"): T {
  if (v === undefined || v === null) throw new Error(`internal error: missing ${what}`);
  return v;
}
