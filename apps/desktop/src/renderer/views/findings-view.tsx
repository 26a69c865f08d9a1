import { type KeyboardEvent, useEffect, useMemo, useRef } from "react";
import { findingOrder, groupFindings } from "../model/finding-groups.ts";
import { formatTimestamp } from "../model/format.ts";
import { ruleText } from "../model/rule-info.ts";
import { useApp } from "../state/app-store.ts";
import { must } from "../../shared/must.ts";

const SEV_LABEL = { error: "Errors", warning: "Warnings", info: "Info" } as const;

/** Findings grouped by severity and rule; choosing one selects its resources everywhere. */
export function FindingsView() {
  const trace = useApp((s) => s.trace);
  const selected = useApp((s) => s.selection.finding);
  const bodyRef = useRef<HTMLDivElement>(null);
  const findings = trace?.analysis.findings;
  const groups = useMemo(() => (findings ? groupFindings(findings) : []), [findings]);
  const order = useMemo(() => findingOrder(groups), [groups]);

  useEffect(() => {
    if (selected === null) return;
    bodyRef.current
      ?.querySelector(`[data-finding="${selected}"]`)
      ?.scrollIntoView({ block: "nearest" });
  }, [selected]);

  const onKey = (e: KeyboardEvent<HTMLDivElement>): void => {
    if (order.length === 0) return;
    const pos = selected === null ? -1 : order.indexOf(selected);
    let next = -2;
    if (e.key === "ArrowDown" || e.key === "j") next = Math.min(order.length - 1, pos + 1);
    else if (e.key === "ArrowUp" || e.key === "k") next = Math.max(0, pos - 1);
    else if (e.key === "Home") next = 0;
    else if (e.key === "End") next = order.length - 1;
    else if (e.key === "Enter" && pos >= 0) next = pos;
    if (next === -2) return;
    e.preventDefault();
    useApp.getState().selectFinding(order[next] as number);
  };

  return (
    <section className="panel" style={{ flex: 1 }} aria-label="Findings">
      <div className="panel-header">
        Findings <span className="count">{findings?.length ?? 0}</span>
      </div>
      <div
        className="panel-body"
        ref={bodyRef}
        tabIndex={0}
        role="listbox"
        aria-label="Findings"
        data-view="findings"
        onKeyDown={onKey}
      >
        {!trace && <div className="empty">Findings appear here after a trace is analysed.</div>}
        {trace && groups.length === 0 && (
          <div className="empty" data-testid="no-findings">
            No findings: every resource of every ended epoch was released in order.
          </div>
        )}
        {groups.map((g) => (
          <div key={g.severity} role="group" aria-label={SEV_LABEL[g.severity]}>
            <div className={`sev-header ${g.severity}`}>
              {SEV_LABEL[g.severity]} <span className={`badge ${g.severity}`}>{g.count}</span>
            </div>
            {g.rules.map((r) => {
              const info = ruleText(r.rule);
              return (
                <div key={r.rule} role="group" aria-label={r.rule}>
                  <div
                    className="rule-header"
                    title={info ? `${info.help}\n\nKernel: ${info.kernel}` : undefined}
                  >
                    <span>{r.rule}</span>
                    <span className="dim">×{r.findings.length}</span>
                    {info && <span className="about">— {info.title}</span>}
                  </div>
                  {r.findings.map((fi) => {
                    const f = must(must(trace).analysis.findings[fi]);
                    return (
                      <div
                        key={fi}
                        className="finding"
                        role="option"
                        aria-selected={selected === fi}
                        data-testid="finding"
                        data-rule={f.rule}
                        data-severity={f.severity}
                        data-finding={fi}
                        onClick={() => useApp.getState().selectFinding(fi)}
                      >
                        <span className="msg">{f.message}</span>
                        <span className="meta">
                          <span className="mono">{f.device}</span> · {formatTimestamp(f.atNs, 6)} s
                          {f.epoch !== undefined ? ` · epoch ${f.epoch}` : ""} ·{" "}
                          {f.resources.length} resource{f.resources.length === 1 ? "" : "s"}
                          {f.line !== undefined ? ` · line ${f.line}` : ""}
                        </span>
                      </div>
                    );
                  })}
                </div>
              );
            })}
          </div>
        ))}
      </div>
    </section>
  );
}
