import type {
  Analysis,
  DeviceSummary,
  Epoch,
  Finding,
  Resource,
  Severity,
} from "../model/analysis.js";

/**
 * The terminal report of `devscope analyze`: inputs, a per-device table (epochs, ADD/REL/REM/
 * REPLACE, live at end) with each device's epochs beneath it, the findings grouped by
 * severity with the resources they name, a one-line line accounting, and the analyzer's notes.
 * Pure: the caller decides about colour (TTY, NO_COLOR) and width.
 */
export interface TextReportOptions {
  /** ANSI colours (only on a TTY without NO_COLOR). */
  color?: boolean;
  /** Epochs listed per device before the list is summarised. */
  maxEpochs?: number;
  /** Resources listed per finding. */
  maxResources?: number;
}

const SGR = {
  reset: "\u001b[0m",
  bold: "\u001b[1m",
  dim: "\u001b[2m",
  red: "\u001b[31m",
  yellow: "\u001b[33m",
  cyan: "\u001b[36m",
  green: "\u001b[32m",
};
type Style = keyof typeof SGR;

const SEVERITIES: readonly Severity[] = ["error", "warning", "info"];
const SEVERITY_STYLE: Record<Severity, Style> = { error: "red", warning: "yellow", info: "cyan" };

export function renderText(a: Analysis, opts: TextReportOptions = {}): string {
  const paint = (s: string, ...styles: Style[]): string =>
    opts.color === true && styles.length > 0
      ? `${styles.map((k) => SGR[k]).join("")}${s}${SGR.reset}`
      : s;
  const maxEpochs = opts.maxEpochs ?? 6;
  const maxResources = opts.maxResources ?? 8;
  const out: string[] = [];

  for (const input of a.inputs) {
    const extra = [
      input.format,
      formatBytes(input.bytes) + (input.gzip === true ? " gzip" : ""),
      `${input.lines} lines`,
      input.clockOffsetNs !== undefined && input.clockOffsetNs !== 0
        ? `clock ${formatOffset(input.clockOffsetNs)}`
        : "",
      input.duplicates !== undefined && input.duplicates > 0
        ? `${input.duplicates} duplicate lines merged`
        : "",
    ].filter((s) => s !== "");
    out.push(`${paint(input.path, "bold")}  ${paint(extra.join(", "), "dim")}`);
    if (input.error !== undefined) out.push(`  ${paint("error:", "red")} ${input.error}`);
  }
  if (a.span !== undefined)
    out.push(paint(`trace ${secs(a.span.startNs)} – ${secs(a.span.endNs)}`, "dim"));
  out.push("");

  // Device table.
  const header = ["DEVICE", "DRIVER", "EPOCHS", "ADD", "REL", "REM", "REPL", "LIVE"];
  const rows = a.devices.map((d) => [
    d.name,
    d.driver ?? "",
    String(d.epochs.length),
    String(d.counts.add),
    String(d.counts.rel),
    String(d.counts.rem),
    String(d.counts.replace),
    String(d.liveAtEnd),
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? "").length)));
  const fmtRow = (cells: string[]): string =>
    cells.map((c, i) => (i < 2 ? c.padEnd(widths[i] ?? 0) : c.padStart(widths[i] ?? 0))).join("  ");
  out.push(paint(`Devices (${a.devices.length})`, "bold"));
  out.push(paint(`  ${fmtRow(header)}`, "dim"));
  a.devices.forEach((d, i) => {
    out.push(`  ${fmtRow(rows[i] ?? [])}`);
    for (const line of epochLines(d, maxEpochs)) out.push(`      ${line}`);
    if (d.drm !== undefined) {
      out.push(
        paint(
          `      drm managed: ADD ${d.drm.add}  REL ${d.drm.rel}  DEL ${d.drm.del}  live ${d.drm.liveAtEnd}`,
          "dim",
        ),
      );
    }
  });
  if (a.devices.length === 0) out.push(paint("  (no devres activity in the input)", "dim"));
  out.push("");

  // Findings.
  const counts = SEVERITIES.map((s) => a.findings.filter((f) => f.severity === s).length);
  out.push(
    paint("Findings: ", "bold") +
      SEVERITIES.map((s, i) => {
        const n = counts[i] ?? 0;
        const text = `${n} ${s === "info" ? "info" : n === 1 ? s : `${s}s`}`;
        return n > 0 ? paint(text, SEVERITY_STYLE[s], "bold") : text;
      }).join(", "),
  );
  const byId = new Map<string, Resource>(a.resources.map((r) => [r.id, r]));
  for (const sev of SEVERITIES) {
    const fs = a.findings.filter((f) => f.severity === sev);
    for (const f of fs) out.push(...findingLines(f, byId, a, paint, maxResources));
  }
  if (a.findings.length === 0) out.push(paint("  no findings", "green"));
  out.push("");

  // Accounting.
  const ignored = Object.entries(a.lines.ignored).sort((x, y) => y[1] - x[1]);
  const ignoredTotal = ignored.reduce((n, [, v]) => n + v, 0);
  const ignoredText =
    ignored.length > 0
      ? ` (${ignored
          .slice(0, 6)
          .map(([k, v]) => `${k} ${v}`)
          .join(", ")}${ignored.length > 6 ? ", ..." : ""})`
      : "";
  out.push(
    `${paint("Lines:", "bold")} ${a.lines.total} total, ${a.lines.parsed} parsed, ${ignoredTotal} ignored${ignoredText}, ` +
      (a.lines.rejected > 0 ? paint(`${a.lines.rejected} rejected`, "red") : "0 rejected"),
  );
  for (const r of a.lines.rejectedSamples.slice(0, 5)) {
    const file =
      r.src !== undefined
        ? (a.inputs[r.src]?.path ?? `input ${r.src}`)
        : (a.inputs[0]?.path ?? "input");
    out.push(
      paint(
        `  ${file}:${r.line}: ${r.reason}${r.text !== undefined ? `: ${r.text.slice(0, 100)}` : ""}`,
        "dim",
      ),
    );
  }
  for (const n of a.notes ?? []) out.push(paint(`note: ${n}`, "dim"));
  return `${out.join("\n")}\n`;
}

function epochLines(d: DeviceSummary, max: number): string[] {
  const one = (e: Epoch): string => {
    const cut =
      (e.startCutOff === true ? " (start before trace)" : "") +
      (e.endNotLogged === true ? " (end not logged)" : "");
    const errno = e.errno !== undefined ? ` ${e.errno}` : "";
    const driver = e.driver !== undefined && e.driver !== d.driver ? ` [${e.driver}]` : "";
    return `#${e.index} ${secs(e.start_ns)} → ${secs(e.end_ns)}  ${e.end}${errno}${cut}${driver}`;
  };
  if (d.epochs.length <= max) return d.epochs.map(one);
  const head = d.epochs.slice(0, max - 2).map(one);
  const tail = d.epochs.slice(-2).map(one);
  const middle = d.epochs.slice(max - 2, -2);
  const kinds = new Map<string, number>();
  for (const e of middle) kinds.set(e.end, (kinds.get(e.end) ?? 0) + 1);
  const summary = [...kinds].map(([k, n]) => `${n} ${k}`).join(", ");
  return [...head, `... ${middle.length} more (${summary})`, ...tail];
}

function findingLines(
  f: Finding,
  byId: Map<string, Resource>,
  a: Analysis,
  paint: (s: string, ...styles: Style[]) => string,
  max: number,
): string[] {
  const label = f.severity.toUpperCase().padEnd(7);
  const where = f.line !== undefined ? `  ${a.inputs[f.src ?? 0]?.path ?? "input"}:${f.line}` : "";
  const lines = [
    `  ${paint(label, SEVERITY_STYLE[f.severity], "bold")} ${paint(f.rule, "bold")}  ${f.device}  ${secs(f.atNs)}${paint(where, "dim")}`,
  ];
  lines.push(...wrap(f.message, 96).map((l) => `          ${l}`));
  const rs = f.resources.map((id) => byId.get(id)).filter((r): r is Resource => r !== undefined);
  for (const r of rs.slice(0, max)) {
    const name = r.recoveredName ?? r.name;
    const span = `${secs(r.addedNs)}${r.endedNs !== undefined ? ` → ${secs(r.endedNs)}` : " → live"}`;
    const line =
      r.addLine !== undefined
        ? `line ${r.addLine}`
        : r.endLine !== undefined
          ? `line ${r.endLine}`
          : "";
    lines.push(
      paint(
        `          ${r.id} ${name} (${r.size} bytes) ${span} ${r.end}${line !== "" ? `, ${line}` : ""}`,
        "dim",
      ),
    );
  }
  if (rs.length > max) lines.push(paint(`          ... ${rs.length - max} more resources`, "dim"));
  return lines;
}

function wrap(text: string, width: number): string[] {
  const words = text.split(" ");
  const out: string[] = [];
  let cur = "";
  for (const w of words) {
    if (cur !== "" && cur.length + 1 + w.length > width) {
      out.push(cur);
      cur = w;
    } else cur = cur === "" ? w : `${cur} ${w}`;
  }
  if (cur !== "") out.push(cur);
  return out;
}

/** `6.624306 s` */
export function secs(ns: number): string {
  return `${(ns / 1e9).toFixed(6)} s`;
}

export function formatBytes(n: number): string {
  if (n < 1024) return `${n} B`;
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(1)} KiB`;
  return `${(n / 1024 / 1024).toFixed(1)} MiB`;
}

function formatOffset(ns: number): string {
  const ms = ns / 1e6;
  return `${ms >= 0 ? "-" : "+"}${Math.abs(ms).toFixed(3)} ms`;
}
