import { expect, type Page, test } from "@playwright/test";
import { fixture, openFiles, shot, watchErrors } from "./helpers.ts";

// Compare…: two traces side by side, aligned by resource identity (docs/diff.md), in Chromium.

async function kindsCount(page: Page): Promise<Record<string, number>> {
  const kinds = await page
    .getByTestId("diff-row")
    .evaluateAll((els) => els.map((e) => e.getAttribute("data-kind") ?? ""));
  const out: Record<string, number> = {};
  for (const k of kinds) out[k] = (out[k] ?? 0) + 1;
  return out;
}

test.describe("Compare view", () => {
  test("ahci-bind-unbind against trace_pipe: lanes, every difference listed, click selects", async ({
    page,
  }, testInfo) => {
    const errors = watchErrors(page);
    await page.goto("/");
    await openFiles(page, fixture("ahci-bind-unbind.ftrace.txt"));
    await page.getByTestId("compare-button").click();
    const dialog = page.getByTestId("compare-dialog");
    await expect(dialog).toBeVisible();
    await expect(page.getByTestId("compare-a-kind-current")).toBeChecked();
    await page
      .getByTestId("compare-b-files")
      .setInputFiles(fixture("trace-pipe-ahci-sdhci.trace_pipe.txt"));
    await expect(page.getByTestId("compare-b-files-chosen")).toHaveText(
      "trace-pipe-ahci-sdhci.trace_pipe.txt",
    );
    await page.getByTestId("compare-run").click();

    const view = page.getByTestId("compare-view");
    await expect(view).toBeVisible({ timeout: 60_000 });
    await expect(dialog).toHaveCount(0);
    await expect(page.getByTestId("compare-title-a")).toHaveText("ahci-bind-unbind.ftrace.txt");
    await expect(page.getByTestId("compare-title-b")).toHaveText(
      "trace-pipe-ahci-sdhci.trace_pipe.txt",
    );
    // Device pairs by name; the two sdhci devices exist in B only.
    await expect(page.getByTestId("compare-device")).toHaveCount(2);
    await expect(page.locator('[data-testid="compare-device-only"][data-side="b"]')).toHaveCount(2);
    const ahci = page.locator('[data-testid="compare-device"][data-a="0000:00:1f.2"]');
    await expect(ahci).toHaveAttribute("aria-selected", "true");
    await expect(ahci).toHaveAttribute("data-score", "0.6556");
    await expect(page.getByTestId("compare-lanes")).toHaveAttribute("data-columns", "93");

    // Acquisition order: B#0 starts mid-life (28 paired by release order, 3 cut off), B#1
    // matches A#1 (31), A's third bind has no partner (31 only in A).
    expect(await kindsCount(page)).toEqual({ matched: 59, cutOff: 3, onlyA: 31 });
    await expect(page.getByTestId("compare-notes")).toContainText("?+0x715 = ata_devres_release");

    // A difference selects on click: row, lanes and both sides' details.
    const onlyA = page.locator('[data-testid="diff-row"][data-kind="onlyA"]').first();
    await onlyA.click();
    await expect(onlyA).toHaveAttribute("aria-selected", "true");
    const details = page.getByTestId("compare-details");
    await expect(details).toHaveAttribute("data-kind", "onlyA");
    await expect(details).toContainText("not on this side");
    // Differences only, then a box in the lanes selects its row.
    await page.getByTestId("compare-differences-only").click();
    expect(await kindsCount(page)).toEqual({ cutOff: 3, onlyA: 31 });
    const canvas = page.getByTestId("compare-canvas");
    await page.getByTestId("compare-fit").click();
    const box = await canvas.boundingBox();
    if (!box) throw new Error("no canvas");
    // The last column: A's devm_irq_release of the unpaired third bind (A lane, y 26..48).
    await canvas.click({ position: { x: box.width - 12, y: 36 } });
    await expect(page.locator('[data-testid="diff-row"][aria-selected="true"]')).toHaveAttribute(
      "data-kind",
      "onlyA",
    );
    await shot(view, testInfo, "compare-ahci-vs-trace-pipe");

    // Release order: the cut-off epoch's 28 releases pair one for one.
    await page.getByTestId("compare-order-release").click();
    await page.getByTestId("compare-differences-only").click();
    expect(await kindsCount(page)).toEqual({ matched: 28, onlyA: 28 });

    // The trace is still open behind the comparison.
    await page.getByTestId("compare-close").click();
    await expect(view).toHaveCount(0);
    await expect(page.getByTestId("device-row")).toHaveCount(2);
    expect(errors).toEqual([]);
  });

  test("two binds of one capture compare at 1.00 with a DEV#N mapping", async ({
    page,
  }, testInfo) => {
    const errors = watchErrors(page);
    await page.goto("/");
    await openFiles(page, fixture("ahci-bind-unbind.ftrace.txt"));
    await page.getByTestId("compare-button").click();
    await page.getByTestId("compare-b-kind-sample").check();
    await page.getByTestId("compare-b-sample").selectOption("ahci-bind-unbind.ftrace.txt");
    await page.getByTestId("compare-map").fill("0000:00:1f.2#0=0000:00:1f.2#2");
    await page.getByTestId("compare-run").click();
    await expect(page.getByTestId("compare-view")).toBeVisible({ timeout: 60_000 });
    const dev = page.locator('[data-testid="compare-device"][data-a="0000:00:1f.2"]');
    await dev.click();
    await expect(dev).toHaveAttribute("data-score", "1");
    expect(await kindsCount(page)).toEqual({ matched: 31 });
    await page.getByTestId("compare-order-release").click();
    expect(await kindsCount(page)).toEqual({ matched: 28 });
    await shot(page.getByTestId("compare-view"), testInfo, "compare-ahci-bind0-vs-bind2");
    expect(errors).toEqual([]);
  });

  test("the real cirrus capture against the gpu-clean simulation: the engine's resources only in B", async ({
    page,
  }, testInfo) => {
    const errors = watchErrors(page);
    await page.goto("/");
    await openFiles(
      page,
      fixture("cirrus-drm-unbind.ftrace.txt"),
      fixture("cirrus-drm-unbind.dmesg.txt"),
    );
    await page.getByTestId("compare-button").click();
    await page.getByTestId("compare-b-kind-scenario").check();
    await page.getByTestId("compare-b-scenario").selectOption("gpu-clean");
    await page.getByTestId("compare-b-seed").fill("1");
    await page.getByTestId("compare-run").click();
    const view = page.getByTestId("compare-view");
    await expect(view).toBeVisible({ timeout: 60_000 });
    await expect(page.getByTestId("compare-title-b")).toHaveText("gpu-clean (seed 1)");
    const gpu = page.locator('[data-testid="compare-device"][data-a="0000:00:06.0"]');
    await expect(gpu).toHaveAttribute("aria-selected", "true");
    await expect(gpu).toHaveAttribute("data-b", "0000:00:06.0");
    // Per bind: cirrus' 6 devres + 7 drmm resources match node for node; the command
    // engine's 6 resources are only in the simulation (docs/diff.md).
    expect(await kindsCount(page)).toEqual({ matched: 26, onlyB: 12 });
    // All of the real capture is in the simulation; 13 of each bind's 19 simulated resources
    // are in the capture.
    const cover = page.getByTestId("compare-cover").nth(1);
    await expect(cover).toHaveAttribute("data-cover-a", "1");
    await expect(cover).toHaveAttribute("data-cover-b", "0.6842");
    const onlyB = await page
      .locator('[data-testid="diff-row"][data-kind="onlyB"]')
      .evaluateAll((els) => els.map((e) => e.getAttribute("data-name")));
    expect(onlyB.slice(0, 6)).toEqual([
      "dmam_release",
      "dmam_release",
      "devm_attr_group_remove",
      "msi_device_data_release",
      "devm_action_release",
      "devm_irq_release",
    ]);
    await page
      .locator('[data-testid="diff-row"][data-kind="onlyB"][data-name="devm_irq_release"]')
      .first()
      .click();
    await expect(page.getByTestId("compare-details")).toContainText("devm_request_threaded_irq");
    await page.getByTestId("compare-order-release").click();
    expect(await kindsCount(page)).toEqual({ matched: 22, onlyB: 12 });
    await shot(view, testInfo, "compare-cirrus-vs-gpu-clean");
    expect(errors).toEqual([]);
  });

  test("a mapping to a device that does not exist is reported in the dialog", async ({ page }) => {
    await page.goto("/");
    await openFiles(page, fixture("ahci-bind-unbind.ftrace.txt"));
    await page.getByTestId("compare-button").click();
    await page.getByTestId("compare-b-kind-sample").check();
    await page.getByTestId("compare-b-sample").selectOption("cirrus-drm-unbind.ftrace.txt");
    await page.getByTestId("compare-map").fill("0000:00:1f.2=gpu0");
    await page.getByTestId("compare-run").click();
    await expect(page.getByTestId("compare-error")).toContainText(
      'no device "gpu0" in B (B has: 0000:00:06.0)',
    );
    await expect(page.getByTestId("compare-view")).toHaveCount(0);
  });
});
