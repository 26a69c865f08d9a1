// @vitest-environment node
import { describe, expect, it } from "vitest";
import type { RecentFile } from "../shared/ipc-contract.ts";
import { FileRegistry } from "./file-registry.ts";
import { createHandlers, type HandlerDeps } from "./ipc-handlers.ts";
import { addRecent, parseRecent } from "./recent-files.ts";
import { must } from "../shared/must.ts";

function deps(
  files: Record<string, Uint8Array>,
  picks: string[] = [],
): HandlerDeps & { saved: Map<string, Uint8Array>; recent: RecentFile[] } {
  let n = 0;
  const d = {
    saved: new Map<string, Uint8Array>(),
    recent: [] as RecentFile[],
    showOpenDialog: async () => picks,
    showSaveDialog: async (name: string) => `/out/${name}`,
    fileSize: async (p: string) => files[p]?.length ?? null,
    readRange: async (p: string, off: number, len: number) =>
      (files[p] as Uint8Array<ArrayBufferLike>).slice(off, off + len),
    writeFile: async (p: string, data: Uint8Array) => void d.saved.set(p, data),
    basename: (p: string) => p.slice(p.lastIndexOf("/") + 1),
    registry: new FileRegistry(() => (n++).toString(16).padStart(32, "0")),
    recentList: () => d.recent,
    addRecent: (path: string, name: string) =>
      (d.recent = addRecent(d.recent, path, name, 1000 + n)),
  };
  return d;
}

describe("IPC handlers", () => {
  const bytes = new TextEncoder().encode("hello trace\n");

  it("opens picked files as tokens, skipping unreadable paths, and records them as recent", async () => {
    const d = deps({ "/t/a.txt": bytes }, ["/t/a.txt", "/t/missing.txt"]);
    const refs = await createHandlers(d).openDialog();
    expect(refs).toEqual([
      { token: "0".repeat(32), name: "a.txt", path: "/t/a.txt", size: bytes.length },
    ]);
    expect(d.recent.map((r) => r.path)).toEqual(["/t/a.txt"]);
  });

  it("reads only files the user opened, by token and range", async () => {
    const d = deps({ "/t/a.txt": bytes }, ["/t/a.txt"]);
    const h = createHandlers(d);
    const [ref] = await h.openDialog();
    expect(
      new TextDecoder().decode(await h.readFile({ token: must(ref).token, offset: 6, length: 5 })),
    ).toBe("trace");
    await expect(h.readFile({ token: "f".repeat(32), offset: 0, length: 1 })).rejects.toThrow(
      /unknown token/,
    );
    await expect(h.readFile({ token: must(ref).token, offset: 0, length: 1e12 })).rejects.toThrow(
      /length/,
    );
  });

  it("reopens only paths from the recent list", async () => {
    const d = deps({ "/t/a.txt": bytes }, ["/t/a.txt"]);
    const h = createHandlers(d);
    await h.openDialog();
    expect((await h.openRecent("/t/a.txt"))?.name).toBe("a.txt");
    await expect(h.openRecent("/etc/shadow")).rejects.toThrow(/not a recent file/);
  });

  it("saves through the native dialog", async () => {
    const d = deps({});
    const ok = await createHandlers(d).saveFile({
      suggestedName: "x.analysis.json",
      kind: "json",
      data: bytes,
    });
    expect(ok).toBe(true);
    expect(d.saved.get("/out/x.analysis.json")).toEqual(bytes);
    await expect(
      createHandlers(d).saveFile({ suggestedName: "x", kind: "exe", data: bytes }),
    ).rejects.toThrow(/kind/);
  });
});

describe("recent files", () => {
  it("moves a reopened file to the top and caps the list", () => {
    let list: RecentFile[] = [];
    for (let i = 0; i < 20; i++) list = addRecent(list, `/f${i}`, `f${i}`, i);
    list = addRecent(list, "/f15", "f15", 99);
    expect(list.length).toBe(12);
    expect(list[0]).toEqual({ path: "/f15", name: "f15", openedAtMs: 99 });
    expect(list.filter((r) => r.path === "/f15").length).toBe(1);
  });

  it("parses stored lists defensively", () => {
    expect(parseRecent("not json")).toEqual([]);
    expect(parseRecent('[{"path":"/a","name":"a","openedAtMs":1},{"path":3}]')).toEqual([
      { path: "/a", name: "a", openedAtMs: 1 },
    ]);
  });
});
