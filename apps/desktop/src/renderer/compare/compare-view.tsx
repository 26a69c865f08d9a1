import type { Analysis, DeviceDiff, DiffSide, DiffType, Resource } from "@devscope/tracer";
import { useVirtualizer } from "@tanstack/react-virtual";
import { useEffect, useMemo, useRef } from "react";
import { formatTimestamp } from "../model/format.ts";
import { CompareLanes } from "./compare-lanes.tsx";
import {
  type CompareEntry,
  countTypes,
  laneModel,
  type LaneModel,
  TYPE_LABEL,
  TYPE_MARK,
} from "./compare-model.ts";
import { useCompare } from "./compare-store.ts";
import type { CompareResult } from "./compare-types.ts";
import "./compare.css";

/** Lists up to this many entries as plain DOM rows; longer ones are virtualised. */
const PLAIN_ROWS_MAX = 2000;
const ROW_PX = 24;

const TYPES: readonly DiffType[] = ["matched", "onlyA", "onlyB", "resized", "reordered", "cutOff"];

function scoreClass(x: number): string {
  return x >= 0.999 ? "ok" : x >= 0.9 ? "warning" : "error";
}

/**
 * The Compare view: two traces (or a trace and a simulation run) side by side, aligned by
 * resource identity (docs/diff.md). Left: device pairs with their scores; top: the
 * synchronised lanes of the selected pair; below: every alignment row as a list (filter by
 * kind, click selects it in the lanes) and the selected resource on both sides.
 */
export function CompareView() {
  const open = useCompare((s) => s.viewOpen);
  const result = useCompare((s) => s.result);
  if (!open || !result) return null;
  return <CompareBody result={result} />;
}

function CompareBody({ result }: { result: CompareResult }) {
  const st = useCompare();
  const { diff } = result;
  const dev: DeviceDiff | undefined = diff.devices[st.device];
  const model = useMemo<LaneModel | null>(
    () => (dev ? laneModel(dev, st.order) : null),
    [dev, st.order],
  );
  const selectedIndex = model ? model.entries.findIndex((e) => e.key === st.selected) : -1;
  const counts = useMemo(() => (model ? countTypes(model.entries) : null), [model]);
  const visible = useMemo(
    () =>
      model ? model.entries.map((e, i) => [e, i] as const).filter(([e]) => st.types[e.type]) : [],
    [model, st.types],
  );
  const s = diff.summary;
  return (
    <section
      className="compare-view"
      aria-label="Compare traces"
      data-testid="compare-view"
      data-score={diff.score}
    >
      <header className="compare-head">
        <div className="compare-sides">
          <span className="badge neutral">A</span>
          <span className="mono" title={result.a.title} data-testid="compare-title-a">
            {result.a.title}
          </span>
          <span className="dim">vs</span>
          <span className="badge neutral">B</span>
          <span className="mono" title={result.b.title} data-testid="compare-title-b">
            {result.b.title}
          </span>
        </div>
        <span
          className={`compare-score ${scoreClass(diff.score)}`}
          data-testid="compare-score"
          title="score = min(how much of A is in B, how much of B is in A); docs/diff.md"
        >
          score {diff.score.toFixed(2)}
        </span>
        <Cover x={diff} />
        <span className="dim">
          {s.matched} matched · {s.onlyA} only A · {s.onlyB} only B · {s.reordered} reordered ·{" "}
          {s.resized} resized
          {s.cutOff > 0 ? ` · ${s.cutOff} cut off` : ""}
        </span>
        <span className="grow" />
        <button className="btn" onClick={() => st.setDialogOpen(true)} data-testid="compare-again">
          Compare…
        </button>
        <button
          className="btn"
          onClick={() => st.closeView()}
          data-testid="compare-close"
          title="Back to the open trace (Esc)"
        >
          Close
        </button>
      </header>
      <div className="compare-main">
        <aside className="compare-devices" aria-label="Device pairs">
          <div className="panel-header">
            Device pairs <span className="count">{diff.devices.length}</span>
          </div>
          <div className="compare-device-list" role="listbox" aria-label="Device pairs">
            {diff.devices.map((d, i) => (
              <div
                key={`${d.a}=${d.b}:${d.epochA ?? ""}:${d.epochB ?? ""}`}
                role="option"
                aria-selected={i === st.device}
                className="list-row compare-device"
                data-testid="compare-device"
                data-a={d.a}
                data-b={d.b}
                data-score={d.score}
                onClick={() => st.selectDevice(i)}
                title={`${d.a} ↔ ${d.b} (${d.pairing === "name" ? "same name" : d.pairing === "map" ? "mapped" : "paired automatically"})`}
              >
                <span className="mono grow ellipsis">
                  {d.a === d.b ? d.a : `${d.a} ↔ ${d.b}`}
                  {d.epochA !== undefined || d.epochB !== undefined
                    ? ` #${d.epochA ?? "*"}↔#${d.epochB ?? "*"}`
                    : ""}
                </span>
                {d.pairing !== "name" && <span className="chip">{d.pairing}</span>}
                <span className={`compare-score small ${scoreClass(d.score)}`}>
                  {d.score.toFixed(2)}
                </span>
              </div>
            ))}
            {diff.onlyA.map((n) => (
              <div
                key={`a:${n}`}
                className="list-row faint"
                data-testid="compare-device-only"
                data-side="a"
                title="Only in A"
              >
                <span className="mono grow ellipsis">{n}</span>
                <span className="chip">only A</span>
              </div>
            ))}
            {diff.onlyB.map((n) => (
              <div
                key={`b:${n}`}
                className="list-row faint"
                data-testid="compare-device-only"
                data-side="b"
                title="Only in B"
              >
                <span className="mono grow ellipsis">{n}</span>
                <span className="chip">only B</span>
              </div>
            ))}
            {diff.devices.length === 0 && (
              <div className="notice">
                No device is in both traces. Map them (A=B) or pair them automatically with
                Compare….
              </div>
            )}
          </div>
          {diff.notes.length > 0 && (
            <div className="compare-notes" data-testid="compare-notes">
              {diff.notes.map((n) => (
                <p key={n}>{n}</p>
              ))}
            </div>
          )}
        </aside>
        {dev && model && counts ? (
          <div className="compare-detail">
            <div className="compare-toolbar">
              <div className="tabs" role="tablist" aria-label="Order">
                {(["add", "release"] as const).map((o) => (
                  <button
                    key={o}
                    className="tab"
                    role="tab"
                    aria-selected={st.order === o}
                    onClick={() => st.setOrder(o)}
                    data-testid={`compare-order-${o}`}
                  >
                    {o === "add" ? "Acquisition order" : "Release order"}
                  </button>
                ))}
              </div>
              <span className="dim">
                {dev.epochs.length} epoch pair(s), paired{" "}
                {dev.epochPairing === "order" ? "in order" : "by best score"}
              </span>
              <span className="grow" />
              <span
                className={`compare-score ${scoreClass(dev.score)}`}
                data-testid="compare-device-score"
              >
                {dev.a === dev.b ? dev.a : `${dev.a} ↔ ${dev.b}`} {dev.score.toFixed(2)}
              </span>
              <Cover x={dev} />
            </div>
            <CompareLanes
              model={model}
              deviceA={dev.a}
              deviceB={dev.b}
              selected={selectedIndex}
              revealSeq={st.revealSeq}
              onSelect={(i) => st.select(model.entries[i]?.key ?? null, true)}
            />
            <EpochNotes dev={dev} />
            <div className="compare-bottom">
              <div className="compare-list-panel">
                <div
                  className="panel-header compare-filters"
                  role="toolbar"
                  aria-label="Show kinds"
                >
                  {TYPES.filter((t) => t !== "cutOff" || counts.cutOff > 0).map((t) => (
                    <button
                      key={t}
                      className={`compare-chip ${t}`}
                      aria-pressed={st.types[t]}
                      onClick={() => st.toggleType(t)}
                      data-testid={`compare-filter-${t}`}
                    >
                      <span className="mark">{TYPE_MARK[t]}</span> {TYPE_LABEL[t]}{" "}
                      <span className="count">{counts[t]}</span>
                    </button>
                  ))}
                  <span className="grow" />
                  <button
                    className="btn small ghost"
                    onClick={() => st.showOnlyDifferences(st.types.matched)}
                    data-testid="compare-differences-only"
                  >
                    {st.types.matched ? "Differences only" : "Show all"}
                  </button>
                </div>
                <DiffList
                  entries={visible}
                  dev={dev}
                  selected={st.selected}
                  revealSeq={st.revealSeq}
                  onSelect={(key) => st.select(key, true)}
                />
              </div>
              <EntryDetails result={result} entry={model.entries[selectedIndex]} dev={dev} />
            </div>
          </div>
        ) : (
          <div className="empty">Nothing to compare.</div>
        )}
      </div>
    </section>
  );
}

/** How much of A is found in B and of B in A (the score is the smaller one). */
function Cover({ x }: { x: { coverA: number; coverB: number } }) {
  return (
    <span
      className="dim"
      data-testid="compare-cover"
      data-cover-a={x.coverA}
      data-cover-b={x.coverB}
    >
      A in B {x.coverA.toFixed(2)} · B in A {x.coverB.toFixed(2)}
    </span>
  );
}

function EpochNotes({ dev }: { dev: DeviceDiff }) {
  const notes = dev.epochs.flatMap((e) =>
    (e.notes ?? []).map(
      (n) => `${e.a === null ? "A —" : `A#${e.a}`} ↔ ${e.b === null ? "B —" : `B#${e.b}`}: ${n}`,
    ),
  );
  if (notes.length === 0) return null;
  const shown = notes.slice(0, 4);
  return (
    <div className="compare-epoch-notes dim" data-testid="compare-epoch-notes">
      {shown.map((n) => (
        <div key={n}>{n}</div>
      ))}
      {notes.length > shown.length && <div>… {notes.length - shown.length} more</div>}
    </div>
  );
}

function sideText(s: DiffSide | undefined): string {
  if (!s) return "";
  return `${s.size} B  ${s.id}  #${s.pos}`;
}

function epochText(dev: DeviceDiff, e: CompareEntry): string {
  const ep = dev.epochs[e.epoch];
  if (!ep) return "";
  return `${ep.a === null ? "—" : ep.a}↔${ep.b === null ? "—" : ep.b}`;
}

function DiffList({
  entries,
  dev,
  selected,
  revealSeq,
  onSelect,
}: {
  entries: readonly (readonly [CompareEntry, number])[];
  dev: DeviceDiff;
  selected: string | null;
  revealSeq: number;
  onSelect(key: string): void;
}) {
  const scroller = useRef<HTMLDivElement>(null);
  const virtual = entries.length > PLAIN_ROWS_MAX;
  // eslint-disable-next-line react-hooks/incompatible-library -- TanStack Virtual, as in resources-view
  const v = useVirtualizer({
    count: virtual ? entries.length : 0,
    getScrollElement: () => scroller.current,
    estimateSize: () => ROW_PX,
    overscan: 20,
  });
  const selIndex = entries.findIndex(([e]) => e.key === selected);
  // Keep the selected row in view when it was selected elsewhere (lanes, n/p).
  useEffect(() => {
    if (selIndex < 0) return;
    if (virtual) v.scrollToIndex(selIndex, { align: "auto" });
    else
      scroller.current
        ?.querySelector(`[data-key="${CSS.escape(selected ?? "")}"]`)
        ?.scrollIntoView?.({ block: "nearest" });
    // Only on an explicit reveal.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [revealSeq]);
  const row = (e: CompareEntry, style?: React.CSSProperties) => (
    <div
      key={e.key}
      role="option"
      aria-selected={e.key === selected}
      className={`compare-row ${e.type}`}
      data-testid="diff-row"
      data-kind={e.type}
      data-key={e.key}
      data-name={e.name}
      data-list={e.list}
      data-at={e.at}
      style={style}
      onClick={() => onSelect(e.key)}
      title={e.note}
    >
      <span className="mark">{TYPE_MARK[e.type]}</span>
      <span className="ep dim">{epochText(dev, e)}</span>
      <span className="name mono ellipsis">
        {e.name}
        {e.list === "drmm" && <span className="chip">drmm</span>}
      </span>
      <span className="side mono">{sideText(e.a)}</span>
      <span className="side mono">{sideText(e.b)}</span>
      <span className="note dim ellipsis">
        {e.moved ? "moved" : ""}
        {e.note ?? ""}
      </span>
    </div>
  );
  return (
    <div
      className="compare-list"
      ref={scroller}
      role="listbox"
      aria-label="Alignment rows"
      tabIndex={0}
      data-testid="diff-list"
      onKeyDown={(ev) => {
        if (ev.key !== "ArrowDown" && ev.key !== "ArrowUp") return;
        ev.preventDefault();
        const next = Math.max(
          0,
          Math.min(entries.length - 1, selIndex + (ev.key === "ArrowDown" ? 1 : -1)),
        );
        const e = entries[next];
        if (e) onSelect(e[0].key);
      }}
    >
      <div className="compare-row head">
        <span className="mark" />
        <span className="ep">epochs</span>
        <span className="name">resource</span>
        <span className="side">A: size id #pos</span>
        <span className="side">B: size id #pos</span>
        <span className="note">note</span>
      </div>
      {entries.length === 0 && <div className="empty">No row of the selected kinds.</div>}
      {virtual ? (
        <div style={{ height: v.getTotalSize(), position: "relative" }}>
          {v.getVirtualItems().map((it) => {
            const e = entries[it.index];
            return e
              ? row(e[0], {
                  position: "absolute",
                  top: it.start,
                  left: 0,
                  right: 0,
                  height: ROW_PX,
                })
              : null;
          })}
        </div>
      ) : (
        entries.map(([e]) => row(e))
      )}
    </div>
  );
}

function resourceOf(a: Analysis, id: string | undefined): Resource | undefined {
  if (id === undefined) return undefined;
  const n = Number(id.slice(1));
  const r = a.resources[n];
  return r?.id === id ? r : a.resources.find((x) => x.id === id);
}

function EntryDetails({
  result,
  entry,
  dev,
}: {
  result: CompareResult;
  entry: CompareEntry | undefined;
  dev: DeviceDiff;
}) {
  if (!entry) {
    return (
      <div className="compare-entry-details empty" data-testid="compare-details">
        Select a row or a box to see both sides.
      </div>
    );
  }
  const ep = dev.epochs[entry.epoch];
  const side = (label: string, a: Analysis, s: DiffSide | undefined) => {
    const r = resourceOf(a, s?.id);
    return (
      <div className="compare-side-details">
        <h3>{label}</h3>
        {s && r ? (
          <dl className="kv">
            <dt>name</dt>
            <dd className="mono">{r.name}</dd>
            <dt>kind</dt>
            <dd>{r.kind}</dd>
            <dt>size</dt>
            <dd>{r.size} bytes</dd>
            <dt>id</dt>
            <dd className="mono">{r.id}</dd>
            <dt>epoch</dt>
            <dd>{r.epoch}</dd>
            <dt>added</dt>
            <dd>
              {r.addCutOff
                ? "before the trace"
                : `${formatTimestamp(r.addedNs)} s${r.addLine !== undefined ? `, line ${r.addLine}` : ""}`}
            </dd>
            <dt>ended</dt>
            <dd>
              {r.endedNs === undefined
                ? "still listed"
                : `${r.end} ${formatTimestamp(r.endedNs)} s${r.endLine !== undefined ? `, line ${r.endLine}` : ""}`}
            </dd>
            {r.allocSite !== undefined && (
              <>
                <dt>allocated by</dt>
                <dd className="mono">{r.allocSite}</dd>
              </>
            )}
          </dl>
        ) : (
          <div className="faint">not on this side</div>
        )}
      </div>
    );
  };
  return (
    <div className="compare-entry-details" data-testid="compare-details" data-kind={entry.type}>
      <div className="compare-entry-title">
        <span className={`compare-chip ${entry.type}`} aria-pressed>
          <span className="mark">{TYPE_MARK[entry.type]}</span> {TYPE_LABEL[entry.type]}
        </span>
        <span className="mono">{entry.name}</span>
        <span className="dim">
          {entry.at === "add" ? "acquisition order" : "release order"}
          {ep ? ` · A#${ep.a ?? "—"} ↔ B#${ep.b ?? "—"}` : ""}
        </span>
      </div>
      {entry.note && <p className="dim">{entry.note}</p>}
      <div className="compare-sides-details">
        {side("A", result.a.analysis, entry.a)}
        {side("B", result.b.analysis, entry.b)}
      </div>
    </div>
  );
}
