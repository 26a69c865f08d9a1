import { type Analysis, ANALYSIS_SCHEMA, type Resource } from "@devscope/tracer";

/**
 * Hand-made analyses for Compare tests: one device, one unbound epoch per list of
 * `name:size` tokens (ADD order; released newest first at the unbind).
 */
export function specAnalysis(device: string, epochs: string[], path = "spec.txt"): Analysis {
  const resources: Resource[] = [];
  const eps = epochs.map((spec, index) => {
    const t0 = (index + 1) * 1_000_000_000;
    const toks = spec.split(/\s+/).filter((x) => x !== "");
    const made = toks.map((tok, i): Resource => {
      const colon = tok.lastIndexOf(":");
      const r: Resource = {
        id: `r${resources.length}`,
        device,
        node: `n${resources.length}`,
        name: tok.slice(0, colon),
        kind: tok.startsWith("devm_irq")
          ? "irq"
          : tok.startsWith("dmam")
            ? "dma-coherent"
            : "memory",
        size: Number(tok.slice(colon + 1)),
        list: "devres",
        addedNs: t0 + i,
        end: "released",
        epoch: index,
        addLine: resources.length + 1,
      };
      resources.push(r);
      return r;
    });
    made.forEach((r, i) => {
      r.endedNs = t0 + 500_000 + (made.length - i);
      r.endLine = 1000 + resources.length + (made.length - i);
    });
    return { index, start_ns: t0, end_ns: t0 + 600_000, end: "unbind" as const };
  });
  return {
    schema: ANALYSIS_SCHEMA,
    inputs: [{ path, format: "spec", bytes: 0, lines: 0 }],
    lines: { total: 0, parsed: 0, ignored: {}, rejected: 0, rejectedSamples: [] },
    devices: [
      {
        name: device,
        epochs: eps,
        counts: { add: resources.length, rel: resources.length, rem: 0, replace: 0 },
        liveAtEnd: 0,
      },
    ],
    resources,
    findings: [],
  };
}
