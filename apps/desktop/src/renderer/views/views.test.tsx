import { cleanup, fireEvent, render, screen, within } from "@testing-library/react";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import type { HostApi } from "../host/host-api.ts";
import { EMPTY_SELECTION, useApp } from "../state/app-store.ts";
import { type Services, ServicesContext } from "../state/services.ts";
import { loadedTrace } from "../test-support/loaded-trace.ts";
import { DetailsView } from "./details-view.tsx";
import { DevicesView } from "./devices-view.tsx";
import { FindingsView } from "./findings-view.tsx";
import { ImportSummaryView } from "./import-summary-view.tsx";
import { ResourcesView } from "./resources-view.tsx";
import { must } from "../../shared/must.ts";

const fresh = useApp.getState();
const sourceLines = vi.fn(async (_src: number, from: number, to: number) =>
  Array.from({ length: to - from + 1 }, (_, i) => ({
    line: from + i,
    text: `line ${from + i} devres_log: ...`,
  })),
);
const services = {
  engine: { sourceLines } as unknown as Services["engine"],
  host: { kind: "web" } as unknown as HostApi,
} satisfies Services;

function mount(ui: React.ReactNode) {
  return render(<ServicesContext.Provider value={services}>{ui}</ServicesContext.Provider>);
}

describe("views", () => {
  beforeEach(() => {
    useApp.setState(fresh, true);
    useApp.getState().setTrace(loadedTrace());
  });
  afterEach(cleanup);

  it("devices: one row per device with state, counts, live and findings; click selects and filters", () => {
    mount(<DevicesView />);
    const rows = screen.getAllByTestId("device-row");
    expect(rows.map((r) => r.dataset["device"])).toEqual([
      "0000:00:03.0",
      "0000:00:1f.2",
      "0000:00:06.0",
      "0:0:0:0",
    ]);
    const ahci = must(rows[1]);
    expect(ahci.dataset).toMatchObject({
      state: "bound",
      add: "7",
      rel: "4",
      rem: "1",
      live: "2",
      findings: "2",
      epochs: "2",
    });
    expect(within(ahci).getByTestId("device-findings").className).toContain("error");
    expect(must(rows[3]).dataset["state"]).toBe("probe-failed");
    fireEvent.click(ahci);
    expect(useApp.getState().selection.device).toBe("0000:00:1f.2");
    expect(useApp.getState().filter.device).toBe("0000:00:1f.2");
  });

  it("devices: keyboard expands epochs and moves", () => {
    mount(<DevicesView />);
    const tree = screen.getByRole("tree");
    fireEvent.keyDown(tree, { key: "ArrowDown" });
    fireEvent.keyDown(tree, { key: "ArrowRight" });
    expect(screen.getAllByTestId("epoch-row")).toHaveLength(2);
    fireEvent.keyDown(tree, { key: "ArrowLeft" });
    expect(screen.queryAllByTestId("epoch-row")).toHaveLength(0);
  });

  it("findings: grouped by severity and rule; a click selects the finding's resources", () => {
    mount(<FindingsView />);
    const items = screen.getAllByTestId("finding");
    expect(items.map((f) => [f.dataset["severity"], f.dataset["rule"]])).toEqual([
      ["error", "leak-unreleased"],
      ["warning", "irq-outlives-data"],
      ["info", "release-unknown"],
    ]);
    fireEvent.click(must(items[0]));
    expect(useApp.getState().selection).toEqual({
      resources: [6, 5],
      device: "0000:00:1f.2",
      finding: 0,
    });
    fireEvent.keyDown(screen.getByRole("listbox"), { key: "ArrowDown" });
    expect(useApp.getState().selection.finding).toBe(2);
  });

  it("findings: says so when there are none", () => {
    useApp.getState().setTrace(loadedTrace({ ...loadedTrace().analysis, findings: [] }));
    mount(<FindingsView />);
    expect(screen.getByTestId("no-findings")).toBeTruthy();
  });

  it("resources: filters and reports the count", () => {
    mount(<ResourcesView />);
    expect(screen.getByTestId("resource-count").textContent).toBe("12");
    fireEvent.change(screen.getByTestId("filter-state"), { target: { value: "live" } });
    expect(screen.getByTestId("resource-count").textContent).toBe("2 of 12");
    fireEvent.change(screen.getByTestId("filter-state"), { target: { value: "" } });
    fireEvent.change(screen.getByTestId("filter-text"), { target: { value: "dmam" } });
    expect(screen.getByTestId("resource-count").textContent).toBe("1 of 12");
  });

  it("details: a resource's fields and its raw ADD and REL lines with line numbers", async () => {
    useApp.getState().selectResources([3]);
    mount(<DetailsView />);
    const fields = screen.getByTestId("resource-fields");
    expect(fields.textContent).toContain("0000:00:1f.2");
    expect(fields.textContent).toContain("32 B");
    const blocks = await screen.findAllByTestId("source-lines");
    expect(blocks).toHaveLength(2);
    expect(await within(must(blocks[0])).findByText("line 140 devres_log: ...")).toBeTruthy();
    expect(sourceLines).toHaveBeenCalledWith(0, 138, 142);
    expect(sourceLines).toHaveBeenCalledWith(0, 896, 900);
  });

  it("details: a finding explains itself", () => {
    useApp.getState().selectFinding(0);
    mount(<DetailsView />);
    expect(screen.getByTestId("finding-message").textContent).toContain("never released");
    expect(screen.getAllByText(/devres_release_all/).length).toBeGreaterThan(0);
  });

  it("details: empty selection", () => {
    useApp.setState({ selection: EMPTY_SELECTION });
    mount(<DetailsView />);
    expect(screen.getByText(/Select a resource/)).toBeTruthy();
  });

  it("import summary: format, line accounting, ignored breakdown and rejected lines", () => {
    mount(<ImportSummaryView />);
    expect(screen.getByTestId("summary-format").textContent).toBe("ftrace");
    expect(screen.getByTestId("summary-lines").textContent).toBe("1,200");
    expect(screen.getByTestId("summary-rejected").textContent).toBe("1");
    fireEvent.click(within(screen.getByTestId("summary-ignored")).getByRole("button"));
    expect(screen.getByTestId("ignored-breakdown").textContent).toContain("sched_switch");
    expect(screen.getByTestId("rejected-line").textContent).toContain("no timestamp");
    expect(screen.getByTestId("rejected-line").textContent).toContain("garbage line");
  });
});
