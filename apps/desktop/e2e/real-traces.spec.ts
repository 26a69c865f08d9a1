import { expect, test } from "@playwright/test";
import {
  deviceCounts,
  findingSeverities,
  fixture,
  openFiles,
  shot,
  summary,
  watchErrors,
} from "./helpers.ts";

// Each real capture in fixtures/real-traces, opened through the app's file input, checked
// against the ground truth measured in fixtures/real-traces/README.md.

test.describe("real kernel captures", () => {
  test("ahci-bind-unbind: 3 probes, 2 unbinds + rmmod, nothing leaked", async ({
    page,
  }, testInfo) => {
    const errors = watchErrors(page);
    await page.goto("/");
    await openFiles(page, fixture("ahci-bind-unbind.ftrace.txt"));
    expect(await deviceCounts(page, "0000:00:1f.2")).toMatchObject({
      add: 93,
      rel: 84,
      rem: 9,
      live: 0,
      epochs: 3,
      state: "unbound",
    });
    expect(await deviceCounts(page, "0:0:0:0")).toMatchObject({ add: 6, rel: 0, rem: 6, live: 0 });
    await expect(page.getByTestId("device-row")).toHaveCount(2);
    await expect(page.getByTestId("resource-row").first()).toBeVisible();
    await expect(page.getByTestId("resource-count")).toHaveText("99");
    expect(await findingSeverities(page)).toEqual([]);
    const s = await summary(page);
    expect(s).toEqual({ format: "ftrace", lines: 15746, parsed: s.parsed, rejected: 0 });
    // The module-gone names are kept as their address, and the table shows them.
    // 12 lines = 6 nodes (2 libata names x 3 probes), ADD + REL each.
    await page.getByTestId("filter-text").fill("0xffffffffc064");
    await expect(page.getByTestId("resource-row")).toHaveCount(6);
    await shot(page, testInfo, "ahci-app");
    expect(errors).toEqual([]);
  });

  test("ata-piix-probe-fail-on-ahci: one failed probe, fully rolled back", async ({
    page,
  }, testInfo) => {
    const errors = watchErrors(page);
    await page.goto("/");
    await openFiles(page, fixture("ata-piix-probe-fail-on-ahci.ftrace.txt"));
    expect(await deviceCounts(page, "0000:00:1f.2")).toMatchObject({
      add: 7,
      rel: 4,
      rem: 3,
      live: 0,
      epochs: 1,
      state: "probe-failed",
    });
    expect(await findingSeverities(page)).toEqual([]);
    expect((await summary(page)).rejected).toBe(0);
    // Zoom onto the failed probe: nested devres groups drawn as brackets, the epoch in red.
    const tree = page.getByRole("tree", { name: "Devices and bind epochs" });
    await tree.focus();
    await page.keyboard.press("ArrowRight");
    await page.keyboard.press("ArrowDown");
    await page.keyboard.press("Enter");
    await shot(
      page.getByRole("region", { name: "Timeline" }),
      testInfo,
      "view-timeline-failed-probe",
    );
    expect(errors).toEqual([]);
  });

  test("bochs-drm-unbind: devres and the drm_device's managed list", async ({ page }) => {
    await page.goto("/");
    await openFiles(page, fixture("bochs-drm-unbind.ftrace.txt"));
    const c = await deviceCounts(page, "0000:00:01.0");
    // 12 devres_log lines and 36 drmm lines (README table), all released.
    expect(c.add + c.rel + c.rem).toBe(12);
    expect(c.live).toBe(0);
    const [add, rel, del, live] = (c.drm ?? "").split("/").map(Number);
    expect((add as number) + (rel as number) + (del as number)).toBe(36);
    expect(live).toBe(0);
    expect(await findingSeverities(page)).toEqual([]);
    expect((await summary(page)).rejected).toBe(0);
  });

  test("boot-all-drivers: 39 devices bound at boot, live nodes as measured", async ({
    page,
  }, testInfo) => {
    await page.goto("/");
    await openFiles(page, fixture("boot-all-drivers.ftrace.txt"));
    await expect(page.getByTestId("device-row")).toHaveCount(39);
    const totals = await page.getByTestId("device-row").evaluateAll((els) =>
      els.reduce(
        (t, e) => ({
          add: t.add + Number(e.getAttribute("data-add")),
          rel: t.rel + Number(e.getAttribute("data-rel")),
          rem: t.rem + Number(e.getAttribute("data-rem")),
        }),
        { add: 0, rel: 0, rem: 0 },
      ),
    );
    expect(totals).toEqual({ add: 142, rel: 0, rem: 79 });
    const live: Record<string, number> = {
      "0000:00:1f.2": 28,
      "0000:00:08.0": 6,
      "0000:00:06.0": 4,
      "0000:00:07.0": 4,
      "0000:00:1f.3": 4,
      "0000:00:09.0": 4,
      "00:04": 3,
      "0000:00:05.0": 2,
      "0000:00:0a.0": 2,
      "0000:00:03.0": 2,
      "0000:00:1f.0": 2,
      "0000:00:01.0": 1,
      "reg-dummy": 1,
    };
    for (const [dev, n] of Object.entries(live))
      expect((await deviceCounts(page, dev)).live, dev).toBe(n);
    const sumLive = await page
      .getByTestId("device-row")
      .evaluateAll((els) => els.reduce((t, e) => t + Number(e.getAttribute("data-live")), 0));
    expect(sumLive).toBe(Object.values(live).reduce((a, b) => a + b, 0));
    expect(await findingSeverities(page)).toEqual([]);
    await page.getByTestId("filter-state").selectOption("live");
    await expect(page.getByTestId("resource-count")).toHaveText(/^63 of 142$/);
    await shot(page.getByRole("region", { name: "Devices" }), testInfo, "view-devices");
  });

  test("cirrus-drm-unbind: drmm released inside the devres action", async ({ page }) => {
    await page.goto("/");
    await openFiles(page, fixture("cirrus-drm-unbind.ftrace.txt"));
    expect(await deviceCounts(page, "0000:00:06.0")).toMatchObject({
      add: 12,
      rel: 8,
      rem: 4,
      live: 0,
      drm: "14/14/0/0",
    });
    expect(await findingSeverities(page)).toEqual([]);
  });

  test("cirrus ftrace + dmesg merged: drm lines seen twice are counted once", async ({ page }) => {
    await page.goto("/");
    await openFiles(
      page,
      fixture("cirrus-drm-unbind.ftrace.txt"),
      fixture("cirrus-drm-unbind.dmesg.txt"),
    );
    expect(await deviceCounts(page, "0000:00:06.0")).toMatchObject({
      add: 12,
      rel: 8,
      rem: 4,
      drm: "14/14/0/0",
    });
    await page.getByTestId("tab-import").click();
    await expect(page.getByTestId("input-summary")).toHaveCount(2);
    expect((await summary(page, 1)).format).toBe("dmesg");
  });

  test("e1000e-bind-unbind: NIC probe, unbind, bind, rmmod", async ({ page }) => {
    await page.goto("/");
    await openFiles(page, fixture("e1000e-bind-unbind.ftrace.txt"));
    expect(await deviceCounts(page, "0000:00:03.0")).toMatchObject({
      add: 8,
      rel: 4,
      rem: 4,
      live: 0,
      epochs: 2,
      state: "unbound",
    });
    expect(await findingSeverities(page)).toEqual([]);
  });

  test("trace-pipe-ahci-sdhci: headerless trace_pipe, 92 devres_log events", async ({ page }) => {
    await page.goto("/");
    await openFiles(page, fixture("trace-pipe-ahci-sdhci.trace_pipe.txt"));
    // The README's "93 devres_log lines" counts lines containing the text: one of them is the
    // marker `rk: trace start: events=dev:devres_log ...`; the devres_log events are 92.
    expect(await deviceCounts(page, "0000:00:1f.2")).toMatchObject({ add: 31, rel: 28, rem: 3 });
    expect(await deviceCounts(page, "0000:00:08.0")).toMatchObject({
      add: 8,
      rel: 12,
      rem: 2,
      live: 0,
    });
    const totals = await page
      .getByTestId("device-row")
      .evaluateAll((els) =>
        els.reduce(
          (t, e) =>
            t +
            Number(e.getAttribute("data-add")) +
            Number(e.getAttribute("data-rel")) +
            Number(e.getAttribute("data-rem")),
          0,
        ),
      );
    expect(totals).toBe(92);
    const s = await summary(page);
    expect(s).toMatchObject({ format: "trace_pipe", lines: 104, rejected: 0 });
    // Tracing started after ahci/sdhci were bound: releases of nodes added earlier are info only.
    for (const sev of await findingSeverities(page)) expect(sev).toBe("info");
  });

  test("trace-cmd report: op pointers recovered into ADD/REL/REM", async ({ page }) => {
    await page.goto("/");
    await openFiles(page, fixture("trace-cmd-ahci-e1000.trace-cmd-report.txt"));
    expect(await deviceCounts(page, "0000:00:1f.2")).toMatchObject({ add: 31, rel: 28, rem: 3 });
    expect(await deviceCounts(page, "0000:00:02.0")).toMatchObject({ add: 2, rel: 0, rem: 2 });
    expect(await deviceCounts(page, "0:0:0:0")).toMatchObject({ add: 2, rel: 0, rem: 2 });
    expect((await summary(page)).format).toBe("trace-cmd-report");
    for (const sev of await findingSeverities(page)) expect(sev).toBe("info");
  });

  test("trace-cmd binary trace.dat: refused with what to do", async ({ page }) => {
    await page.goto("/");
    await page
      .getByTestId("open-file-input")
      .setInputFiles(fixture("trace-cmd-ahci-e1000.trace.dat"));
    await expect(page.getByTestId("import-progress")).toHaveCount(0, { timeout: 30_000 });
    await page.getByTestId("tab-import").click();
    await expect(page.getByTestId("import-error")).toContainText("trace-cmd report");
  });

  test("large-stress (gzip, 185 MB unpacked): 200 bind/unbind cycles, constant live set", async ({
    page,
  }, testInfo) => {
    test.setTimeout(180_000);
    const errors = watchErrors(page);
    await page.goto("/");
    await openFiles(page, fixture("large-stress.ftrace.txt.gz"));
    const expected: Record<string, [number, number, number, number]> = {
      "0000:00:1f.2": [6231, 5600, 603, 28],
      "0000:00:03.0": [804, 400, 402, 2],
      "0000:00:01.0": [603, 200, 402, 1],
      "0000:00:1f.3": [1206, 800, 402, 4],
      "0000:00:08.0": [1608, 1200, 402, 6],
    };
    for (const [dev, [add, rel, rem, live]] of Object.entries(expected))
      expect(await deviceCounts(page, dev), dev).toMatchObject({ add, rel, rem, live });
    for (const dev of ["0000:00:02.0", "0000:00:04.0", "0:0:0:0", "mmc0:4567"])
      expect(await deviceCounts(page, dev), dev).toMatchObject({ rel: 0, live: 0 });
    expect(await findingSeverities(page)).toEqual([]);
    const s = await summary(page);
    expect(s).toMatchObject({ format: "ftrace (gzip)", lines: 1187507, rejected: 0 });
    await shot(page.getByTestId("timeline"), testInfo, "large-stress-timeline");
    expect(errors).toEqual([]);
  });
});
