import type { Analysis, Finding, Severity } from "../model/analysis.js";
import { ALL_RULES } from "../rules/index.js";
import type { RuleInfo } from "../rules/rule.js";

/**
 * SARIF 2.1.0 (OASIS sarif-v2.1.0) for code-scanning UIs: one run, the rules with their help,
 * one result per finding whose location is the input file and the line the finding points at
 * (the resource's ADD line, or the line that showed the problem).
 */

export const SARIF_SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json";

const LEVEL: Record<Severity, "error" | "warning" | "note"> = {
  error: "error",
  warning: "warning",
  info: "note",
};

export interface SarifOptions {
  /** Tool version string. */
  version?: string;
  /** Rules to describe (default: every registered rule). */
  rules?: readonly RuleInfo[];
}

export function toSarif(a: Analysis, opts: SarifOptions = {}): Record<string, unknown> {
  const rules = opts.rules ?? ALL_RULES;
  const ruleIndex = new Map(rules.map((r, i) => [r.id, i]));
  const artifacts = a.inputs.map((inp) => {
    const art: Record<string, unknown> = { location: { uri: toUri(inp.path) }, length: inp.bytes };
    if (inp.gzip === true) art.encoding = "gzip";
    return art;
  });
  const results = a.findings.map((f) => result(f, a, ruleIndex));
  return {
    $schema: SARIF_SCHEMA,
    version: "2.1.0",
    runs: [
      {
        tool: {
          driver: {
            name: "devscope",
            ...(opts.version !== undefined
              ? { version: opts.version, semanticVersion: opts.version }
              : {}),
            rules: rules.map((r) => ({
              id: r.id,
              name: camel(r.id),
              shortDescription: { text: r.title },
              fullDescription: { text: `${r.title}. ${r.help}` },
              help: {
                text: `${r.help}\nKernel: ${r.kernel}`,
                markdown: `${r.help}\n\nKernel: \`${r.kernel}\``,
              },
              defaultConfiguration: { level: LEVEL[r.severity] },
              properties: { kernel: r.kernel, tags: ["devres", "linux-kernel"] },
            })),
          },
        },
        artifacts,
        results,
        invocations: [{ executionSuccessful: true }],
        properties: {
          schema: a.schema,
          lines: { total: a.lines.total, parsed: a.lines.parsed, rejected: a.lines.rejected },
        },
      },
    ],
  };
}

export function renderSarif(a: Analysis, opts: SarifOptions = {}): string {
  return `${JSON.stringify(toSarif(a, opts), null, 2)}\n`;
}

function result(f: Finding, a: Analysis, ruleIndex: Map<string, number>): Record<string, unknown> {
  const src = f.src ?? 0;
  const input = a.inputs[src];
  const locations: unknown[] = [];
  if (input !== undefined) {
    const physical: Record<string, unknown> = {
      artifactLocation: { uri: toUri(input.path), index: src },
    };
    if (f.line !== undefined && f.line > 0) physical.region = { startLine: f.line };
    locations.push({
      physicalLocation: physical,
      logicalLocations: [{ name: f.device, kind: "device" }],
    });
  }
  const r: Record<string, unknown> = {
    ruleId: f.rule,
    level: LEVEL[f.severity],
    message: { text: f.message },
    locations,
    properties: {
      device: f.device,
      atNs: f.atNs,
      resources: f.resources,
      ...(f.epoch !== undefined ? { epoch: f.epoch } : {}),
    },
  };
  const idx = ruleIndex.get(f.rule);
  if (idx !== undefined) r.ruleIndex = idx;
  return r;
}

/** Relative paths stay relative (code scanning resolves them against the checkout). */
function toUri(path: string): string {
  const uri = path.replace(/\\/g, "/").split("/").map(encodeURIComponent).join("/");
  return uri.startsWith("/") ? `file://${uri}` : uri;
}

function camel(id: string): string {
  return id
    .replace(/-([a-z])/g, (_, c: string) => c.toUpperCase())
    .replace(/^[a-z]/, (c) => c.toUpperCase());
}
