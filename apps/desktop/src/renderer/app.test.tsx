import { act, cleanup, fireEvent, render, screen, waitFor } from "@testing-library/react";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { App } from "./app.tsx";
import type { HostApi } from "./host/host-api.ts";
import { useApp } from "./state/app-store.ts";
import type { Services } from "./state/services.ts";
import { loadedTrace } from "./test-support/loaded-trace.ts";
import { must } from "../shared/must.ts";

const fresh = useApp.getState();

function services(): Services & { importSources: ReturnType<typeof vi.fn> } {
  const importSources = vi.fn(async () => loadedTrace());
  const engine = {
    importSources,
    cancel: vi.fn(),
    listScenarios: vi.fn(async () => [
      {
        id: "nic-irq-before-alloc",
        title: "IRQ before alloc",
        device: "nic",
        source: "commit abc",
        expect: ["irq-outlives-data"],
        description: "",
      },
    ]),
    sourceLines: vi.fn(async () => []),
  };
  const host: HostApi = {
    kind: "web",
    saveFile: vi.fn(async () => true),
    recentFiles: async () => [],
    onMenu: () => () => undefined,
    setTitle: vi.fn(),
  };
  return { engine: engine as unknown as Services["engine"], host, importSources };
}

describe("App", () => {
  beforeEach(() => useApp.setState(fresh, true));
  afterEach(cleanup);

  it("first start: the file input, the real samples and the simulated buggy run", async () => {
    render(<App services={services()} />);
    expect(screen.getByTestId("open-file-input")).toBeTruthy();
    expect(screen.getByTestId("welcome")).toBeTruthy();
    await waitFor(() => expect(screen.getAllByTestId("sample")).toHaveLength(3));
    expect(must(screen.getAllByTestId("sample")[2]).textContent).toContain("simulated buggy run");
  });

  it("files chosen in the input are imported in the worker and shown with their summary", async () => {
    const s = services();
    render(<App services={s} />);
    const file = new File(["# tracer: nop\n"], "t.ftrace.txt");
    await act(async () => {
      fireEvent.change(screen.getByTestId("open-file-input"), { target: { files: [file] } });
    });
    await waitFor(() => expect(screen.getAllByTestId("device-row")).toHaveLength(4));
    expect(s.importSources).toHaveBeenCalledTimes(1);
    const [specs, origin] = s.importSources.mock.calls[0] as [
      { name: string; size: number; blob: Blob }[],
      string,
    ];
    expect(specs[0]).toMatchObject({ name: "t.ftrace.txt", size: 14 });
    expect(must(specs[0]).blob).toBe(file);
    expect(origin).toBe("file");
    expect(screen.getByTestId("import-summary")).toBeTruthy();
    expect(s.host.setTitle).toHaveBeenCalledWith("small.ftrace.txt — devscope");
  });

  it("keys: ? opens the shortcuts, Escape closes them, Shift+T toggles the theme", async () => {
    render(<App services={services()} />);
    fireEvent.keyDown(window, { key: "?" });
    expect(screen.getByTestId("shortcuts")).toBeTruthy();
    fireEvent.keyDown(window, { key: "Escape" });
    expect(screen.queryByTestId("shortcuts")).toBeNull();
    const theme = useApp.getState().layout.theme;
    fireEvent.keyDown(window, { key: "T", shiftKey: true });
    expect(useApp.getState().layout.theme).not.toBe(theme);
  });

  it("an import error is reported, not thrown", async () => {
    const s = services();
    s.importSources.mockRejectedValueOnce(new Error("t.txt: binary data"));
    render(<App services={s} />);
    await act(async () => {
      fireEvent.change(screen.getByTestId("open-file-input"), {
        target: { files: [new File(["x"], "t.txt")] },
      });
    });
    await waitFor(() =>
      expect(screen.getByTestId("import-failure").textContent).toContain("binary data"),
    );
  });
});
