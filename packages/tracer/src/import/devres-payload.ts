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
import { decode } from "./bytes.js";

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
  if (pointersAllowed && POINTER.test(raw))
    return { name: raw, nameForm: "pointer", nameAddr: raw };
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
  } else {
    const spaced = spacedDevice(head, sfx.size, pointers);
    if (spaced !== null) return spaced;
    return `devres_log: unknown op '${opText}' (expected ADD, REL, REM or REPLACE)`;
  }
  return record(dev, op, opAddr, node, rawName, sfx.size, pointers);
}

function record(
  dev: string,
  op: DevresOp,
  opAddr: string | undefined,
  node: string,
  rawName: string,
  size: number,
  pointers: boolean,
): DevresRecord {
  const name = parseName(rawName, pointers || opAddr !== undefined);
  const rec: DevresRecord = { dev, op, node, size, ...name };
  if (opAddr !== undefined) rec.opAddr = opAddr;
  return rec;
}

/**
 * `dev_name()` may contain spaces (platform devices registered by name, such as fixed_phy's
 * `Fixed MDIO bus.0`: drivers/net/phy/fixed_phy.c :: fixed_mdio_bus_init), so the first
 * token is not always the whole device. The device is then everything before the first op word
 * followed by a node pointer (`%p`: hashed hex, or `(____ptrval____)` before the hash key is
 * ready — lib/vsprintf.c :: ptr_to_id).
 */
const SPACED_DEV =
  /^(.+?) +(ADD|REL|REM|REPLACE) ((?:0x)?[0-9a-f]{8,16}|\(____ptrval____\))(?: (.*))?$/s;
/** The same with the op printed as a raw pointer (trace-cmd report). */
const SPACED_DEV_POINTERS = /^(.+?) +((?:0x)?[0-9a-f]{8,16}) ((?:0x)?[0-9a-f]{8,16})(?: (.*))?$/s;

function spacedDevice(head: string, size: number, pointers: boolean): DevresRecord | null {
  const m = SPACED_DEV.exec(head) ?? (pointers ? SPACED_DEV_POINTERS.exec(head) : null);
  if (!m) return null;
  const dev = m[1] as string;
  const opText = m[2] as string;
  const node = m[3] as string;
  const rawName = m[4] ?? "";
  // In the pointer form the op is provisional (op-recovery.ts), as for any trace-cmd record.
  return isOp(opText)
    ? record(dev, opText, undefined, node, rawName, size, pointers)
    : record(dev, "ADD", opText, node, rawName, size, pointers);
}

/** Decodes repeated byte strings once (bytes.ts :: StringCache). */
interface Strings {
  get(b: Uint8Array, s: number, e: number): string;
}

/** `\s` of a regular expression, for ASCII bytes. */
function isSpace(c: number): boolean {
  return c === 0x20 || (c >= 0x09 && c <= 0x0d);
}

const OPS: readonly DevresOp[] = ["ADD", "REL", "REM", "REPLACE"];

function opAt(b: Uint8Array, s: number, e: number): DevresOp | undefined {
  for (const op of OPS) {
    if (e - s !== op.length) continue;
    let k = 0;
    while (k < op.length && b[s + k] === op.charCodeAt(k)) k++;
    if (k === op.length) return op;
  }
  return undefined;
}

const BYTES_CLOSE = [0x20, 0x62, 0x79, 0x74, 0x65, 0x73, 0x29]; // " bytes)"

/**
 * parseDevresPayload(decode(b[p, e)), false) on the bytes, without decoding the line: the
 * same fields and the same reasons, decoding only the fields it keeps (`strings` caches the
 * ones that repeat: device and release names). Returns undefined when the payload has a
 * non-ASCII byte or no op word after its first token (the string path decides those).
 */
export function parseDevresBytes(
  b: Uint8Array,
  p: number,
  e: number,
  strings: Strings,
): DevresRecord | string | undefined {
  for (let i = p; i < e; i++) if ((b[i] as number) >= 0x80) return undefined;
  // sizeSuffix: ends with " bytes)", the last " (" before it opens the size.
  const n = e - p;
  if (n < 7) return "devres_log: expected the payload to end with ' (N bytes)'";
  for (let k = 0; k < 7; k++)
    if (b[e - 7 + k] !== BYTES_CLOSE[k])
      return "devres_log: expected the payload to end with ' (N bytes)'";
  let open = e - 2;
  while (open >= p && !(b[open] === 0x20 && b[open + 1] === 0x28)) open--;
  if (open < p) return "devres_log: expected the payload to end with ' (N bytes)'";
  const ds = open + 2;
  const de = e - 7;
  if (de - ds < 1 || de - ds > 20)
    return "devres_log: expected the payload to end with ' (N bytes)'";
  let size = 0;
  for (let k = ds; k < de; k++) {
    const c = b[k] as number;
    if (c < 0x30 || c > 0x39) return "devres_log: expected the payload to end with ' (N bytes)'";
    size = size * 10 + (c - 0x30);
  }
  // Beyond 2^53 the running sum may round differently from Number(digits).
  if (de - ds > 15) size = Number(strings.get(b, ds, de));
  // head = [p, open): /^(\S+) +(\S+) (\S+)(?: (.*))?$/s
  const at = open;
  const bad = "devres_log: expected '<dev> <op> <node> <name> (N bytes)'";
  let i = p;
  while (i < at && !isSpace(b[i] as number)) i++;
  const devEnd = i;
  if (devEnd === p || i >= at || b[i] !== 0x20) return bad;
  while (i < at && b[i] === 0x20) i++;
  const opStart = i;
  while (i < at && !isSpace(b[i] as number)) i++;
  const opEnd = i;
  if (opEnd === opStart || i >= at || b[i] !== 0x20) return bad;
  i++;
  const nodeStart = i;
  while (i < at && !isSpace(b[i] as number)) i++;
  const nodeEnd = i;
  if (nodeEnd === nodeStart) return bad;
  let nameStart = at;
  if (i < at) {
    if (b[i] !== 0x20) return bad;
    nameStart = i + 1;
  }
  const op = opAt(b, opStart, opEnd);
  // Not an op: a device name with spaces, or a bad line; the string path tells which.
  if (op === undefined) return undefined;
  const name = parseName(strings.get(b, nameStart, at), false);
  const rec: DevresRecord = {
    dev: strings.get(b, p, devEnd),
    op,
    node: decode(b, nodeStart, nodeEnd),
    size,
    name: name.name,
  };
  if (name.nameForm !== undefined) rec.nameForm = name.nameForm;
  if (name.nameAddr !== undefined) rec.nameAddr = name.nameAddr;
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
