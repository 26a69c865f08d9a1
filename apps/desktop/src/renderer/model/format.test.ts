import { describe, expect, it } from "vitest";
import {
  decimalsForStep,
  formatBytes,
  formatCount,
  formatDuration,
  formatTimestamp,
  niceStepNs,
} from "./format.ts";

describe("format", () => {
  it("prints timestamps like ftrace, exactly", () => {
    expect(formatTimestamp(3_798_355_000)).toBe("3.798355");
    expect(formatTimestamp(185_469_927_123)).toBe("185.469927");
    expect(formatTimestamp(8_000_000_000_000_123)).toBe("8000000.000000");
    expect(formatTimestamp(999_999_999, 3)).toBe("0.999");
    expect(formatTimestamp(12_000_000_000, 0)).toBe("12");
    expect(formatTimestamp(-1_500_000_000, 1)).toBe("-1.5");
    expect(formatTimestamp(NaN)).toBe("—");
  });

  it("prints durations with a fitting unit", () => {
    expect(formatDuration(850)).toBe("850 ns");
    expect(formatDuration(12_400)).toBe("12.4 µs");
    expect(formatDuration(151_000)).toBe("151 µs");
    expect(formatDuration(2_960_000_000)).toBe("2.96 s");
    expect(formatDuration(125e9)).toBe("2 min 5 s");
  });

  it("keeps small kernel sizes exact", () => {
    expect(formatBytes(1288)).toBe("1288 B");
    expect(formatBytes(15_237_641)).toBe("14.5 MiB");
    expect(formatBytes(185_469_927)).toBe("176.9 MiB");
  });

  it("groups thousands", () => {
    expect(formatCount(1187507)).toBe("1,187,507");
    expect(formatCount(-12)).toBe("-12");
  });

  it("chooses nice tick steps and enough decimals", () => {
    expect(niceStepNs(110_000)).toBe(200_000);
    expect(niceStepNs(3e9)).toBe(5e9);
    expect(decimalsForStep(200_000)).toBe(4);
    expect(decimalsForStep(1e9)).toBe(0);
    expect(decimalsForStep(100_000_000)).toBe(1);
  });
});
