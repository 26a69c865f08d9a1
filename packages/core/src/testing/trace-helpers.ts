import { kernelLogText, type DevresEvent } from "@devscope/tracer";
import type { Kernel } from "../kernel/kernel.js";

/** Devres trace events of a kernel (optionally one device) as `OP name size` strings, in order. */
export function devresOps(k: Kernel, dev?: string): string[] {
  return devresEvents(k, dev).map((e) => `${e.op} ${e.name} ${e.size}`);
}

/** The dev:devres_log events (not DEVRES console copies), optionally of one device. */
export function devresEvents(k: Kernel, dev?: string): DevresEvent[] {
  return k.trace.events.filter(
    (e): e is DevresEvent =>
      e.kind === "devres" && e.via === undefined && (dev === undefined || e.dev === dev),
  );
}

/** The kernel log as message texts (what `dmesg` shows after the timestamp). */
export function dmesgTexts(k: Kernel): string[] {
  return k.dmesg.map((e) => kernelLogText(e)).filter((t): t is string => t !== null);
}

/** The value, or a test failure naming what was missing (instead of a non-null assertion). */
export function must<T>(v: T | null | undefined, what = "value"): T {
  if (v === null || v === undefined) throw new Error(`expected a ${what}, got ${String(v)}`);
  return v;
}
