import type { SourceLine, SourceSpec } from "./engine-types.ts";
import { LineCollector, type LineIndex, seekLine } from "./line-index.ts";
import { decodedChunks, rawChunks } from "./source-stream.ts";

/**
 * Lines [from, to] (1-based, inclusive) of a source read back from the file itself: a plain
 * file is read from the nearest checkpoint by offset; a gzip file has no random access, so it
 * is inflated again from the start and the bytes before the checkpoint are skipped.
 */
export async function readSourceLines(
  spec: SourceSpec,
  gzip: boolean,
  index: LineIndex,
  from: number,
  to: number,
): Promise<SourceLine[]> {
  const first = Math.max(1, Math.floor(from));
  const last = Math.min(index.totalLines, Math.floor(to));
  if (last < first) return [];
  const seek = seekLine(index, first);
  const col = new LineCollector(seek.line, first, last);
  if (!gzip) {
    for await (const chunk of rawChunks(spec, undefined, seek.offset, spec.size))
      if (col.push(chunk)) return col.lines;
    col.finish();
    return col.lines;
  }
  let skip = seek.offset;
  for await (let chunk of decodedChunks(spec, undefined, () => undefined).chunks) {
    if (skip >= chunk.length) {
      skip -= chunk.length;
      continue;
    }
    if (skip > 0) {
      chunk = chunk.subarray(skip);
      skip = 0;
    }
    if (col.push(chunk)) return col.lines;
  }
  col.finish();
  return col.lines;
}
