/** Display formatting of trace quantities (ns, bytes, counts). */

/**
 * A trace timestamp (ns) as ftrace prints it: seconds with `decimals` fraction digits (6 =
 * µs, the kernel's own resolution). Exact: the integer part and the fraction come from
 * integer arithmetic, not from a float division.
 */
export function formatTimestamp(ns: number, decimals = 6): string {
  if (!Number.isFinite(ns)) return "—";
  const neg = ns < 0;
  const abs = Math.round(Math.abs(ns));
  const secs = Math.floor(abs / 1e9);
  const fracNs = abs - secs * 1e9;
  const d = Math.max(0, Math.min(9, decimals));
  if (d === 0) return `${neg ? "-" : ""}${secs}`;
  const frac = Math.floor(fracNs / 10 ** (9 - d));
  return `${neg ? "-" : ""}${secs}.${String(frac).padStart(d, "0")}`;
}

/** A duration (ns) with a unit that keeps 3 significant digits: `850 ns`, `12.4 µs`, `3.21 s`. */
export function formatDuration(ns: number): string {
  if (!Number.isFinite(ns)) return "—";
  const a = Math.abs(ns);
  const sign = ns < 0 ? "-" : "";
  const fmt = (v: number, unit: string): string => {
    const digits = v >= 100 ? 0 : v >= 10 ? 1 : 2;
    return `${sign}${v.toFixed(digits)} ${unit}`;
  };
  if (a < 1e3) return `${sign}${Math.round(a)} ns`;
  if (a < 1e6) return fmt(a / 1e3, "µs");
  if (a < 1e9) return fmt(a / 1e6, "ms");
  if (a < 60e9) return fmt(a / 1e9, "s");
  const m = Math.floor(a / 60e9);
  return `${sign}${m} min ${((a - m * 60e9) / 1e9).toFixed(0)} s`;
}

/** Bytes, exact below 10 KiB (kernel sizes are small and meaningful), then KiB/MiB/GiB. */
export function formatBytes(bytes: number): string {
  if (!Number.isFinite(bytes)) return "—";
  if (bytes < 10 * 1024) return `${bytes} B`;
  if (bytes < 10 * 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KiB`;
  if (bytes < 10 * 1024 * 1024 * 1024) return `${(bytes / 1024 / 1024).toFixed(1)} MiB`;
  return `${(bytes / 1024 / 1024 / 1024).toFixed(2)} GiB`;
}

/** Integer with thousands separators (`1,187,507`), locale-independent. */
export function formatCount(n: number): string {
  const s = String(Math.trunc(Math.abs(n)));
  const out = s.replace(/\B(?=(\d{3})+(?!\d))/g, ",");
  return n < 0 ? `-${out}` : out;
}

/**
 * A "nice" tick step (1, 2 or 5 x 10^k ns) of at least `minNs`, for time axes.
 */
export function niceStepNs(minNs: number): number {
  if (!(minNs > 0)) return 1;
  const p = 10 ** Math.floor(Math.log10(minNs));
  for (const m of [1, 2, 5, 10]) if (m * p >= minNs) return m * p;
  return 10 * p;
}

/** Fraction digits needed to tell ticks `stepNs` apart when printed in seconds. */
export function decimalsForStep(stepNs: number): number {
  if (stepNs >= 1e9) return 0;
  return Math.min(9, Math.max(0, Math.ceil(9 - Math.log10(stepNs) - 1e-9)));
}
