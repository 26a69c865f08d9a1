import type { ResourceRecord } from "./analysis-model.js";

/**
 * Hands out the stable resource ids (`r0`, `r1`, ... in order of first appearance) shared by
 * the devres and drmm lists, and keeps every record in that order.
 */
export class ResourceRegistry {
  readonly all: ResourceRecord[] = [];

  /**
   * Register a record built with `id: ""` as its first field (so the id leads the JSON, and no
   * copy is made); returns it with its id set.
   */
  add(rec: ResourceRecord): ResourceRecord {
    rec.id = `r${this.all.length}`;
    this.all.push(rec);
    return rec;
  }
}
