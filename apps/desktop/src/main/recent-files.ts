import type { RecentFile } from "../shared/ipc-contract.ts";

/** Recent files kept (most recent first). */
export const MAX_RECENT = 12;

/** Adds (or moves to the top) `path`; pure. */
export function addRecent(
  list: readonly RecentFile[],
  path: string,
  name: string,
  nowMs: number,
  max = MAX_RECENT,
): RecentFile[] {
  return [{ path, name, openedAtMs: nowMs }, ...list.filter((r) => r.path !== path)].slice(0, max);
}

/** Parses the stored list; malformed entries are dropped. */
export function parseRecent(json: string): RecentFile[] {
  let v: unknown;
  try {
    v = JSON.parse(json);
  } catch {
    return [];
  }
  if (!Array.isArray(v)) return [];
  const out: RecentFile[] = [];
  for (const e of v) {
    if (typeof e !== "object" || e === null) continue;
    const o = e as Record<string, unknown>;
    if (
      typeof o["path"] === "string" &&
      typeof o["name"] === "string" &&
      typeof o["openedAtMs"] === "number"
    ) {
      out.push({ path: o["path"], name: o["name"], openedAtMs: o["openedAtMs"] });
    }
  }
  return out.slice(0, MAX_RECENT);
}
