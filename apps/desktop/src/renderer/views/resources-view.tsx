import { useVirtualizer } from "@tanstack/react-virtual";
import { type KeyboardEvent, useEffect, useMemo, useRef } from "react";
import { formatBytes, formatDuration, formatTimestamp } from "../model/format.ts";
import { queryResources, type ResourceFilter, type SortKey } from "../model/resource-query.ts";
import { useApp } from "../state/app-store.ts";
import { KIND_COLORS } from "../timeline/timeline-theme.ts";
import { must } from "../../shared/must.ts";

const COLUMNS: { key: SortKey; label: string; title: string; numeric?: boolean }[] = [
  { key: "id", label: "id", title: "Resource id (order of first appearance)" },
  { key: "device", label: "device", title: "Device whose devres (or drmm) list holds it" },
  { key: "name", label: "name", title: "Release function name as logged" },
  { key: "kind", label: "kind", title: "Resource kind from the release name" },
  { key: "size", label: "size", title: "Payload bytes as logged", numeric: true },
  { key: "addedNs", label: "added (s)", title: "ADD time", numeric: true },
  { key: "endedNs", label: "ended (s)", title: "REL/REM time", numeric: true },
  {
    key: "duration",
    label: "lifetime",
    title: "ADD to REL/REM (or to the trace end)",
    numeric: true,
  },
  { key: "end", label: "end", title: "released (REL), removed (REM) or live at the end" },
  { key: "epoch", label: "ep", title: "Bind epoch index", numeric: true },
];
const GRID =
  "54px minmax(90px, 1fr) minmax(150px, 2fr) 86px 62px 92px 92px 72px 64px 30px minmax(110px, 1.4fr)";
const ROW_PX = 22;

const STATES: { value: ResourceFilter["state"]; label: string }[] = [
  { value: "", label: "any state" },
  { value: "released", label: "released" },
  { value: "removed", label: "removed" },
  { value: "live", label: "live at end" },
  { value: "cut-off", label: "added before trace" },
  { value: "finding", label: "named by a finding" },
];

/** Every resource in a virtualized, sortable, filterable table. */
export function ResourcesView() {
  const trace = useApp((s) => s.trace);
  const index = useApp((s) => s.index);
  const filter = useApp((s) => s.filter);
  const sort = useApp((s) => s.sort);
  const selection = useApp((s) => s.selection.resources);
  const revealSeq = useApp((s) => s.revealSeq);
  const deviceOrder = useApp((s) => s.deviceOrder);
  const scrollRef = useRef<HTMLDivElement>(null);

  const rows = useMemo(
    () =>
      trace && index
        ? queryResources(trace.analysis, index, filter, sort, trace.timeline.spanEndNs)
        : new Uint32Array(0),
    [trace, index, filter, sort],
  );
  const posOf = useMemo(() => {
    const m = new Map<number, number>();
    rows.forEach((r, i) => m.set(r, i));
    return m;
  }, [rows]);
  const selectedSet = useMemo(() => new Set(selection), [selection]);

  // TanStack Virtual returns fresh functions each render; this component is not compiler-memoized.
  // eslint-disable-next-line react-hooks/incompatible-library
  const virt = useVirtualizer({
    count: rows.length,
    getScrollElement: () => scrollRef.current,
    estimateSize: () => ROW_PX,
    overscan: 12,
  });

  useEffect(() => {
    const first = useApp.getState().selection.resources[0];
    if (first === undefined) return;
    const pos = posOf.get(first);
    if (pos !== undefined) virt.scrollToIndex(pos, { align: "auto" });
    // Only when a view asks to reveal the selection (revealSeq), not on every re-render.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [revealSeq, posOf]);

  const move = (to: number): void => {
    if (rows.length === 0) return;
    const pos = Math.max(0, Math.min(rows.length - 1, to));
    useApp.getState().selectResources([rows[pos] as number], { reveal: false });
    virt.scrollToIndex(pos, { align: "auto" });
  };
  const onKey = (e: KeyboardEvent<HTMLDivElement>): void => {
    const cur = selection[0] !== undefined ? (posOf.get(selection[0]) ?? -1) : -1;
    const page = Math.max(1, Math.floor((scrollRef.current?.clientHeight ?? 200) / ROW_PX) - 1);
    let handled = true;
    if (e.key === "ArrowDown") move(cur + 1);
    else if (e.key === "ArrowUp") move(cur - 1);
    else if (e.key === "PageDown") move(cur + page);
    else if (e.key === "PageUp") move(cur - page);
    else if (e.key === "Home") move(0);
    else if (e.key === "End") move(rows.length - 1);
    else if (e.key === "Enter") useApp.getState().zoomToSelection();
    else handled = false;
    if (handled) e.preventDefault();
  };

  const setFilter = useApp.getState().setFilter;
  const a = trace?.analysis;
  return (
    <section className="panel" style={{ flex: 1 }} aria-label="Resources">
      <div className="panel-header">
        Resources{" "}
        <span className="count" data-testid="resource-count">
          {rows.length.toLocaleString("en")}
          {a && rows.length !== a.resources.length
            ? ` of ${a.resources.length.toLocaleString("en")}`
            : ""}
        </span>
      </div>
      <div className="filters" role="search">
        <select
          aria-label="Filter by device"
          value={filter.device}
          onChange={(e) => setFilter({ device: e.target.value })}
          data-testid="filter-device"
        >
          <option value="">all devices</option>
          {deviceOrder.map((d) => (
            <option key={d} value={d}>
              {d}
            </option>
          ))}
        </select>
        <select
          aria-label="Filter by kind"
          value={filter.kind}
          onChange={(e) => setFilter({ kind: e.target.value })}
          data-testid="filter-kind"
        >
          <option value="">all kinds</option>
          {index?.kinds.map((k) => (
            <option key={k} value={k}>
              {k}
            </option>
          ))}
        </select>
        <select
          aria-label="Filter by state"
          value={filter.state}
          onChange={(e) => setFilter({ state: e.target.value as ResourceFilter["state"] })}
          data-testid="filter-state"
        >
          {STATES.map((s) => (
            <option key={s.value} value={s.value}>
              {s.label}
            </option>
          ))}
        </select>
        <input
          type="search"
          placeholder="Search name, node, device, caller…"
          aria-label="Search resources"
          value={filter.text}
          onChange={(e) => setFilter({ text: e.target.value })}
          data-testid="filter-text"
        />
      </div>
      <div className="table-head" style={{ gridTemplateColumns: GRID }} role="row">
        {COLUMNS.map((c) => (
          <button
            key={c.key}
            title={c.title}
            className={c.numeric ? "num" : undefined}
            aria-sort={
              sort.key === c.key ? (sort.dir === 1 ? "ascending" : "descending") : undefined
            }
            onClick={() =>
              useApp
                .getState()
                .setSort({ key: c.key, dir: sort.key === c.key ? (sort.dir === 1 ? -1 : 1) : 1 })
            }
          >
            {c.label}
          </button>
        ))}
        <span title="Real devm caller (kmalloc call_site), when kmem events were traced">
          caller
        </span>
      </div>
      <div
        className="panel-body"
        ref={scrollRef}
        tabIndex={0}
        role="grid"
        aria-label="Resources"
        aria-rowcount={rows.length}
        data-view="resources"
        onKeyDown={onKey}
      >
        {a && rows.length === 0 && <div className="empty">No resource matches these filters.</div>}
        <div style={{ height: virt.getTotalSize(), position: "relative" }}>
          {a &&
            virt.getVirtualItems().map((v) => {
              const ri = rows[v.index] as number;
              const r = must(a.resources[ri]);
              const flagged = index?.findingsOfResource.has(ri) ?? false;
              const end = r.endedNs ?? must(trace).timeline.spanEndNs;
              return (
                <div
                  key={ri}
                  role="row"
                  aria-rowindex={v.index + 1}
                  aria-selected={selectedSet.has(ri)}
                  className={`table-row${r.end === "live" ? " live" : ""}${flagged ? " flagged" : ""}`}
                  style={{ gridTemplateColumns: GRID, transform: `translateY(${v.start}px)` }}
                  data-testid="resource-row"
                  data-resource={r.id}
                  onClick={(e) =>
                    useApp.getState().selectResources([ri], { reveal: false, focus: e.detail >= 2 })
                  }
                >
                  <span className="mono dim">{r.id}</span>
                  <span className="mono" title={r.device}>
                    {r.device}
                    {r.list === "drmm" ? <span className="dim"> drm</span> : null}
                  </span>
                  <span
                    className="mono name"
                    title={r.nameForm ? `${r.name} (${r.nameForm})` : r.name}
                  >
                    {r.recoveredName ?? r.name}
                  </span>
                  <span>
                    <span
                      className="kind-swatch"
                      style={{
                        background:
                          KIND_COLORS[r.kind as keyof typeof KIND_COLORS] ?? KIND_COLORS.other,
                      }}
                    />
                    {r.kind}
                  </span>
                  <span className="num">{formatBytes(r.size)}</span>
                  <span className="num mono">
                    {r.addCutOff ? "<start" : formatTimestamp(r.addedNs)}
                  </span>
                  <span className="num mono">
                    {r.endedNs === undefined ? "—" : formatTimestamp(r.endedNs)}
                  </span>
                  <span className="num">{r.addCutOff ? "—" : formatDuration(end - r.addedNs)}</span>
                  <span className="end">{r.end}</span>
                  <span className="num">{r.epoch}</span>
                  <span className="mono dim" title={r.allocSite}>
                    {r.allocSite ?? ""}
                  </span>
                </div>
              );
            })}
        </div>
      </div>
    </section>
  );
}
