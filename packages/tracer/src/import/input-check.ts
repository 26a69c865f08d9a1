/**
 * Refuses inputs that are not text traces, with a message that says what to do, by looking at
 * the first bytes: trace-cmd's binary trace.dat, compressed data other than gzip, UTF-16, and
 * NUL bytes (binary data) near the start.
 */

/** Bytes at the start of an input that must be free of NULs for it to count as text. */
export const TEXT_CHECK_BYTES = 4096;

export type InputKind =
  { kind: "text"; skip: number } | { kind: "gzip" } | { kind: "refused"; reason: string };

function starts(b: Uint8Array, bytes: readonly number[]): boolean {
  if (b.length < bytes.length) return false;
  for (let i = 0; i < bytes.length; i++) if (b[i] !== bytes[i]) return false;
  return true;
}

/** `head`: the first min(TEXT_CHECK_BYTES, input length) bytes. `name`: the file for messages. */
export function checkInput(head: Uint8Array, name: string): InputKind {
  if (starts(head, [0x1f, 0x8b])) return { kind: "gzip" };
  // trace-cmd's trace.dat: "\x17\x08\x44tracing" (trace-cmd.dat(5)).
  if (starts(head, [0x17, 0x08, 0x44, 0x74, 0x72, 0x61, 0x63, 0x69, 0x6e, 0x67])) {
    return {
      kind: "refused",
      reason: `${name}: binary trace-cmd data (trace.dat); run \`trace-cmd report -i ${name} > ${name}.txt\` and open that`,
    };
  }
  // perf.data: the "PERFILE2" magic at the start of the file header (tools/perf/util/header.c).
  if (starts(head, [0x50, 0x45, 0x52, 0x46, 0x49, 0x4c, 0x45, 0x32])) {
    return {
      kind: "refused",
      reason: `${name}: binary perf data (perf.data); run \`perf script -i ${name} > ${name}.txt\` and open that`,
    };
  }
  if (starts(head, [0x28, 0xb5, 0x2f, 0xfd]))
    return {
      kind: "refused",
      reason: `${name}: zstd-compressed data; decompress it first (zstd -d)`,
    };
  if (starts(head, [0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00]))
    return { kind: "refused", reason: `${name}: xz-compressed data; decompress it first (xz -d)` };
  if (starts(head, [0x42, 0x5a, 0x68]))
    return {
      kind: "refused",
      reason: `${name}: bzip2-compressed data; decompress it first (bzip2 -d)`,
    };
  if (starts(head, [0xff, 0xfe]) || starts(head, [0xfe, 0xff])) {
    return {
      kind: "refused",
      reason: `${name}: UTF-16 text; convert it to UTF-8 first (iconv -f UTF-16 -t UTF-8)`,
    };
  }
  const nul = head.indexOf(0, 0);
  if (nul >= 0 && nul < TEXT_CHECK_BYTES) {
    return {
      kind: "refused",
      reason: `${name}: binary data (NUL byte at offset ${nul}), not a text trace; expected ftrace/trace_pipe text, trace-cmd report output, dmesg or devscope JSONL`,
    };
  }
  return { kind: "text", skip: starts(head, [0xef, 0xbb, 0xbf]) ? 3 : 0 };
}
