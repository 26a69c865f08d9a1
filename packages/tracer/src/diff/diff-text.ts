import type {
  DeviceDiff,
  DiffItem,
  DiffResult,
  DiffRow,
  DiffSide,
  EpochDiff,
} from "./diff-model.js";

/**
 * The terminal form of a diff (`devscope diff A B`): per device pair and epoch pair, the score
 * and a side-by-side table of the acquisition order and of the release order, with markers
 * (`=` matched, `-` only A, `+` only B, `~` resized, `↕` reordered, `·` cut off / not
 * comparable). Runs of matched rows are folded to `context` rows around each difference;
 * identical sequences print as one line. Pure: the caller decides colour and width.
 */
export interface DiffTextOptions {
  color?: boolean;
  /** Terminal width in columns (default 120, at least 72). */
  width?: number;
  /** Matched rows kept around a difference (default 2); -1 prints every row. */
  context?: number;
}

const SGR = {
  reset: "\u001b[0m",
  bold: "\u001b[1m",
  dim: "\u001b[2m",
  red: "\u001b[31m",
  green: "\u001b[32m",
  yellow: "\u001b[33m",
  cyan: "\u001b[36m",
};
type Style = keyof typeof SGR;

const MARK_STYLE: Record<DiffRow["mark"], Style> = {
  "=": "dim",
  "-": "red",
  "+": "green",
  "~": "yellow",
  "↕": "cyan",
  "·": "dim",
};

export function renderDiffText(d: DiffResult, opts: DiffTextOptions = {}): string {
  const paint = (s: string, ...styles: Style[]): string =>
    opts.color === true && styles.length > 0
      ? `${styles.map((k) => SGR[k]).join("")}${s}${SGR.reset}`
      : s;
  const width = Math.max(72, opts.width ?? 120);
  const context = opts.context ?? 2;
  const out: string[] = [];
  const side = (label: string, x: DiffResult["a"]): string =>
    `${paint(label, "bold")} ${x.paths.join(" + ")}  ${paint(`${x.devices} devices, ${x.resources} resources`, "dim")}`;
  out.push(side("A:", d.a));
  out.push(side("B:", d.b));
  out.push("");

  for (const dev of d.devices) renderDevice(dev, out, paint, width, context);

  if (d.onlyA.length > 0) out.push(`${paint("Devices only in A:", "red")} ${d.onlyA.join(", ")}`);
  if (d.onlyB.length > 0) out.push(`${paint("Devices only in B:", "green")} ${d.onlyB.join(", ")}`);
  if (d.onlyA.length > 0 && d.onlyB.length > 0)
    out.push(paint("  (pair differently named devices with --map A=B, or --auto-pair)", "dim"));
  const s = d.summary;
  const summary = wrap(
    `Summary: score ${score(d.score)}${cover(d, (x) => x)} over ${d.devices.length} device pair(s)` +
      (d.onlyA.length + d.onlyB.length > 0
        ? ` and ${d.onlyA.length + d.onlyB.length} device(s) without a partner; `
        : "; ") +
      `${s.matched} matched, ${s.onlyA} only in A, ${s.onlyB} only in B, ${s.reordered} reordered, ` +
      `${s.resized} resized` +
      (s.cutOff > 0 ? `, ${s.cutOff} not comparable (cut off)` : ""),
    width,
    "  ",
  );
  summary[0] = (summary[0] as string).replace("Summary:", paint("Summary:", "bold"));
  out.push(...summary);
  for (const n of d.notes)
    out.push(...wrap(`note: ${n}`, width, "      ").map((l) => paint(l, "dim")));
  return `${out.join("\n")}\n`;
}

type Paint = (s: string, ...styles: Style[]) => string;

function score(x: number): string {
  return x.toFixed(2);
}

/** ` (A in B 1.00, B in A 0.68)` when the two coverages differ (score is their minimum). */
function cover(x: { coverA: number; coverB: number }, paint: Paint): string {
  if (x.coverA === x.coverB) return "";
  return paint(` (A in B ${score(x.coverA)}, B in A ${score(x.coverB)})`, "dim");
}

function epochLabel(
  side: "A" | "B",
  index: number | null,
  end: string | undefined,
  cut: boolean,
): string {
  if (index === null) return `${side} —`;
  if (index < 0) return `${side} (outside any epoch)`;
  const bits = [end, cut ? "starts before trace" : undefined].filter((x) => x !== undefined);
  return `${side}#${index}${bits.length > 0 ? ` (${bits.join(", ")})` : ""}`;
}

function renderDevice(
  dev: DeviceDiff,
  out: string[],
  paint: Paint,
  width: number,
  context: number,
): void {
  const how =
    dev.pairing === "name" ? "same name" : dev.pairing === "map" ? "--map" : "paired automatically";
  const title = dev.a === dev.b ? dev.a : `${dev.a} ↔ ${dev.b}`;
  pushFitted(
    out,
    width,
    `${paint(title, "bold")}  ${paint(`(${how})`, "dim")}  score ${paint(score(dev.score), scoreStyle(dev.score))}` +
      cover(dev, paint),
    paint(`epochs paired ${dev.epochPairing === "order" ? "in order" : "by best score"}`, "dim"),
    "  ",
  );
  for (const e of dev.epochs) renderEpoch(e, out, paint, width, context);
  out.push("");
}

function scoreStyle(x: number): Style {
  return x >= 0.999 ? "green" : x >= 0.9 ? "yellow" : "red";
}

function renderEpoch(
  e: EpochDiff,
  out: string[],
  paint: Paint,
  width: number,
  context: number,
): void {
  const cutA = e.addMissing === "a" || e.addMissing === "both";
  const cutB = e.addMissing === "b" || e.addMissing === "both";
  const counts = [
    `${e.matched} matched`,
    e.onlyA.length > 0 ? `${e.onlyA.length} only A` : "",
    e.onlyB.length > 0 ? `${e.onlyB.length} only B` : "",
    e.reordered.length > 0 ? `${e.reordered.length} reordered` : "",
    e.resized.length > 0 ? `${e.resized.length} resized` : "",
    e.cutOff.length > 0 ? `${e.cutOff.length} cut off` : "",
  ].filter((x) => x !== "");
  pushFitted(
    out,
    width,
    `  ${epochLabel("A", e.a, e.endA, cutA)} ↔ ${epochLabel("B", e.b, e.endB, cutB)}  ` +
      `score ${paint(score(e.score), scoreStyle(e.score))}${e.a !== null && e.b !== null ? cover(e, paint) : ""}`,
    paint(counts.join(", "), "dim"),
    "    ",
  );
  for (const n of e.notes ?? [])
    out.push(...wrap(`    note: ${n}`, width, "          ").map((l) => paint(l, "dim")));
  if (e.a === null || e.b === null) {
    // One side only: a summary of names instead of a one-sided table.
    const items = e.a === null ? e.onlyB : e.onlyA;
    if (items.length > 0) {
      const head = `${items.length} resource(s) only in ${e.a === null ? "B" : "A"}:`;
      const lines = wrap(`    ${head} ${nameCounts(items)}`, width, "      ");
      lines[0] = (lines[0] as string).replace(head, paint(head, e.a === null ? "green" : "red"));
      out.push(...lines);
    }
    return;
  }
  table("acquisition (ADD order)", e.rows, out, paint, width, context);
  if (e.releaseMissing === undefined || e.releaseRows.length > 0)
    table("release order", e.releaseRows, out, paint, width, context);
}

/** `devm_kzalloc_release ×14, dmam_release ×6, ...` */
function nameCounts(items: readonly DiffItem[]): string {
  const counts = new Map<string, number>();
  for (const i of items) counts.set(i.name, (counts.get(i.name) ?? 0) + 1);
  const parts = [...counts].map(([n, c]) => (c > 1 ? `${n} ×${c}` : n));
  return parts.length > 8 ? `${parts.slice(0, 8).join(", ")}, ...` : parts.join(", ");
}

/** Visible width of a possibly coloured string. */
function visible(s: string): number {
  // eslint-disable-next-line no-control-regex -- ANSI SGR sequences
  return [...s.replace(/\u001b\[[0-9;]*m/g, "")].length;
}

/** `head  tail` on one line when it fits `width`, else `tail` on the next line after `indent`. */
function pushFitted(
  out: string[],
  width: number,
  head: string,
  tail: string,
  indent: string,
): void {
  if (visible(head) + 2 + visible(tail) <= width) out.push(`${head}  ${tail}`);
  else out.push(head, `${indent}${tail}`);
}

/** Word-wrap one line to `width` columns; continuation lines start with `indent`. */
function wrap(text: string, width: number, indent: string): string[] {
  const lead = /^ */.exec(text)?.[0] ?? "";
  const words = text.slice(lead.length).split(" ");
  const lines: string[] = [];
  let cur = lead;
  for (const w of words) {
    if (cur.trim() !== "" && cur.length + 1 + w.length > width) {
      lines.push(cur);
      cur = indent + w;
    } else cur = cur.trim() === "" ? cur + w : `${cur} ${w}`;
  }
  lines.push(cur);
  return lines;
}

/** The note shown in a one-sided row's empty cell. */
function shortNote(r: DiffRow): string | undefined {
  if (r.type === "cutOff")
    return `(not in ${r.a === undefined ? "A" : "B"}'s trace: it starts later)`;
  if (r.at === "release" && (r.type === "onlyA" || r.type === "onlyB") && r.note !== undefined)
    return `(${r.note})`;
  return undefined;
}

function fit(s: string, width: number): string {
  return s.length > width ? `${s.slice(0, width - 1)}…` : s.padEnd(width);
}

function isContext(r: DiffRow): boolean {
  return r.type === "matched";
}

function table(
  title: string,
  rows: readonly DiffRow[],
  out: string[],
  paint: Paint,
  width: number,
  context: number,
): void {
  if (rows.length === 0) return;
  if (rows.every(isContext)) {
    out.push(paint(`    ${title}: same (${rows.length} resources)`, "dim"));
    return;
  }
  out.push(`    ${paint(title, "bold")}`);
  // Column layout: "      M " then two cells of equal width separated by two spaces.
  const cell = Math.floor((width - 10) / 2);
  const nameW = Math.max(12, cell - 16);
  const fmt = (s: DiffSide | undefined, name: string): string => {
    if (s === undefined) return "".padEnd(cell);
    const shown = s.printed !== undefined ? `${name} (${s.printed})` : name;
    const n = shown.length > nameW ? `${shown.slice(0, nameW - 1)}…` : shown.padEnd(nameW);
    return `${n} ${String(s.size).padStart(6)} ${s.id.padEnd(7)}`.slice(0, cell).padEnd(cell);
  };
  out.push(paint(`        ${"A".padEnd(cell)}  B`, "dim"));
  const keep = new Array<boolean>(rows.length).fill(context < 0);
  if (context >= 0)
    rows.forEach((r, i) => {
      if (isContext(r)) return;
      for (let k = Math.max(0, i - context); k <= Math.min(rows.length - 1, i + context); k++)
        keep[k] = true;
    });
  let folded = 0;
  const flush = (): void => {
    if (folded > 0) out.push(paint(`        … ${folded} matched`, "dim"));
    folded = 0;
  };
  const lists = new Set(rows.map((r) => r.list));
  let list: DiffRow["list"] | undefined;
  rows.forEach((r, i) => {
    if (lists.size > 1 && r.list !== list) {
      // Both lists in one table: say where each starts (folds never span the boundary).
      flush();
      out.push(paint(`      ${r.list === "drmm" ? "drm managed (drmm)" : "devres"}`, "dim"));
      list = r.list;
    }
    if (!keep[i]) {
      folded++;
      return;
    }
    flush();
    // A one-sided row's note goes into the empty cell, cut to fit.
    const note = shortNote(r);
    const left =
      r.a === undefined && note !== undefined ? paint(fit(note, cell), "dim") : fmt(r.a, r.name);
    const right =
      r.b === undefined && note !== undefined ? paint(fit(note, cell), "dim") : fmt(r.b, r.name);
    out.push(
      `${paint(`      ${r.mark} `, MARK_STYLE[r.mark])}${paint(left, MARK_STYLE[r.mark])}  ${paint(right, MARK_STYLE[r.mark])}`.trimEnd(),
    );
  });
  flush();
}
