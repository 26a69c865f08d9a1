import type { Analysis, Resource } from "@devscope/tracer";
import { useEffect, useState } from "react";
import { EPOCH_END_LABEL, deviceState, STATE_LABEL } from "../model/device-rows.ts";
import { formatBytes, formatDuration, formatTimestamp } from "../model/format.ts";
import { ruleText } from "../model/rule-info.ts";
import { useApp } from "../state/app-store.ts";
import { useServices } from "../state/services.ts";
import type { SourceLine } from "../worker/engine-types.ts";
import { must } from "../../shared/must.ts";

/** Lines of context shown around each source line. */
const CONTEXT_LINES = 2;

/** The selection in full: a resource's fields and raw source lines, a finding, or a device. */
export function DetailsView() {
  const trace = useApp((s) => s.trace);
  const sel = useApp((s) => s.selection);
  if (!trace) return <div className="empty">Nothing selected.</div>;
  const a = trace.analysis;
  const finding = sel.finding !== null ? a.findings[sel.finding] : undefined;
  const first = sel.resources[0];
  return (
    <div className="details" data-testid="details">
      {finding && <FindingBlock analysis={a} findingIndex={sel.finding as number} />}
      {first !== undefined && a.resources[first] && (
        <ResourceBlock analysis={a} resource={a.resources[first] as Resource} />
      )}
      {finding && sel.resources.length > 1 && <ResourceList analysis={a} indices={sel.resources} />}
      {first === undefined && !finding && sel.device && (
        <DeviceBlock analysis={a} device={sel.device} />
      )}
      {first === undefined && !finding && !sel.device && (
        <div className="faint">
          Select a resource on the timeline or in the table, a finding, or a device.
        </div>
      )}
    </div>
  );
}

function FindingBlock({ analysis, findingIndex }: { analysis: Analysis; findingIndex: number }) {
  const f = must(analysis.findings[findingIndex]);
  const info = ruleText(f.rule);
  return (
    <>
      <h3 style={{ marginTop: 0 }}>
        <span className={`badge ${f.severity}`}>{f.severity}</span>{" "}
        <span className="mono">{f.rule}</span>
      </h3>
      <p style={{ margin: "4px 0 6px" }} data-testid="finding-message">
        {f.message}
      </p>
      {info && (
        <p className="dim" style={{ margin: "0 0 6px" }}>
          {info.help} <span className="faint mono">({info.kernel})</span>
        </p>
      )}
      {f.details && Object.keys(f.details).length > 0 && (
        <dl className="kv">
          {Object.entries(f.details).map(([k, v]) => (
            <Fragment2 key={k} k={k} v={String(v)} />
          ))}
        </dl>
      )}
      {f.line !== undefined && f.resources.length === 0 && (
        <>
          <h3>Evidence</h3>
          <SourceLines src={f.src ?? 0} line={f.line} label="evidence" />
        </>
      )}
    </>
  );
}

function Fragment2({ k, v }: { k: string; v: string }) {
  return (
    <>
      <dt>{k}</dt>
      <dd className="mono">{v}</dd>
    </>
  );
}

function ResourceBlock({ analysis, resource: r }: { analysis: Analysis; resource: Resource }) {
  const trace = must(useApp((s) => s.trace));
  const end = r.endedNs;
  const src = r.src ?? 0;
  const input = analysis.inputs[src];
  return (
    <>
      <h3>
        <span className="mono">{r.recoveredName ?? r.name}</span>{" "}
        <span className="dim">({r.id})</span>
      </h3>
      <dl className="kv" data-testid="resource-fields">
        <dt>device</dt>
        <dd className="mono">
          {r.device} {r.list === "drmm" ? "(drm managed)" : "(devres)"}
        </dd>
        <dt>kind</dt>
        <dd>
          {r.kind}
          {r.kindNote ? <span className="dim"> — {r.kindNote}</span> : null}
        </dd>
        <dt>node</dt>
        <dd className="mono">
          {r.node}
          {r.nodeAfterReplace ? ` → ${r.nodeAfterReplace}` : ""}
        </dd>
        {r.recoveredName && (
          <>
            <dt>printed name</dt>
            <dd className="mono">
              {r.name} {r.nameForm ? <span className="dim">({r.nameForm})</span> : null}
            </dd>
          </>
        )}
        <dt>size</dt>
        <dd>{formatBytes(r.size)}</dd>
        <dt>added</dt>
        <dd className="mono">
          {r.addCutOff ? "before the trace started" : `${formatTimestamp(r.addedNs)} s`}
        </dd>
        <dt>
          {r.end === "removed"
            ? "removed (REM)"
            : r.end === "released"
              ? "released (REL)"
              : "state"}
        </dt>
        <dd
          className="mono"
          style={r.end === "live" ? { color: "var(--live)", fontWeight: 600 } : undefined}
        >
          {end === undefined ? "live at the end of the trace" : `${formatTimestamp(end)} s`}
          {r.endMissing ? " (release not logged: upper bound)" : ""}
        </dd>
        <dt>lifetime</dt>
        <dd>{r.addCutOff ? "—" : formatDuration((end ?? trace.timeline.spanEndNs) - r.addedNs)}</dd>
        <dt>epoch</dt>
        <dd>{r.epoch < 0 ? "outside any epoch" : `#${r.epoch}`}</dd>
        {r.group && (
          <>
            <dt>group</dt>
            <dd className="mono">{r.group}</dd>
          </>
        )}
        {r.allocSite && (
          <>
            <dt>caller</dt>
            <dd className="mono">{r.allocSite}</dd>
          </>
        )}
        {(r.addTask || r.endTask) && (
          <>
            <dt>tasks</dt>
            <dd className="mono">
              {r.addTask ?? "?"} → {r.endTask ?? (r.end === "live" ? "—" : "?")}
            </dd>
          </>
        )}
        {r.replaced && (
          <>
            <dt>replaced</dt>
            <dd>yes (devm_krealloc REPLACE)</dd>
          </>
        )}
      </dl>
      <h3>
        Source <span className="dim mono">{input?.path ?? `input ${src}`}</span>
      </h3>
      {r.addLine !== undefined && <SourceLines src={src} line={r.addLine} label="ADD" />}
      {r.endLine !== undefined && (
        <SourceLines src={src} line={r.endLine} label={r.end === "removed" ? "REM" : "REL"} />
      )}
      {r.addLine === undefined && r.endLine === undefined && (
        <div className="faint">This resource has no source line (synthetic or simulated data).</div>
      )}
    </>
  );
}

/** Reads lines around `line` back from the file through the worker. */
export function SourceLines({ src, line, label }: { src: number; line: number; label: string }) {
  const { engine } = useServices();
  const trace = useApp((s) => s.trace);
  const [state, setState] = useState<{
    key: string;
    lines: SourceLine[] | null;
    error: string | null;
  }>({ key: "", lines: null, error: null });
  const key = `${src}:${line}`;
  useEffect(() => {
    let live = true;
    engine.sourceLines(src, Math.max(1, line - CONTEXT_LINES), line + CONTEXT_LINES).then(
      (lines) => live && setState({ key, lines, error: null }),
      (e: unknown) =>
        live && setState({ key, lines: null, error: e instanceof Error ? e.message : String(e) }),
    );
    return () => {
      live = false;
    };
  }, [engine, src, line, key, trace]);
  const current = state.key === key ? state : { lines: null, error: null };
  return (
    <div className="source" data-testid="source-lines" aria-label={`${label} line ${line}`}>
      {current.error && <div className="notice error">{current.error}</div>}
      {!current.lines && !current.error && (
        <div className="faint" style={{ padding: 4 }}>
          reading line {line}…
        </div>
      )}
      {current.lines?.length === 0 && (
        <div className="faint" style={{ padding: 4 }}>
          line {line} is not available
        </div>
      )}
      {current.lines?.map((l) => (
        <div key={l.line} className={`src-line${l.line === line ? " hit" : ""}`}>
          <span className="ln">{l.line}</span>
          <span>{l.text}</span>
        </div>
      ))}
    </div>
  );
}

function ResourceList({ analysis, indices }: { analysis: Analysis; indices: number[] }) {
  return (
    <>
      <h3>All {indices.length} resources of this finding</h3>
      <div>
        {indices.slice(0, 200).map((i) => {
          const r = analysis.resources[i] as Resource;
          return (
            <div
              key={i}
              className="list-row"
              style={{ height: 20, paddingLeft: 0 }}
              onClick={() =>
                useApp.getState().selectResources([i, ...indices.filter((x) => x !== i)], {
                  finding: useApp.getState().selection.finding,
                })
              }
            >
              <span className="mono dim" style={{ width: 48 }}>
                {r.id}
              </span>
              <span className="mono grow">{r.recoveredName ?? r.name}</span>
              <span className="dim">{formatBytes(r.size)}</span>
              <span className="mono dim">
                {r.end === "live" ? "live" : formatTimestamp(r.endedNs ?? r.addedNs)}
              </span>
            </div>
          );
        })}
        {indices.length > 200 && <div className="faint">… and {indices.length - 200} more</div>}
      </div>
    </>
  );
}

function DeviceBlock({ analysis, device }: { analysis: Analysis; device: string }) {
  const d = analysis.devices.find((x) => x.name === device);
  if (!d) return <div className="faint mono">{device}: no device summary.</div>;
  return (
    <>
      <h3 style={{ marginTop: 0 }}>
        <span className="mono">{d.name}</span> {d.driver && <span className="dim">{d.driver}</span>}
      </h3>
      <dl className="kv">
        <dt>state</dt>
        <dd>{STATE_LABEL[deviceState(d)]}</dd>
        <dt>devres</dt>
        <dd>
          ADD {d.counts.add} · REL {d.counts.rel} · REM {d.counts.rem} · REPLACE {d.counts.replace}{" "}
          · live at end {d.liveAtEnd}
        </dd>
        {d.drm && (
          <>
            <dt>drmm</dt>
            <dd>
              ADD {d.drm.add} · REL {d.drm.rel} · DEL {d.drm.del} · live at end {d.drm.liveAtEnd}
            </dd>
          </>
        )}
      </dl>
      <h3>Epochs</h3>
      <table className="summary-table">
        <thead>
          <tr>
            <th>#</th>
            <th>start (s)</th>
            <th>end (s)</th>
            <th>ended by</th>
            <th>evidence</th>
          </tr>
        </thead>
        <tbody>
          {d.epochs.map((e) => (
            <tr
              key={e.index}
              onClick={() => useApp.getState().zoomToRange(e.start_ns, e.end_ns)}
              style={{ cursor: "pointer" }}
            >
              <td>{e.index}</td>
              <td className="mono">
                {e.startCutOff ? "≤" : ""}
                {formatTimestamp(e.start_ns)}
              </td>
              <td className="mono">{formatTimestamp(e.end_ns)}</td>
              <td>
                {EPOCH_END_LABEL[e.end]}
                {e.errno !== undefined ? ` (${e.errno})` : ""}
              </td>
              <td className="dim">{e.endEvidence ?? ""}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </>
  );
}
