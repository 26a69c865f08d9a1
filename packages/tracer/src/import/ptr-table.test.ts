// PtrTable/PtrSet are exact sets of kmem ptr texts: equal text <-> same slot (until the next
// insert grows the table) and membership,
// for %p's 16 hex digits and for anything else (trace-cmd's 0x..., (nil), other widths,
// non-ASCII bytes), through growth and the exported (cross-thread) form.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { PtrSet, PtrTable } from "./ptr-table.js";

const enc = new TextEncoder();

function add(t: PtrTable, text: string, state = -1): number {
  const b = enc.encode(` ${text} `);
  return t.findOrAdd(b, 1, b.length - 1, state);
}

describe("PtrTable", () => {
  it("one slot per distinct text, state kept per slot, through growth", () => {
    const t = new PtrTable();
    const texts = Array.from({ length: 5000 }, (_, i) => i.toString(16).padStart(16, "0"));
    texts.push(
      "(nil)",
      "0xffff888003a1b000",
      "ffff888003a1b00",
      "00000000ÿÿ000000",
      "000000000000000",
    );
    texts.forEach((s, i) => add(t, s, i));
    // Slots move when the table grows; once all are in, each text finds its own.
    const slots = texts.map((s) => add(t, s, -7));
    expect(new Set(slots).size).toBe(texts.length);
    slots.forEach((slot, i) => expect(t.getState(slot)).toBe(i));
    const set = new PtrSet(structuredClone(t.keys()));
    for (const s of texts) expect(set.has(s)).toBe(true);
    for (const s of [
      "0000000000001388",
      "0000000000ffffff",
      "(nul)",
      "0xffff888003a1b001",
      "ffff888003a1b000",
    ])
      expect(set.has(s)).toBe(texts.includes(s));
  });

  it("membership of random texts equals membership in a Set of the same texts", () => {
    const hexish = fc.string({
      unit: fc.constantFrom("0", "1", "a", "f", "x", "(", "é"),
      minLength: 1,
      maxLength: 18,
    });
    fc.assert(
      fc.property(
        fc.array(hexish, { maxLength: 300 }),
        fc.array(hexish, { maxLength: 50 }),
        (added, probes) => {
          const t = new PtrTable();
          for (const s of added) add(t, s);
          const set = new PtrSet(t.keys());
          const ref = new Set(added);
          for (const s of [...added, ...probes]) expect(set.has(s)).toBe(ref.has(s));
        },
      ),
      { numRuns: 200 },
    );
  });
});
