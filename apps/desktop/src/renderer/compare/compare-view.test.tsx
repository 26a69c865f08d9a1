import { cleanup, fireEvent, render, screen, within } from "@testing-library/react";
import { diffAnalyses } from "@devscope/tracer";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import type { HostApi } from "../host/host-api.ts";
import { useApp } from "../state/app-store.ts";
import { type Services, ServicesContext } from "../state/services.ts";
import { loadedTrace } from "../test-support/loaded-trace.ts";
import { must } from "../../shared/must.ts";
import { parseMappings, runCompare } from "./compare-actions.ts";
import { CompareDialog } from "./compare-dialog.tsx";
import { specAnalysis } from "./compare-fixtures.ts";
import { useCompare } from "./compare-store.ts";
import type { CompareResult } from "./compare-types.ts";
import { CompareView } from "./compare-view.tsx";

const freshCompare = useCompare.getState();
const freshApp = useApp.getState();

function result(): CompareResult {
  const a = specAnalysis("0000:00:06.0", [
    "pcim_release:8 devm_irq_release:16 dmam_release:32 devm_kzalloc_release:64 devm_kzalloc_release:1288",
  ]);
  const b = specAnalysis("0000:00:06.0", [
    "pcim_release:8 dmam_release:32 devm_kzalloc_release:64 devm_irq_release:16 devm_kzalloc_release:1024 dmam_release:64",
  ]);
  return {
    a: { title: "real.ftrace.txt", origin: "file", analysis: a },
    b: { title: "gpu-clean (seed 1)", origin: "simulation", analysis: b },
    diff: diffAnalyses(a, b, { labelA: ["real.ftrace.txt"], labelB: ["gpu-clean (seed 1)"] }),
    diffMs: 1,
  };
}

const compare = vi.fn(async () => result());
const services = {
  engine: { compare, listScenarios: async () => [] } as unknown as Services["engine"],
  host: { kind: "web" } as unknown as HostApi,
} satisfies Services;

function mount(ui: React.ReactNode) {
  return render(<ServicesContext.Provider value={services}>{ui}</ServicesContext.Provider>);
}

const kinds = (): string[] => screen.getAllByTestId("diff-row").map((r) => r.dataset["kind"] ?? "");

describe("Compare view", () => {
  beforeEach(() => {
    useCompare.setState(freshCompare, true);
    useApp.setState(freshApp, true);
    compare.mockClear();
  });
  afterEach(cleanup);

  it("lists every alignment row with its kind, the scores and both titles", () => {
    useCompare.getState().finish(result());
    mount(<CompareView />);
    expect(screen.getByTestId("compare-title-a").textContent).toBe("real.ftrace.txt");
    expect(screen.getByTestId("compare-title-b").textContent).toBe("gpu-clean (seed 1)");
    expect(kinds()).toEqual(["matched", "reordered", "matched", "matched", "resized", "onlyB"]);
    const resized = must(screen.getAllByTestId("diff-row")[4]);
    expect(resized.dataset["name"]).toBe("devm_kzalloc_release");
    expect(resized.textContent).toContain("1288 B");
    expect(resized.textContent).toContain("1024 B");
    expect(screen.getByTestId("compare-score").textContent).toMatch(/^score 0\.\d\d$/);
    expect(screen.getAllByTestId("compare-device")).toHaveLength(1);
    expect(screen.getByTestId("compare-lanes").dataset["columns"]).toBe("7");
  });

  it("selects a row on click and shows both sides", () => {
    useCompare.getState().finish(result());
    mount(<CompareView />);
    const row = must(
      screen.getAllByTestId("diff-row").find((r) => r.dataset["kind"] === "reordered"),
    );
    fireEvent.click(row);
    expect(row.getAttribute("aria-selected")).toBe("true");
    expect(useCompare.getState().selected).toBe(row.dataset["key"]);
    const details = screen.getByTestId("compare-details");
    expect(details.dataset["kind"]).toBe("reordered");
    expect(within(details).getAllByText("devm_irq_release")).toHaveLength(3);
    // Arrow keys walk the list.
    fireEvent.keyDown(screen.getByTestId("diff-list"), { key: "ArrowDown" });
    expect(screen.getByTestId("compare-details").dataset["kind"]).toBe("matched");
  });

  it("filters by kind and switches to the release order", () => {
    useCompare.getState().finish(result());
    mount(<CompareView />);
    fireEvent.click(screen.getByTestId("compare-differences-only"));
    expect(kinds()).toEqual(["reordered", "resized", "onlyB"]);
    fireEvent.click(screen.getByTestId("compare-filter-onlyB"));
    expect(kinds()).toEqual(["reordered", "resized"]);
    fireEvent.click(screen.getByTestId("compare-order-release"));
    expect(useCompare.getState().order).toBe("release");
    // Released newest first on both sides: the late IRQ moves at release too.
    expect(kinds()).toContain("reordered");
    expect(screen.getAllByTestId("diff-row").every((r) => r.dataset["at"] === "release")).toBe(
      true,
    );
  });

  it("closes back to the trace", () => {
    useCompare.getState().finish(result());
    mount(<CompareView />);
    fireEvent.click(screen.getByTestId("compare-close"));
    expect(screen.queryByTestId("compare-view")).toBeNull();
  });

  it("runs a comparison of the open trace against chosen files, with mappings", async () => {
    useApp.getState().setTrace(loadedTrace());
    useCompare.getState().setDialogOpen(true);
    mount(<CompareDialog />);
    expect(screen.getByTestId("compare-a-kind-current")).toHaveProperty("checked", true);
    const run = screen.getByTestId("compare-run");
    expect(run).toHaveProperty("disabled", true);
    const file = new File(["x"], "b.ftrace.txt");
    fireEvent.change(screen.getByTestId("compare-b-files"), { target: { files: [file] } });
    expect(screen.getByTestId("compare-b-files-chosen").textContent).toBe("b.ftrace.txt");
    fireEvent.change(screen.getByTestId("compare-map"), { target: { value: "0000:00:1f.2=gpu0" } });
    fireEvent.click(screen.getByTestId("compare-auto-pair"));
    fireEvent.click(run);
    await vi.waitFor(() => expect(useCompare.getState().viewOpen).toBe(true));
    const [a, b, opts] = compare.mock.calls[0] as unknown as [
      { kind: string; title: string },
      { kind: string; sources: { name: string }[] },
      { map: unknown; autoPair: boolean },
    ];
    expect(a).toMatchObject({ kind: "analysis", title: "small.ftrace.txt" });
    expect(b.kind).toBe("sources");
    expect(b.sources.map((s) => s.name)).toEqual(["b.ftrace.txt"]);
    expect(opts).toEqual({ map: [{ a: "0000:00:1f.2", b: "gpu0" }], autoPair: true });
    expect(useCompare.getState().dialogOpen).toBe(false);
  });

  it("reports a malformed mapping and a failed comparison", async () => {
    expect(() => parseMappings("nope")).toThrow(/expected A=B/);
    expect(parseMappings("a=b, c#1=d#0\n")).toEqual([
      { a: "a", b: "b" },
      { a: "c#1", b: "d#0" },
    ]);
    useApp.getState().setTrace(loadedTrace());
    compare.mockRejectedValueOnce(new Error('--map x=y: no device "x" in A'));
    expect(
      await runCompare(
        services,
        { kind: "current" },
        { kind: "current" },
        { map: [], autoPair: false },
      ),
    ).toBe(false);
    expect(useCompare.getState()).toMatchObject({ status: "error", viewOpen: false });
    expect(useCompare.getState().error).toContain('no device "x" in A');
  });
});
