import { describe, expect, it } from "vitest";
import { Kernel } from "../kernel/kernel.js";
import { Device } from "../base/device.js";
import { ENOMEM } from "../kernel/errno.js";
import { devres_nodes, devres_release_all } from "./devres.js";
import {
  devm_add_action,
  devm_add_action_or_reset,
  devm_is_action_added,
  devm_release_action,
  devm_remove_action,
  devm_remove_action_nowarn,
} from "./devres-action.js";
import { devresOps } from "../testing/trace-helpers.js";

interface Ctx {
  calls: string[];
}

function make(version = "6.1"): { k: Kernel; dev: Device; ctx: Ctx } {
  const k = new Kernel({ version, seed: 9 });
  return { k, dev: new Device(k, "act-dev"), ctx: { calls: [] } };
}

function disable_thing(ctx: Ctx): void {
  ctx.calls.push("disable_thing");
}
function put_other(ctx: Ctx): void {
  ctx.calls.push("put_other");
}

describe("devm actions", () => {
  it("6.1 logs every action as devm_action_release (16 bytes); 6.4+ logs the action's name", () => {
    const old = make("6.1");
    devm_add_action(old.dev, disable_thing, old.ctx);
    expect(devresOps(old.k)).toEqual(["ADD devm_action_release 16"]);
    const neu = make("6.4");
    devm_add_action(neu.dev, disable_thing, neu.ctx);
    expect(devresOps(neu.k)).toEqual(["ADD disable_thing 16"]);
  });

  it("runs at release_all with its data, newest first", () => {
    const { dev, ctx } = make();
    devm_add_action(dev, disable_thing, ctx);
    devm_add_action(dev, put_other, ctx);
    devres_release_all(dev);
    expect(ctx.calls).toEqual(["put_other", "disable_thing"]);
  });

  it("devm_add_action_or_reset runs the action at once when adding fails", () => {
    const { k, dev, ctx } = make();
    k.faults.failNext("kmalloc");
    expect(devm_add_action_or_reset(dev, disable_thing, ctx)).toBe(-ENOMEM);
    expect(ctx.calls).toEqual(["disable_thing"]);
    expect(devres_nodes(dev)).toEqual([]);
    k.faults.failNext("kmalloc");
    expect(devm_add_action(dev, put_other, ctx)).toBe(-ENOMEM);
    expect(ctx.calls).toEqual(["disable_thing"]);
  });

  it("matches on (action, data): remove does not run it, release runs it now and logs REM", () => {
    const { k, dev } = make();
    const a: Ctx = { calls: [] };
    const b: Ctx = { calls: [] };
    devm_add_action(dev, disable_thing, a);
    devm_add_action(dev, disable_thing, b);
    devm_remove_action(dev, disable_thing, a);
    expect(a.calls).toEqual([]);
    devm_release_action(dev, disable_thing, b);
    expect(b.calls).toEqual(["disable_thing"]);
    expect(devresOps(k)).toEqual([
      "ADD devm_action_release 16",
      "ADD devm_action_release 16",
      "REM devm_action_release 16",
      "REM devm_action_release 16",
    ]);
    expect(devres_nodes(dev)).toEqual([]);
  });

  it("duplicates are allowed: remove/release take the newest copy, each copy runs once at detach", () => {
    const { dev, ctx } = make();
    devm_add_action(dev, disable_thing, ctx);
    devm_add_action(dev, put_other, ctx);
    devm_add_action(dev, disable_thing, ctx);
    devm_remove_action(dev, disable_thing, ctx);
    expect(
      devres_nodes(dev).map((n) => (n.res as { action: { name: string } }).action.name),
    ).toEqual(["disable_thing", "put_other"]);
    devres_release_all(dev);
    expect(ctx.calls).toEqual(["put_other", "disable_thing"]);
  });

  it("WARNs when removing or releasing an action that was never added; _nowarn (v6.14+) returns -ENOENT", () => {
    const { k, dev, ctx } = make("6.14");
    devm_remove_action(dev, disable_thing, ctx);
    devm_release_action(dev, disable_thing, ctx);
    expect(k.warnings).toHaveLength(2);
    expect(devm_remove_action_nowarn(dev, disable_thing, ctx)).toBe(-2);
    expect(k.warnings).toHaveLength(2);
  });

  it("APIs newer than the simulated kernel are refused with a clear error", () => {
    const { dev, ctx } = make("6.1");
    expect(() => devm_is_action_added(dev, disable_thing, ctx)).toThrow(
      "devm_is_action_added() does not exist in Linux 6.1 (added in v6.16)",
    );
    expect(() => devm_remove_action_nowarn(dev, disable_thing, ctx)).toThrow(/added in v6\.14/);
  });

  it("devm_is_action_added finds the pair", () => {
    const { dev, ctx } = make("6.16");
    expect(devm_is_action_added(dev, disable_thing, ctx)).toBe(false);
    devm_add_action(dev, disable_thing, ctx);
    expect(devm_is_action_added(dev, disable_thing, ctx)).toBe(true);
    expect(devm_is_action_added(dev, disable_thing, { calls: [] })).toBe(false);
  });
});
