import type { ResourceRecord } from "./analysis-model.js";

/**
 * Hands out the stable resource ids (`r0`, `r1`, ... in order of first appearance) shared by
 * the devres and drmm lists, and keeps every record in that order.
 */
export class ResourceRegistry {
  readonly all: ResourceRecord[] = [];

  /** Register a record built without an id; returns it with its id set. */
  add(rec: Omit<ResourceRecord, "id">): ResourceRecord {
    const full = { id: `r${this.all.length}`, ...rec } as ResourceRecord;
    this.all.push(full);
    return full;
  }
}
