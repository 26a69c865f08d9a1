/**
 * The text of one devres log record, shared by the tracepoint and the CONFIG_DEBUG_DEVRES dmesg
 * line:
 *   tracepoint: `"%s %3s %p %s (%zu bytes)"`  dev, op, node, name, size
 *               (drivers/base/trace.h :: devres_log)
 *   dmesg:      `"DEVRES %3s %p %s (%zu bytes)\n"` after the dev_printk prefix
 *               (drivers/base/devres.c :: devres_dbg)
 *   drmres:     `"ADD %p %s (%lu bytes)"` / `"REL ..."` / `"DEL ..."`
 *               (drivers/gpu/drm/drm_managed.c :: add_dr, drm_managed_release, del_dr)
 *
 * The name is `%s` of a `const char *`: it may be `(null)`, may contain spaces (the stringified
 * action of devm_add_action), and on kernels before v6.13 a name that lives in module memory is
 * printed through the trace's unsafe-string path as `(0xADDR:name)[UNSAFE-MEMORY]`, or
 * `(0xADDR)[UNSAFE-MEMORY]` once the module is gone (kernel/trace/trace.c :: trace_check_vprintf).
 * `trace-cmd report` cannot dereference `op`/`name` at all and prints the raw pointers.
 */
import type { DevresOp, NameForm } from "../model/events.js";

export interface NameParts {
  name: string;
  nameForm?: NameForm;
  nameAddr?: string;
}

export interface DevresRecord extends NameParts {
  dev: string;
  op: DevresOp;
  /** Set when the op was printed as a raw pointer (trace-cmd report); `op` is then provisional. */
  opAddr?: string;
  node: string;
  size: number;
}

/** A bare kernel pointer as trace-cmd prints `const char *` fields: 8-16 hex digits, optional 0x. */
const POINTER = /^(?:0x)?[0-9a-f]{8,16}$/;
const UNSAFE_SUFFIX = ")[UNSAFE-MEMORY]";

function isOp(s: string): s is DevresOp {
  return s === "ADD" || s === "REL" || s === "REM" || s === "REPLACE";
}

/** Splits the `%s` name field into its printed form. */
export function parseName(raw: string, pointersAllowed: boolean): NameParts {
  if (raw === "(null)") return { name: raw, nameForm: "null" };
  if (raw.startsWith("(0x") && raw.endsWith(UNSAFE_SUFFIX)) {
    const inner = raw.slice(1, raw.length - UNSAFE_SUFFIX.length);
    const colon = inner.indexOf(":");
    if (colon < 0) return { name: inner, nameForm: "module-gone", nameAddr: inner };
    return { name: inner.slice(colon + 1), nameForm: "module", nameAddr: inner.slice(0, colon) };
  }
  if (pointersAllowed && POINTER.test(raw)) return { name: raw, nameForm: "pointer", nameAddr: raw };
  return { name: raw };
}

/** Index of ` (N bytes)` at the end of `text`, with the size; null if the tail is not that. */
export function sizeSuffix(text: string): { at: number; size: number } | null {
  if (!text.endsWith(" bytes)")) return null;
  const open = text.lastIndexOf(" (");
  if (open < 0) return null;
  const digits = text.slice(open + 2, text.length - 7);
  if (digits.length === 0 || digits.length > 20 || !/^\d+$/.test(digits)) return null;
  return { at: open, size: Number(digits) };
}

/**
 * Parses `dev op node name (N bytes)` (the tracepoint payload). `pointers`: op and name may be
 * raw pointers (trace-cmd report). Returns a reason string when the text does not fit.
 */
export function parseDevresPayload(text: string, pointers: boolean): DevresRecord | string {
  const sfx = sizeSuffix(text);
  if (!sfx) return "devres_log: expected the payload to end with ' (N bytes)'";
  const head = text.slice(0, sfx.at);
  const m = /^(\S+) +(\S+) (\S+)(?: (.*))?$/s.exec(head);
  if (!m) return "devres_log: expected '<dev> <op> <node> <name> (N bytes)'";
  const dev = m[1] as string;
  const opText = m[2] as string;
  const node = m[3] as string;
  const rawName = m[4] ?? "";
  let op: DevresOp;
  let opAddr: string | undefined;
  if (isOp(opText)) op = opText;
  else if (pointers && POINTER.test(opText)) {
    op = "ADD";
    opAddr = opText;
  } else return `devres_log: unknown op '${opText}' (expected ADD, REL, REM or REPLACE)`;
  const name = parseName(rawName, pointers || opAddr !== undefined);
  const rec: DevresRecord = { dev, op, node, size: sfx.size, ...name };
  if (opAddr !== undefined) rec.opAddr = opAddr;
  return rec;
}

export interface OpNodeNameSize extends NameParts {
  op: string;
  node: string;
  size: number;
}

/**
 * Parses `OP node name (N bytes)` (dmesg DEVRES after `DEVRES `, or a drmres message); `ops`
 * lists the accepted op words. Returns null when the text is not of that shape.
 */
export function parseOpNodeNameSize(text: string, ops: readonly string[]): OpNodeNameSize | null {
  const sfx = sizeSuffix(text);
  if (!sfx) return null;
  const head = text.slice(0, sfx.at);
  const m = /^ *(\S+) (\S+)(?: (.*))?$/s.exec(head);
  if (!m) return null;
  const op = m[1] as string;
  if (!ops.includes(op)) return null;
  return { op, node: m[2] as string, size: sfx.size, ...parseName(m[3] ?? "", false) };
}
