import * as Comlink from "comlink";
import type { DeviceMapping } from "@devscope/tracer";
import { parseDeviceMapping } from "@devscope/tracer";
import { sourceName, type TraceSource } from "../host/host-api.ts";
import { useApp } from "../state/app-store.ts";
import type { Services } from "../state/services.ts";
import type { ImportProgress, SourceSpec } from "../worker/engine-types.ts";
import { useCompare } from "./compare-store.ts";
import type { CompareSideSpec } from "./compare-types.ts";

/** One side as the dialog describes it, before it becomes a worker spec. */
export type CompareSideChoice =
  | { kind: "current" }
  | { kind: "files"; sources: TraceSource[] }
  | { kind: "scenario"; id: string; seed: number };

export function choiceLabel(c: CompareSideChoice): string {
  if (c.kind === "current") return useApp.getState().trace?.title ?? "open trace";
  if (c.kind === "scenario") return `${c.id} (seed ${c.seed})`;
  return c.sources.map(sourceName).join(" + ");
}

/**
 * Parse the dialog's mapping text: one `A=B` per line or comma (`DEV#N` selects one epoch).
 * Throws with the tracer's message on a malformed entry.
 */
export function parseMappings(text: string): DeviceMapping[] {
  return text
    .split(/[\n,]/)
    .map((s) => s.trim())
    .filter((s) => s !== "")
    .map(parseDeviceMapping);
}

function errorText(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

/** Runs the comparison in the worker and opens the Compare view. */
export async function runCompare(
  services: Services,
  a: CompareSideChoice,
  b: CompareSideChoice,
  opts: { map: DeviceMapping[]; autoPair: boolean },
): Promise<boolean> {
  const st = useCompare.getState();
  if (st.status === "running" || useApp.getState().importStatus === "running") {
    useApp.getState().setToast("Something is already loading: wait for it or cancel it first.");
    return false;
  }
  // Host files of both sides are read through one callback, indexed A first, then B.
  const hostRefs: (TraceSource | null)[] = [];
  const spec = (c: CompareSideChoice): CompareSideSpec => {
    if (c.kind === "current") {
      const t = useApp.getState().trace;
      if (!t) throw new Error("no trace is open to compare");
      return { kind: "analysis", title: t.title, origin: t.origin, analysis: t.analysis };
    }
    if (c.kind === "scenario") return { kind: "scenario", id: c.id, seed: c.seed };
    const sources: SourceSpec[] = c.sources.map((s) => {
      hostRefs.push(s.kind === "host" ? s : null);
      return s.kind === "file"
        ? { name: s.file.name, size: s.file.size, blob: s.file }
        : { name: s.ref.name, size: s.ref.size };
    });
    return { kind: "sources", sources };
  };
  const label = `${choiceLabel(a)} ↔ ${choiceLabel(b)}`;
  st.start(label);
  try {
    const specA = spec(a);
    const specB = spec(b);
    const hostRead = hostRefs.some((r) => r !== null)
      ? Comlink.proxy(async (i: number, offset: number, length: number): Promise<Uint8Array> => {
          const ref = hostRefs[i];
          if (ref?.kind !== "host" || !services.host.readHostFile)
            throw new Error("this input cannot be read through the host");
          return services.host.readHostFile(ref.ref, offset, length);
        })
      : undefined;
    const onProgress = Comlink.proxy((p: ImportProgress) => useCompare.getState().setProgress(p));
    const result = await services.engine.compare(specA, specB, opts, onProgress, hostRead);
    useCompare.getState().finish(result);
    useCompare.getState().setDialogOpen(false);
    return true;
  } catch (e) {
    useCompare.getState().fail(`${label}: ${errorText(e)}`);
    return false;
  }
}
