import { describe, expect, it } from "vitest";
import { laneDeviceOrder } from "../timeline/timeline-buffers.ts";
import { smallAnalysis } from "../test-support/small-analysis.ts";
import { buildAnalysisIndex, maxSeverity, resourcesExtent } from "./analysis-index.ts";
import { deviceRows, deviceState } from "./device-rows.ts";
import { findingOrder, groupFindings } from "./finding-groups.ts";
import { EMPTY_FILTER, queryResources } from "./resource-query.ts";
import { must } from "../../shared/must.ts";

const a = smallAnalysis();
const idx = buildAnalysisIndex(a);

describe("analysis index", () => {
  it("maps resources, findings and devices", () => {
    expect(idx.resourceById.get("r6")).toBe(6);
    expect(idx.findingsOfResource.get(6)).toEqual([0]);
    expect(idx.findingsOfDevice.get("0000:00:1f.2")).toEqual([0, 2]);
    expect(idx.resourcesOfDevice.get("0:0:0:0")).toEqual([7, 8]);
    expect(idx.kinds).toContain("dma-coherent");
  });

  it("knows the worst severity and the time extent of resources", () => {
    expect(maxSeverity(a.findings)).toBe("error");
    expect(maxSeverity([])).toBeNull();
    expect(resourcesExtent(a, [3, 5], 12e9)).toEqual({ startNs: 3_660_000_000, endNs: 12e9 });
  });
});

describe("device rows", () => {
  it("derive the state from how the last epoch ended", () => {
    expect(deviceState(must(a.devices[0]))).toBe("bound");
    expect(deviceState(must(a.devices[1]))).toBe("probe-failed");
    expect(deviceState(must(a.devices[2]))).toBe("unbound");
    expect(deviceState({ epochs: [] })).toBe("no-epochs");
  });

  it("carry counts, live-at-end and the findings badge in lane order", () => {
    const rows = deviceRows(a, idx, laneDeviceOrder(a));
    expect(rows.map((r) => r.name)).toEqual([
      "0000:00:03.0",
      "0000:00:1f.2",
      "0000:00:06.0",
      "0:0:0:0",
    ]);
    const ahci = must(rows[1]);
    expect(ahci).toMatchObject({
      driver: "ahci",
      add: 7,
      rel: 4,
      rem: 1,
      liveAtEnd: 2,
      findings: 2,
      worst: "error",
      resources: 7,
    });
    expect(rows[0]).toMatchObject({ findings: 1, worst: "info" });
  });
});

describe("finding groups", () => {
  it("groups by severity then rule, errors first", () => {
    const g = groupFindings(a.findings);
    expect(g.map((x) => x.severity)).toEqual(["error", "warning", "info"]);
    expect(must(must(g[0]).rules[0]).rule).toBe("leak-unreleased");
    expect(findingOrder(g)).toEqual([0, 2, 1]);
  });
});

describe("resource query", () => {
  const q = (f: Partial<typeof EMPTY_FILTER>, sort = { key: "id" as const, dir: 1 as const }) => [
    ...queryResources(a, idx, { ...EMPTY_FILTER, ...f }, sort, 12e9),
  ];

  it("filters by device, kind, state and text", () => {
    expect(q({ device: "0:0:0:0" })).toEqual([7, 8]);
    expect(q({ kind: "memory" })).toEqual([2, 6, 7]);
    expect(q({ state: "live" })).toEqual([5, 6]);
    expect(q({ state: "cut-off" })).toEqual([11]);
    expect(q({ state: "finding" })).toEqual([3, 4, 5, 6, 11]);
    expect(q({ text: "AHCI_INIT" })).toEqual([2]);
    expect(q({ text: "kzalloc 1f.2" })).toEqual([2, 6]);
  });

  it("sorts by any column, ties in analysis order", () => {
    expect(q({}, { key: "size", dir: -1 } as never).slice(0, 2)).toEqual([6, 2]);
    expect(q({ device: "0000:00:1f.2" }, { key: "duration", dir: 1 } as never)[0]).toBe(1);
    expect(q({}, { key: "name", dir: 1 } as never)[0]).toBe(9); // devm_action_release
  });
});
