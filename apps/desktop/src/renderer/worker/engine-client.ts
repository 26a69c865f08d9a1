import * as Comlink from "comlink";
import type { EngineApi } from "./engine-types.ts";

/**
 * Owns the import/analysis worker. A worker that dies (out of memory on a huge input, a bug)
 * never answers its pending calls, so the crash is reported through `onCrash` — the app then
 * ends the import with the message instead of spinning forever — and a fresh worker replaces
 * it for the next call.
 */
export class EngineHost {
  private worker!: Worker;
  private remote!: Comlink.Remote<EngineApi>;

  constructor(private readonly onCrash: (message: string) => void) {
    this.start();
  }

  get api(): Comlink.Remote<EngineApi> {
    return this.remote;
  }

  private start(): void {
    const worker = new Worker(new URL("./engine.worker.ts", import.meta.url), {
      type: "module",
      name: "devscope-engine",
    });
    const crashed = (why: string): void => {
      if (this.worker !== worker) return;
      worker.terminate();
      this.start();
      this.onCrash(why);
    };
    worker.addEventListener("error", (e) =>
      crashed(`the analysis worker stopped: ${e.message || "unknown error (out of memory?)"}`),
    );
    worker.addEventListener("messageerror", () =>
      crashed("the analysis worker sent a message that could not be read"),
    );
    this.worker = worker;
    this.remote = Comlink.wrap<EngineApi>(worker);
  }

  terminate(): void {
    this.worker.terminate();
  }
}
