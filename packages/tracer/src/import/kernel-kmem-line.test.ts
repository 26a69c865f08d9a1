// The byte-level fast paths must decide exactly like the general parsers they shortcut: the
// kmem line matcher vs tokenizeFtraceLine + locateCallAndPtr/locateKmalloc, the devres payload
// on bytes vs the string parser, the module test on bytes vs the analysis' regexes. Checked on
// every line of the real captures and on random edits of them (fast-check).
import { readFileSync } from "node:fs";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { moduleOfCallSite } from "../analysis/kmem-handler.js";
import { ascii, StringCache } from "./bytes.js";
import { parseDevresBytes, parseDevresPayload } from "./devres-payload.js";
import { newContext, tokenizeFtraceLine } from "./ftrace-context.js";
import { KFREE, KMALLOC, matchKernelKmem, NONE } from "./kernel-kmem-line.js";
import { moduleSiteBytes } from "./kmem-evidence.js";
import { locateCallAndPtr, locateKmalloc, newKmemFields } from "./kmem-payload.js";

const dir = new URL("../../../../fixtures/real-traces/", import.meta.url);
const linesOf = (f: string): string[] => readFileSync(new URL(f, dir), "utf8").split("\n");
const FILES = [
  "ahci-bind-unbind.ftrace.txt",
  "ata-piix-probe-fail-on-ahci.ftrace.txt",
  "cirrus-drm-unbind.ftrace.txt",
  "trace-pipe-ahci-sdhci.trace_pipe.txt",
  "boot-all-drivers.ftrace.txt",
];

/** What the general path makes of a line: the kind and every field the fast path fills. */
function general(b: Uint8Array): string {
  const ctx = newContext();
  const f = newKmemFields();
  if (!tokenizeFtraceLine(b, 0, b.length, ctx)) return "none";
  const name = new TextDecoder().decode(b.subarray(ctx.nameStart, ctx.nameEnd));
  if (name !== "kfree" && name !== "kmalloc") return "none";
  const err =
    name === "kfree"
      ? locateCallAndPtr(b, ctx.payloadStart, b.length, f)
      : locateKmalloc(b, ctx.payloadStart, b.length, f);
  if (err !== "") return "none";
  return JSON.stringify({ name, ctx, f });
}

/** The fast path's answer in the same form ("none" when it leaves the line to the general path). */
function fast(b: Uint8Array): string | undefined {
  const ctx = newContext();
  const f = newKmemFields();
  const kind = matchKernelKmem(
    b,
    new DataView(b.buffer, b.byteOffset, b.byteLength),
    0,
    b.length,
    ctx,
    f,
  );
  if (kind === NONE) return undefined;
  return JSON.stringify({
    name: kind === KFREE ? "kfree" : kind === KMALLOC ? "kmalloc" : "?",
    ctx,
    f,
  });
}

describe("matchKernelKmem", () => {
  for (const file of FILES) {
    it(`${file}: every line it accepts, the general path reads the same`, () => {
      let accepted = 0;
      for (const line of linesOf(file)) {
        const b = ascii(line);
        const got = fast(b);
        if (got === undefined) continue;
        accepted++;
        expect(got).toBe(general(b));
      }
      if (file.includes("-unbind") || file.includes("probe-fail"))
        expect(accepted).toBeGreaterThan(1000);
    });
  }

  it("accepts the kernel layout's kmalloc and kfree lines (nearly all of a capture)", () => {
    const kmem = linesOf("ahci-bind-unbind.ftrace.txt").filter((l) => / (kmalloc|kfree): /.test(l));
    expect(kmem.filter((l) => fast(ascii(l)) !== undefined)).toHaveLength(kmem.length);
  });

  it("random edits of real lines: accepted only when the general path reads the same", () => {
    const kmem = linesOf("ahci-bind-unbind.ftrace.txt").filter((l) => / (kmalloc|kfree): /.test(l));
    const alphabet = [" ", "0", "9", "a", "x", ":", ".", "[", "]", "-", "=", "(", "k", "\t"];
    fc.assert(
      fc.property(
        fc.constantFrom(...kmem.slice(0, 400)),
        fc.array(fc.tuple(fc.nat(), fc.constantFrom(...alphabet), fc.boolean()), {
          minLength: 1,
          maxLength: 3,
        }),
        (line, edits) => {
          let s = line;
          for (const [at, ch, insert] of edits) {
            const i = at % (s.length + 1);
            s = insert ? s.slice(0, i) + ch + s.slice(i) : s.slice(0, i) + ch + s.slice(i + 1);
          }
          const b = ascii(s);
          const got = fast(b);
          if (got !== undefined) expect(got).toBe(general(b));
        },
      ),
      { numRuns: 3000 },
    );
  });
});

describe("parseDevresBytes", () => {
  const strings = new StringCache();
  const payloads: string[] = [];
  for (const file of FILES)
    for (const line of linesOf(file)) {
      const at = line.indexOf("devres_log: ");
      if (at >= 0) payloads.push(line.slice(at + 12));
    }

  it("reads every real devres_log payload like the string parser", () => {
    expect(payloads.length).toBeGreaterThan(400);
    for (const p of payloads)
      expect(parseDevresBytes(ascii(p), 0, p.length, strings)).toEqual(
        parseDevresPayload(p, false),
      );
  });

  it("random edits: the same record or the same reason", () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...payloads),
        fc.array(
          fc.tuple(
            fc.nat(),
            fc.constantFrom(" ", "  ", "(", ")", "\t", "x", "1", "ADD", " bytes)"),
            fc.boolean(),
          ),
          { minLength: 1, maxLength: 3 },
        ),
        (payload, edits) => {
          let s = payload;
          for (const [at, ch, insert] of edits) {
            const i = at % (s.length + 1);
            s = insert ? s.slice(0, i) + ch + s.slice(i) : s.slice(0, i) + ch + s.slice(i + 1);
          }
          // As segment-parser.ts reads it: the byte parser, or the string parser when the
          // byte parser leaves the line to it (no op after the first token, non-ASCII).
          const fromBytes = parseDevresBytes(ascii(s), 0, s.length, strings);
          const fromString = parseDevresPayload(s, false);
          if (fromBytes === undefined) {
            if (typeof fromString === "string") expect(fromString).toMatch(/unknown op/);
            else expect(fromString.dev).toContain(" ");
          } else expect(fromBytes).toEqual(fromString);
        },
      ),
      { numRuns: 3000 },
    );
  });

  it("leaves non-ASCII payloads to the string parser", () => {
    const b = new TextEncoder().encode("0000:00:1f.2 ADD 000000005c728a70 café (40 bytes)");
    expect(parseDevresBytes(b, 0, b.length, strings)).toBeUndefined();
  });
});

describe("moduleSiteBytes", () => {
  // A located call site never ends with a blank (it is a token, or "token [module]").
  it("agrees with moduleOfCallSite on call sites of every shape", () => {
    const sites = [
      "ata_host_alloc+0x2a/0x120 [libata]",
      "0xffffffffc067c74f",
      "0XFFFFFFFFC067C74F",
      "0xffffffffc067c74",
      "pinctrl_bind_pins+0x31/0x280",
      "f [x-y_z]",
      "f [x y]",
      "f[mod]",
      "f []",
      "0xfffffff0c067c74f",
      "[m]",
      "]",
    ];
    for (const s of sites)
      expect(moduleSiteBytes(ascii(s), 0, s.length), s).toBe(moduleOfCallSite(s) !== null);
    fc.assert(
      fc.property(
        fc.array(fc.constantFrom("f", "0", "x", "F", "c", "[", "]", " ", "-", "_", "a", "+", "/"), {
          maxLength: 24,
        }),
        (chars) => {
          const s = chars.join("").trimEnd();
          expect(moduleSiteBytes(ascii(s), 0, s.length)).toBe(moduleOfCallSite(s) !== null);
        },
      ),
      { numRuns: 3000 },
    );
  });
});
