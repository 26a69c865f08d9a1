import { useState } from "react";
import { formatBytes, formatCount } from "../model/format.ts";
import { useApp } from "../state/app-store.ts";
import type { InputSummary } from "../worker/engine-types.ts";
import { SourceLines } from "./details-view.tsx";

/** Per input: format, size, line accounting (parsed / ignored by event / rejected with reasons). */
export function ImportSummaryView() {
  const trace = useApp((s) => s.trace);
  if (!trace) return <div className="empty">No trace imported yet.</div>;
  // The analysis repeats importer notes; show each fact once.
  const inputNotes = new Set(trace.inputs.flatMap((i) => i.notes));
  const notes = (trace.analysis.notes ?? []).filter((n) => !inputNotes.has(n));
  return (
    <div className="details" data-testid="import-summary">
      {trace.inputs.map((inp, i) => (
        <InputBlock key={i} src={i} input={inp} />
      ))}
      {notes.length > 0 && (
        <>
          <h3>Analysis notes</h3>
          {notes.map((n, i) => (
            <div key={i} className="notice">
              {n}
            </div>
          ))}
        </>
      )}
      <p className="faint">
        parse {trace.timing.parseMs.toFixed(0)} ms · analysis {trace.timing.analyzeMs.toFixed(0)} ms
        · timeline {trace.timing.buildMs.toFixed(0)} ms
      </p>
    </div>
  );
}

function InputBlock({ input, src }: { input: InputSummary; src: number }) {
  const [showIgnored, setShowIgnored] = useState(false);
  const [openRejected, setOpenRejected] = useState<number | null>(null);
  const l = input.lines;
  const ignoredTotal = Object.values(l.ignored).reduce((a, b) => a + b, 0);
  const ignored = Object.entries(l.ignored).sort((a, b) => b[1] - a[1]);
  return (
    <section data-testid="input-summary" data-format={input.format} style={{ marginBottom: 12 }}>
      <h3 style={{ marginTop: 0 }}>
        <span className="mono">{input.name}</span>
      </h3>
      {input.error && (
        <div className="notice error" data-testid="import-error">
          {input.error}
        </div>
      )}
      <table className="summary-table">
        <tbody>
          <tr>
            <th>format</th>
            <td data-testid="summary-format">
              {input.format}
              {input.gzip ? " (gzip)" : ""}
            </td>
            <th>size</th>
            <td>{formatBytes(input.bytes)}</td>
          </tr>
          <tr>
            <th>lines</th>
            <td className="num" data-testid="summary-lines">
              {formatCount(l.total)}
            </td>
            <th>parsed</th>
            <td className="num" data-testid="summary-parsed">
              {formatCount(l.parsed)}
            </td>
          </tr>
          <tr>
            <th>ignored</th>
            <td className="num" data-testid="summary-ignored">
              <button
                className="btn ghost small"
                onClick={() => setShowIgnored((v) => !v)}
                aria-expanded={showIgnored}
                disabled={ignored.length === 0}
              >
                {formatCount(ignoredTotal)} {ignored.length ? (showIgnored ? "▾" : "▸") : ""}
              </button>
            </td>
            <th>rejected</th>
            <td
              className="num"
              data-testid="summary-rejected"
              style={l.rejected ? { color: "var(--error)", fontWeight: 600 } : undefined}
            >
              {formatCount(l.rejected)}
            </td>
          </tr>
          <tr>
            <th>events</th>
            <td className="num">{formatCount(input.events)}</td>
            <th>parse time</th>
            <td className="num">{input.parseMs.toFixed(0)} ms</td>
          </tr>
        </tbody>
      </table>
      {showIgnored && (
        <table className="summary-table" style={{ marginTop: 4 }} data-testid="ignored-breakdown">
          <tbody>
            {ignored.map(([name, n]) => (
              <tr key={name}>
                <td className="mono">{name}</td>
                <td className="num">{formatCount(n)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {l.rejected > 0 && (
        <>
          <h3>
            Rejected lines{" "}
            {l.rejectedSamples.length < l.rejected && (
              <span className="faint">
                (first {l.rejectedSamples.length} of {formatCount(l.rejected)})
              </span>
            )}
          </h3>
          {l.rejectedSamples.map((r, i) => (
            <div key={i} data-testid="rejected-line">
              <div
                className="list-row"
                style={{
                  height: "auto",
                  whiteSpace: "normal",
                  alignItems: "baseline",
                  cursor: "pointer",
                }}
                onClick={() => setOpenRejected(openRejected === i ? null : i)}
              >
                <span className="mono dim">line {r.line}</span>
                <span className="grow">{r.reason}</span>
              </div>
              {openRejected === i ? (
                <SourceLines src={r.src ?? src} line={r.line} label="rejected" />
              ) : (
                r.text !== undefined && (
                  <div className="source">
                    <div className="src-line hit">
                      <span className="ln">{r.line}</span>
                      <span>{r.text}</span>
                    </div>
                  </div>
                )
              )}
            </div>
          ))}
        </>
      )}
      {input.notes.map((n, i) => (
        <div key={i} className="notice">
          {n}
        </div>
      ))}
    </section>
  );
}
