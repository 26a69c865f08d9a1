import { ALL_RULES } from "@devscope/tracer";

/** What a rule detects and why, from the analyzer's own rule registry (one source of truth). */
export interface RuleText {
  id: string;
  title: string;
  help: string;
  kernel: string;
}

const byId = new Map<string, RuleText>(
  ALL_RULES.map((r) => [r.id, { id: r.id, title: r.title, help: r.help, kernel: r.kernel }]),
);

/** The rule's description, or null for an id this build does not know (newer analysis JSON). */
export function ruleText(id: string): RuleText | null {
  return byId.get(id) ?? null;
}
