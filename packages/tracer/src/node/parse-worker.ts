/**
 * Worker-thread entry: parses one segment of a text trace and posts its SegmentPartial back.
 * A segment is either a byte range of a plain file (the worker reads it itself, so no data
 * crosses threads) or bytes handed over by transfer (decompressed gzip output).
 */
import { closeSync, openSync, readSync } from "node:fs";
import { parentPort } from "node:worker_threads";
import { LineFeeder } from "../import/line-feeder.js";
import { encodePartial, transferables, type EncodedPartial } from "../import/partial-codec.js";
import { SegmentParser, type SegmentOptions, type SegmentPartial } from "../import/segment-parser.js";

export interface SegmentTask {
  id: number;
  options: SegmentOptions;
  /** Read [start, end) of this file... */
  file?: { path: string; start: number; end: number };
  /** ...or parse these bytes (transferred). */
  bytes?: Uint8Array;
}

/** A worker's answer; the partial travels in the compact form of import/partial-codec.ts. */
export type SegmentReply = { id: number; ok: true; partial: EncodedPartial } | { id: number; ok: false; error: string };

/** Reads a byte range into a fresh Buffer (Buffer#indexOf is the fast line splitter in Node). */
export function readRange(path: string, start: number, end: number): Buffer {
  const buf = Buffer.allocUnsafeSlow(end - start);
  const fd = openSync(path, "r");
  try {
    let off = 0;
    while (off < buf.length) {
      const n = readSync(fd, buf, off, buf.length - off, start + off);
      if (n === 0) break;
      off += n;
    }
    return off === buf.length ? buf : buf.subarray(0, off);
  } finally {
    closeSync(fd);
  }
}

/** Parses one segment (also used in-thread when workers are not available). */
export function parseSegment(task: SegmentTask): SegmentPartial {
  const parser = new SegmentParser(task.options);
  const feeder = new LineFeeder(parser);
  let bytes: Uint8Array;
  if (task.file) bytes = readRange(task.file.path, task.file.start, task.file.end);
  else if (task.bytes) bytes = Buffer.from(task.bytes.buffer, task.bytes.byteOffset, task.bytes.length);
  else bytes = new Uint8Array(0);
  feeder.push(bytes);
  feeder.finish();
  return parser.finish();
}

if (parentPort) {
  const port = parentPort;
  port.on("message", (task: SegmentTask) => {
    let reply: SegmentReply;
    let transfer: ArrayBuffer[] = [];
    try {
      const encoded = encodePartial(parseSegment(task));
      transfer = transferables(encoded);
      reply = { id: task.id, ok: true, partial: encoded };
    } catch (e) {
      reply = { id: task.id, ok: false, error: e instanceof Error ? (e.stack ?? e.message) : String(e) };
    }
    port.postMessage(reply, transfer);
  });
}
