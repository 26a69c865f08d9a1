import { describe, expect, it } from "vitest";
import { Kernel } from "../kernel/kernel.js";
import { Device } from "../base/device.js";
import { IS_ERR } from "../kernel/err-ptr.js";
import { devres_release_all } from "../devres/devres.js";
import { devm_clk_get, devm_clk_get_enabled, devm_clk_get_optional, devm_clk_put } from "./clk.js";
import {
  GPIOD_FLAGS_BIT_NONEXCLUSIVE,
  GPIOD_OUT_LOW,
  devm_gpio_request,
  devm_gpiod_get,
  devm_gpiod_put,
} from "./gpio.js";
import {
  devm_regulator_get,
  devm_regulator_get_enable,
  devm_regulator_get_optional,
} from "./regulator.js";
import { devresOps, dmesgTexts } from "../testing/trace-helpers.js";

function make(version = "6.1"): { k: Kernel; dev: Device } {
  const k = new Kernel({ version, seed: 37, trace: { kmem: false } });
  return { k, dev: new Device(k, "i2c-cam.0") };
}

describe("clocks, GPIOs, regulators (devm consumers)", () => {
  it("devm_clk_get: devm_clk_release (16 bytes); missing → ERR_PTR(-ENOENT), optional → NULL; enabled clocks are disabled at detach", () => {
    const { k, dev } = make("6.3");
    const clk = k.clk.register("xclk", 24_000_000, "i2c-cam.0", "xclk");
    expect(devm_clk_get(dev, "xclk")).toBe(clk);
    expect(IS_ERR(devm_clk_get(dev, "nope"))).toBe(true);
    expect(devm_clk_get_optional(dev, "nope")).toBeNull();
    expect(devm_clk_get_enabled(dev, "xclk")).toBe(clk);
    expect(clk.enable_count).toBe(1);
    devres_release_all(dev);
    expect(clk.enable_count).toBe(0);
    expect(clk.users).toBe(0);
    expect(devresOps(k)).toEqual([
      "ADD devm_clk_release 16",
      "ADD devm_clk_release 16",
      "REL devm_clk_release 16",
      "REL devm_clk_release 16",
    ]);
    devm_clk_put(dev, clk);
    expect(k.warnings).toHaveLength(1);
  });

  it("devm_gpiod_get (6.1: devm_gpiod_release, 8 bytes): exclusive unless NONEXCLUSIVE, freed at detach", () => {
    const { k, dev } = make();
    k.gpio.addLookup("i2c-cam.0", "reset", 0, 42);
    const other = new Device(k, "i2c-cam.1");
    k.gpio.addLookup("i2c-cam.1", "reset", 0, 42);
    const d = devm_gpiod_get(dev, "reset", GPIOD_OUT_LOW);
    expect(IS_ERR(d)).toBe(false);
    expect(IS_ERR(devm_gpiod_get(other, "reset", GPIOD_OUT_LOW))).toBe(true);
    expect(
      IS_ERR(devm_gpiod_get(other, "reset", GPIOD_OUT_LOW | GPIOD_FLAGS_BIT_NONEXCLUSIVE)),
    ).toBe(false);
    devm_gpiod_put(dev, d as never);
    expect(devresOps(k, "i2c-cam.0")).toEqual([
      "ADD devm_gpiod_release 8",
      "REM devm_gpiod_release 8",
    ]);
    expect(devm_gpio_request(dev, 7, "led")).toBe(0);
    expect(devm_gpio_request(dev, 7, "led")).toBe(-16);
    devres_release_all(dev);
    expect(k.gpio.desc(7).requested).toBe(false);
  });

  it("v6.16+: devm_gpiod_get registers an action and does not double-register a shared line", () => {
    const { k, dev } = make("6.16");
    k.gpio.addLookup("i2c-cam.0", "pwdn", 0, 5);
    devm_gpiod_get(dev, "pwdn", GPIOD_FLAGS_BIT_NONEXCLUSIVE);
    devm_gpiod_get(dev, "pwdn", GPIOD_FLAGS_BIT_NONEXCLUSIVE);
    expect(devresOps(k)).toEqual(["ADD devm_gpiod_release_action 16"]);
  });

  it("devm_regulator_get: dummy with a warning when missing; get_enable disables before the put at detach", () => {
    const { k, dev } = make();
    const rdev = k.regulators.add("i2c-cam.0", "vdd", "ldo3");
    const r = devm_regulator_get(dev, "avdd");
    expect(IS_ERR(r)).toBe(false);
    expect(dmesgTexts(k)).toEqual([" i2c-cam.0: supply avdd not found, using dummy regulator"]);
    expect(IS_ERR(devm_regulator_get_optional(dev, "avdd"))).toBe(true);
    expect(devm_regulator_get_enable(dev, "vdd")).toBe(0);
    expect(rdev.use_count).toBe(1);
    devres_release_all(dev);
    expect(rdev.use_count).toBe(0);
    expect(k.warnings).toEqual([]);
    expect(devresOps(k)).toEqual([
      "ADD devm_regulator_release 8",
      "ADD devm_regulator_release 8",
      "ADD devm_action_release 16",
      "REL devm_action_release 16",
      "REL devm_regulator_release 8",
      "REL devm_regulator_release 8",
    ]);
  });
});
