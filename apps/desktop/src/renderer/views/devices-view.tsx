import { type KeyboardEvent, useMemo, useRef, useState } from "react";
import { type DeviceRow, deviceRows, EPOCH_END_LABEL, STATE_LABEL } from "../model/device-rows.ts";
import { formatDuration, formatTimestamp } from "../model/format.ts";
import { useApp } from "../state/app-store.ts";
import { must } from "../../shared/must.ts";

type FlatRow =
  { kind: "device"; row: DeviceRow } | { kind: "epoch"; row: DeviceRow; epoch: number };

/** Devices with their state, epochs, resource counts, live-at-end and findings. */
export function DevicesView() {
  const trace = useApp((s) => s.trace);
  const index = useApp((s) => s.index);
  const order = useApp((s) => s.deviceOrder);
  const selected = useApp((s) => s.selection.device);
  const [expanded, setExpanded] = useState<ReadonlySet<string>>(new Set());
  const [active, setActive] = useState(0);
  const listRef = useRef<HTMLDivElement>(null);

  const rows = useMemo(
    () => (trace && index ? deviceRows(trace.analysis, index, order) : []),
    [trace, index, order],
  );
  const flat = useMemo(() => {
    const out: FlatRow[] = [];
    for (const row of rows) {
      out.push({ kind: "device", row });
      if (expanded.has(row.name))
        row.epochs.forEach((_, epoch) => out.push({ kind: "epoch", row, epoch }));
    }
    return out;
  }, [rows, expanded]);

  const toggle = (name: string, open?: boolean): void => {
    setExpanded((prev) => {
      const next = new Set(prev);
      if (open ?? !next.has(name)) next.add(name);
      else next.delete(name);
      return next;
    });
  };
  const activate = (r: FlatRow): void => {
    const s = useApp.getState();
    if (r.kind === "device") {
      s.selectDevice(r.row.name);
      s.setFilter({ device: r.row.name });
    } else {
      const e = must(r.row.epochs[r.epoch]);
      s.selectDevice(r.row.name);
      s.zoomToRange(e.start_ns, e.end_ns);
    }
  };
  const focusRow = (i: number): void => {
    const n = Math.max(0, Math.min(flat.length - 1, i));
    setActive(n);
    const rows = listRef.current?.querySelectorAll<HTMLElement>("[data-row]");
    rows?.item(n)?.scrollIntoView({ block: "nearest" });
  };
  const onKey = (e: KeyboardEvent<HTMLDivElement>): void => {
    const r = flat[active];
    let handled = true;
    if (e.key === "ArrowDown") focusRow(active + 1);
    else if (e.key === "ArrowUp") focusRow(active - 1);
    else if (e.key === "Home") focusRow(0);
    else if (e.key === "End") focusRow(flat.length - 1);
    else if (e.key === "ArrowRight" && r?.kind === "device") toggle(r.row.name, true);
    else if (e.key === "ArrowLeft" && r) {
      if (r.kind === "device") toggle(r.row.name, false);
      else focusRow(flat.findIndex((x) => x.kind === "device" && x.row.name === r.row.name));
    } else if ((e.key === "Enter" || e.key === " ") && r) activate(r);
    else handled = false;
    if (handled) e.preventDefault();
  };

  const liveTotal = rows.reduce((s, r) => s + r.liveAtEnd, 0);
  return (
    <section className="panel" style={{ flex: 1 }} aria-label="Devices">
      <div className="panel-header">
        Devices <span className="count">{rows.length}</span>
        <span className="spacer" />
        {liveTotal > 0 && (
          <span className="faint" style={{ fontWeight: 400 }}>
            {liveTotal} live at end
          </span>
        )}
      </div>
      <div
        className="panel-body"
        ref={listRef}
        tabIndex={0}
        role="tree"
        aria-label="Devices and bind epochs"
        data-view="devices"
        onKeyDown={onKey}
      >
        {rows.length === 0 && <div className="empty">Open a trace to see its devices.</div>}
        {flat.map((r, i) =>
          r.kind === "device" ? (
            <div
              key={r.row.name}
              data-row
              data-testid="device-row"
              data-device={r.row.name}
              data-state={r.row.state}
              data-add={r.row.add}
              data-rel={r.row.rel}
              data-rem={r.row.rem}
              data-live={r.row.liveAtEnd}
              data-epochs={r.row.epochs.length}
              data-findings={r.row.findings}
              data-drm={
                r.row.drm
                  ? `${r.row.drm.add}/${r.row.drm.rel}/${r.row.drm.del}/${r.row.drm.liveAtEnd}`
                  : undefined
              }
              role="treeitem"
              aria-expanded={expanded.has(r.row.name)}
              aria-selected={selected === r.row.name}
              className="list-row"
              style={i === active ? { boxShadow: "inset 2px 0 0 var(--accent)" } : undefined}
              onClick={() => {
                setActive(i);
                activate(r);
              }}
              title={`${r.row.name}: ${STATE_LABEL[r.row.state]}`}
            >
              <button
                className="twisty"
                tabIndex={-1}
                aria-label={expanded.has(r.row.name) ? "Collapse" : "Expand"}
                onClick={(e) => {
                  e.stopPropagation();
                  toggle(r.row.name);
                }}
              >
                {r.row.epochs.length ? (expanded.has(r.row.name) ? "▾" : "▸") : ""}
              </button>
              <span className={`state-dot ${r.row.state}`} aria-label={STATE_LABEL[r.row.state]} />
              <span className="mono grow">
                {r.row.name} {r.row.driver && <span className="dim">{r.row.driver}</span>}
              </span>
              <span className="chip" title="bind epochs">
                {r.row.epochs.length}×
              </span>
              <span
                className="num dim mono"
                title="devres ADD / REL / REM"
                style={{ minWidth: 76 }}
              >
                {r.row.add}/{r.row.rel}/{r.row.rem}
              </span>
              {r.row.liveAtEnd > 0 ? (
                <span
                  className="badge live"
                  title="devres nodes live at the end of the trace"
                  data-testid="live-at-end"
                >
                  {r.row.liveAtEnd}
                </span>
              ) : (
                <span style={{ minWidth: 18 }} />
              )}
              {r.row.findings > 0 ? (
                <span
                  className={`badge ${r.row.worst ?? "info"}`}
                  title={`${r.row.findings} finding(s), worst: ${r.row.worst}`}
                  data-testid="device-findings"
                >
                  {r.row.findings}
                </span>
              ) : (
                <span style={{ minWidth: 18 }} />
              )}
            </div>
          ) : (
            <EpochRow
              key={`${r.row.name}#${r.epoch}`}
              row={r.row}
              epoch={r.epoch}
              active={i === active}
              onClick={() => (setActive(i), activate(r))}
            />
          ),
        )}
      </div>
    </section>
  );
}

function EpochRow({
  row,
  epoch,
  active,
  onClick,
}: {
  row: DeviceRow;
  epoch: number;
  active: boolean;
  onClick: () => void;
}) {
  const e = must(row.epochs[epoch]);
  return (
    <div
      data-row
      data-testid="epoch-row"
      role="treeitem"
      className="list-row sub"
      style={active ? { boxShadow: "inset 2px 0 0 var(--accent)" } : undefined}
      onClick={onClick}
      title={e.endEvidence ? `ended by ${EPOCH_END_LABEL[e.end]}: ${e.endEvidence}` : undefined}
    >
      <span className="mono">#{e.index}</span>
      <span className="mono grow">
        {e.startCutOff ? "…" : ""}
        {formatTimestamp(e.start_ns, 3)}–{formatTimestamp(e.end_ns, 3)} s
      </span>
      <span>{formatDuration(e.end_ns - e.start_ns)}</span>
      <span
        style={{
          color:
            e.end === "probe-failed"
              ? "var(--error)"
              : e.end === "bound-at-end"
                ? "var(--warning)"
                : undefined,
        }}
      >
        {EPOCH_END_LABEL[e.end]}
        {e.errno !== undefined ? ` (${e.errno})` : ""}
      </span>
    </div>
  );
}
