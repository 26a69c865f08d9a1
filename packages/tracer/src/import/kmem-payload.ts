/**
 * kmem:kmalloc / kmem:kfree payloads, located on bytes (97% of a large trace is these lines).
 *
 * include/trace/events/kmem.h (v6.1):
 *   kmalloc: "call_site=%pS ptr=%p bytes_req=%zu bytes_alloc=%zu gfp_flags=%s node=%d accounted=%s"
 *            (before v6.1 there was no accounted=, and node= only in kmalloc_node)
 *   kfree:   "call_site=%pS ptr=%p"
 * `%pS` of a module symbol prints "sym+0x1f/0x90 [module]"; of an address in an unloaded module
 * a bare "0xffffffffc067c74f". trace-cmd report prints the call site first as "(sym+0x1f) "
 * and `%p` as "0xff..." or "(nil)".
 */
import type { KfreeEvent, KmallocEvent } from "../model/events.js";
import {
  ascii,
  decode,
  isBlank,
  isDigit,
  LBRACKET,
  LPAREN,
  RPAREN,
  skipBlanks,
  startsWithBytes,
  tokenEnd,
} from "./bytes.js";

const CALL_SITE = ascii("call_site=");
const PTR = ascii("ptr=");
const BYTES_REQ = ascii("bytes_req=");
const BYTES_ALLOC = ascii("bytes_alloc=");
const GFP = ascii("gfp_flags=");

/** Positions of the fields in one kmem payload (reused; no allocation per line). */
export interface KmemFields {
  callStart: number;
  callEnd: number;
  /** The call site carried a "[module]" suffix or is a bare address (module code). */
  inModule: boolean;
  ptrStart: number;
  ptrEnd: number;
  bytesReq: number;
  bytesAlloc: number;
  gfpStart: number;
  gfpEnd: number;
  /** Start of the optional trailing fields (node=, accounted=). */
  tailStart: number;
}

export function newKmemFields(): KmemFields {
  return {
    callStart: 0,
    callEnd: 0,
    inModule: false,
    ptrStart: 0,
    ptrEnd: 0,
    bytesReq: 0,
    bytesAlloc: 0,
    gfpStart: 0,
    gfpEnd: 0,
    tailStart: 0,
  };
}

/** End of the last readUint (the blank after the digits). */
let uintEnd = 0;

function readUint(b: Uint8Array, i: number, end: number): number {
  let v = 0;
  const s = i;
  while (i < end && isDigit(b[i] as number)) v = v * 10 + ((b[i++] as number) - 0x30);
  if (i === s || (i < end && !isBlank(b[i] as number))) return -1;
  uintEnd = i;
  return v;
}

// ------------------------------------------------------------------ fast paths
// The kernel separates fields with exactly one space. These read that layout with inline byte
// compares (4x faster than the general scanner below); anything unusual falls back to the
// general scanner, which also produces the error reason.

function isCallSiteEq(b: Uint8Array, p: number): boolean {
  // "call_site="
  return (
    b[p] === 0x63 &&
    b[p + 1] === 0x61 &&
    b[p + 2] === 0x6c &&
    b[p + 3] === 0x6c &&
    b[p + 4] === 0x5f &&
    b[p + 5] === 0x73 &&
    b[p + 6] === 0x69 &&
    b[p + 7] === 0x74 &&
    b[p + 8] === 0x65 &&
    b[p + 9] === 0x3d
  );
}

/** call_site and ptr in the kernel layout; returns the index after ptr's value, or -1. */
function fastCallAndPtr(b: Uint8Array, p: number, end: number, f: KmemFields): number {
  if (b[p] === LPAREN) {
    // trace-cmd: "(sym+0x32) call_site=..."
    let k = p + 1;
    while (k < end && b[k] !== RPAREN) k++;
    if (b[k + 1] !== 0x20) return -1;
    p = k + 2;
  }
  if (p + 10 > end || !isCallSiteEq(b, p)) return -1;
  let i = p + 10;
  const cs = i;
  while (i < end && b[i] !== 0x20) i++;
  if (i === cs || i >= end) return -1;
  f.callStart = cs;
  f.callEnd = i;
  f.inModule = b[cs] === 0x30 && b[cs + 1] === 0x78;
  i++;
  if (b[i] === LBRACKET) {
    while (i < end && b[i] !== 0x20) i++;
    if (i >= end) return -1;
    f.callEnd = i;
    f.inModule = true;
    i++;
  }
  // "ptr="
  if (b[i] !== 0x70 || b[i + 1] !== 0x74 || b[i + 2] !== 0x72 || b[i + 3] !== 0x3d) return -1;
  i += 4;
  f.ptrStart = i;
  while (i < end && b[i] !== 0x20) i++;
  if (i === f.ptrStart) return -1;
  f.ptrEnd = i;
  f.tailStart = i;
  return i;
}

function fastKmalloc(b: Uint8Array, p: number, end: number, f: KmemFields): boolean {
  const i = fastCallAndPtr(b, p, end, f);
  return i >= 0 && b[i] === 0x20 && kmallocTail(b, i + 1, end, f);
}

/**
 * `bytes_req=%zu bytes_alloc=%zu gfp_flags=` at `i` (the kmalloc fields after ptr, as
 * include/trace/events/kmem.h prints them): fills bytesReq, bytesAlloc and gfpStart. Shared by
 * this payload scanner and the one-pass line matcher (kernel-kmem-line.ts).
 */
export function kmallocTail(b: Uint8Array, i: number, end: number, f: KmemFields): boolean {
  // "bytes_req="
  if (
    b[i] !== 0x62 ||
    b[i + 1] !== 0x79 ||
    b[i + 2] !== 0x74 ||
    b[i + 3] !== 0x65 ||
    b[i + 4] !== 0x73 ||
    b[i + 5] !== 0x5f ||
    b[i + 6] !== 0x72 ||
    b[i + 7] !== 0x65 ||
    b[i + 8] !== 0x71 ||
    b[i + 9] !== 0x3d
  )
    return false;
  i += 10;
  let v = 0;
  let c = b[i] as number;
  if (c < 0x30 || c > 0x39) return false;
  while (c >= 0x30 && c <= 0x39) {
    v = v * 10 + (c - 0x30);
    c = b[++i] as number;
  }
  if (c !== 0x20) return false;
  f.bytesReq = v;
  i++;
  // "bytes_alloc="
  if (
    b[i] !== 0x62 ||
    b[i + 1] !== 0x79 ||
    b[i + 2] !== 0x74 ||
    b[i + 3] !== 0x65 ||
    b[i + 4] !== 0x73 ||
    b[i + 5] !== 0x5f ||
    b[i + 6] !== 0x61 ||
    b[i + 7] !== 0x6c ||
    b[i + 8] !== 0x6c ||
    b[i + 9] !== 0x6f ||
    b[i + 10] !== 0x63 ||
    b[i + 11] !== 0x3d
  )
    return false;
  i += 12;
  v = 0;
  c = b[i] as number;
  if (c < 0x30 || c > 0x39) return false;
  while (c >= 0x30 && c <= 0x39) {
    v = v * 10 + (c - 0x30);
    c = b[++i] as number;
  }
  if (c !== 0x20) return false;
  f.bytesAlloc = v;
  i++;
  // "gfp_flags="
  if (
    b[i] !== 0x67 ||
    b[i + 1] !== 0x66 ||
    b[i + 2] !== 0x70 ||
    b[i + 3] !== 0x5f ||
    b[i + 4] !== 0x66 ||
    b[i + 5] !== 0x6c ||
    b[i + 6] !== 0x61 ||
    b[i + 7] !== 0x67 ||
    b[i + 8] !== 0x73 ||
    b[i + 9] !== 0x3d
  )
    return false;
  if (i + 10 > end) return false;
  f.gfpStart = i + 10;
  f.gfpEnd = -1;
  return true;
}

// ------------------------------------------------------------------ general scanners

/**
 * Locates call_site and ptr (both events) in `b[p, end)`. Returns an error reason or "".
 */
export function locateCallAndPtr(b: Uint8Array, p: number, end: number, f: KmemFields): string {
  if (fastCallAndPtr(b, p, end, f) >= 0) return "";
  if (b[p] === LPAREN) {
    // trace-cmd: "(sym+0x32) call_site=..."
    let k = p + 1;
    while (k < end && b[k] !== RPAREN) k++;
    if (k >= end) return "kmem: unterminated '(call site)' before call_site=";
    p = skipBlanks(b, k + 1, end);
  }
  if (!startsWithBytes(b, p, end, CALL_SITE))
    return "kmem: expected 'call_site=' at the start of the payload";
  f.callStart = p + 10;
  f.callEnd = tokenEnd(b, f.callStart, end);
  f.inModule = b[f.callStart] === 0x30 && b[f.callStart + 1] === 0x78; // bare 0x... address
  let k = skipBlanks(b, f.callEnd, end);
  if (b[k] === LBRACKET) {
    // "sym+off/size [module]"
    f.callEnd = tokenEnd(b, k, end);
    f.inModule = true;
    k = skipBlanks(b, f.callEnd, end);
  }
  if (!startsWithBytes(b, k, end, PTR)) return "kmem: expected 'ptr=' after call_site";
  f.ptrStart = k + 4;
  f.ptrEnd = tokenEnd(b, f.ptrStart, end);
  if (f.ptrEnd === f.ptrStart) return "kmem: empty ptr=";
  f.tailStart = f.ptrEnd;
  return "";
}

/** kmalloc: call_site, ptr, bytes_req, bytes_alloc, gfp_flags in the kernel's order. */
export function locateKmalloc(b: Uint8Array, p: number, end: number, f: KmemFields): string {
  if (fastKmalloc(b, p, end, f)) return "";
  const err = locateCallAndPtr(b, p, end, f);
  if (err) return err;
  let k = skipBlanks(b, f.ptrEnd, end);
  if (!startsWithBytes(b, k, end, BYTES_REQ)) return "kmalloc: expected 'bytes_req=' after ptr";
  f.bytesReq = readUint(b, k + 10, end);
  if (f.bytesReq < 0) return "kmalloc: bytes_req is not a number";
  k = skipBlanks(b, uintEnd, end);
  if (!startsWithBytes(b, k, end, BYTES_ALLOC))
    return "kmalloc: expected 'bytes_alloc=' after bytes_req";
  f.bytesAlloc = readUint(b, k + 12, end);
  if (f.bytesAlloc < 0) return "kmalloc: bytes_alloc is not a number";
  k = skipBlanks(b, uintEnd, end);
  if (!startsWithBytes(b, k, end, GFP)) return "kmalloc: expected 'gfp_flags=' after bytes_alloc";
  f.gfpStart = k + 10;
  // gfpEnd/tailStart are found by kmallocEvent, only for lines that become events.
  f.gfpEnd = -1;
  return "";
}

/**
 * The origin of an ftrace line, as a reusable scratch record (the parser refills one object
 * per line instead of allocating one per event; the builders below copy the fields).
 */
export interface OriginFields {
  ts: number;
  line: number;
  cpu: number;
  task: string;
  pid: number;
  src: number | undefined;
  flags: string | undefined;
}

/** Decodes repeated strings once (StringCache); plain decode when none is given. */
export interface Strings {
  get(b: Uint8Array, s: number, e: number): string;
}

const plain: Strings = { get: decode };

const NODE_EQ = ascii(" node=");
const ACCOUNTED_EQ = ascii(" accounted=");

/** Builds the kmalloc event from located fields (only for kept or linked lines). */
export function kmallocEvent(
  b: Uint8Array,
  end: number,
  f: KmemFields,
  origin: OriginFields,
  strings: Strings = plain,
): KmallocEvent {
  if (f.gfpEnd < 0) {
    f.gfpEnd = tokenEnd(b, f.gfpStart, end);
    f.tailStart = f.gfpEnd;
  }
  // Explicit fields, no object spread (hot in keepKmem "module"/"all": ~4x cheaper).
  const ev: KmallocEvent = {
    kind: "kmalloc",
    ts: origin.ts,
    line: origin.line,
    cpu: origin.cpu,
    task: origin.task,
    pid: origin.pid,
    callSite: strings.get(b, f.callStart, f.callEnd),
    ptr: decode(b, f.ptrStart, f.ptrEnd),
    bytesReq: f.bytesReq,
    bytesAlloc: f.bytesAlloc,
    gfp: strings.get(b, f.gfpStart, f.gfpEnd),
  };
  if (origin.src !== undefined) ev.src = origin.src;
  if (origin.flags !== undefined) ev.flags = origin.flags;
  // Optional trailing fields, v6.1 order: " node=%d accounted=%s" (kmalloc_node before v6.1: node only).
  let k = f.tailStart;
  if (startsWithBytes(b, k, end, NODE_EQ)) {
    k += 6;
    let neg = false;
    if (b[k] === 0x2d) {
      neg = true;
      k++;
    }
    const v = readUint(b, k, end);
    if (v >= 0) {
      ev.numaNode = neg ? -v : v;
      k = uintEnd;
    }
  }
  if (startsWithBytes(b, k, end, ACCOUNTED_EQ)) {
    k += 11;
    if (b[k] === 0x74) ev.accounted = true;
    else if (b[k] === 0x66) ev.accounted = false;
  }
  return ev;
}

export function kfreeEvent(
  b: Uint8Array,
  f: KmemFields,
  origin: OriginFields,
  strings: Strings = plain,
): KfreeEvent {
  const ev: KfreeEvent = {
    kind: "kfree",
    ts: origin.ts,
    line: origin.line,
    cpu: origin.cpu,
    task: origin.task,
    pid: origin.pid,
    callSite: strings.get(b, f.callStart, f.callEnd),
    ptr: decode(b, f.ptrStart, f.ptrEnd),
  };
  if (origin.src !== undefined) ev.src = origin.src;
  if (origin.flags !== undefined) ev.flags = origin.flags;
  return ev;
}
