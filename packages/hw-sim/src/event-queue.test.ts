import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { EventQueue } from "./event-queue.js";

describe("EventQueue", () => {
  it("pops in (time, scheduling order) for any insertion sequence", () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: 50 }), { maxLength: 200 }), (times) => {
        const q = new EventQueue();
        const got: number[] = [];
        times.forEach((t, i) => q.push(t, () => got.push(i)));
        for (let ev = q.pop(); ev !== undefined; ev = q.pop()) ev.run();
        const want = times
          .map((t, i) => [t, i] as const)
          .sort((a, b) => a[0] - b[0] || a[1] - b[1])
          .map(([, i]) => i);
        expect(got).toEqual(want);
      }),
    );
  });
});
