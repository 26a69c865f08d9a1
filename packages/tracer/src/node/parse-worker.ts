/**
 * Worker-thread entry: takes part in the parallel parse of a plain-text file
 * (claimed-segments.ts) and posts its segments back in the compact cross-thread form
 * (import/partial-codec.ts). The file is read here, so no input bytes cross threads.
 */
import { parentPort } from "node:worker_threads";
import { encodePartial, transferables, type EncodedPartial } from "../import/partial-codec.js";
import { parseClaimedChunks, type ClaimPlan } from "./claimed-segments.js";

export interface ClaimTask {
  plan: ClaimPlan;
  /** This worker's claim id (> 1; the calling thread is 1). */
  me: number;
  /** Chunk to start at. */
  first: number;
}

export type ClaimReply =
  | { ok: true; segments: { firstChunk: number; endChunk: number; partial: EncodedPartial }[] }
  | { ok: false; error: string };

if (parentPort) {
  const port = parentPort;
  port.on("message", (task: ClaimTask) => {
    let reply: ClaimReply;
    const transfer: ArrayBuffer[] = [];
    try {
      const segments = parseClaimedChunks(task.plan, task.me, task.first).map((s) => {
        const partial = encodePartial(s.partial);
        transfer.push(...transferables(partial));
        return { firstChunk: s.firstChunk, endChunk: s.endChunk, partial };
      });
      reply = { ok: true, segments };
    } catch (e) {
      reply = { ok: false, error: e instanceof Error ? (e.stack ?? e.message) : String(e) };
    }
    port.postMessage(reply, transfer);
  });
}
