import { expect, type Page, test } from "@playwright/test";
import { shot, waitImported, watchErrors } from "./helpers.ts";

async function timelineWindow(page: Page): Promise<[number, number]> {
  const [a, b] = ((await page.getByTestId("timeline").getAttribute("data-window")) ?? "")
    .split(":")
    .map(Number);
  return [a ?? NaN, b ?? NaN];
}

test("the simulated buggy run from the welcome screen: its finding clicked through to the timeline", async ({
  page,
}, testInfo) => {
  const errors = watchErrors(page);
  await page.goto("/");
  // The first start offers a simulated run of a real bug next to the real captures.
  const sample = page.locator('[data-testid="sample"][data-sample^="sim:"]');
  await expect(sample).toHaveCount(1);
  await expect(sample).toContainText("simulated buggy run");
  await sample.click();
  await waitImported(page);
  await expect(page.locator(".toolbar .title")).toContainText("(seed 1)");
  const finding = page.locator('[data-testid="finding"][data-rule="irq-outlives-data"]');
  await expect(finding.first()).toBeVisible();
  const [s0, e0] = await timelineWindow(page);
  await finding.first().click();
  await expect(finding.first()).toHaveAttribute("aria-selected", "true");
  const canvas = page.getByTestId("timeline");
  await expect(canvas).not.toHaveAttribute("data-selected", "");
  const ids = ((await canvas.getAttribute("data-selected")) ?? "").split(",");
  await expect
    .poll(async () => {
      const [s, e] = await timelineWindow(page);
      return e - s;
    })
    .toBeLessThan(e0 - s0);
  // The IRQ the finding is about is selected in the table and shown with its simulated source line.
  const row = page.locator(`[data-testid="resource-row"][data-resource="${ids[0]}"]`);
  await expect(row).toHaveAttribute("aria-selected", "true");
  await expect(page.getByTestId("source-lines").first()).toContainText("devres_log:");
  // Names come from the simulated kernel's release functions: the build must keep them.
  await expect(row).toContainText("devm_irq_release");
  await page.getByTestId("filter-text").fill("pcim_iomap_release");
  await expect(page.getByTestId("resource-row")).toHaveCount(1);
  await shot(page, testInfo, "simulated-finding");
  expect(errors).toEqual([]);
});

test("Simulate…: pick a scenario and a seed, the trace opens when the run ends", async ({
  page,
}, testInfo) => {
  await page.goto("/");
  await page.getByTestId("simulate-button").click();
  const dialog = page.getByTestId("simulate-dialog");
  await expect(dialog.getByTestId("scenario").first()).toBeVisible();
  await dialog.locator('[data-testid="scenario"][data-scenario="nic-open-leak"]').click();
  await dialog.getByTestId("sim-seed").fill("7");
  await shot(dialog, testInfo, "view-simulate-dialog");
  await dialog.getByTestId("run-simulation").click();
  await waitImported(page);
  await expect(page.locator(".toolbar .title")).toHaveText("nic-open-leak (seed 7)");
  await expect(
    page.locator('[data-testid="finding"][data-rule="growth-while-bound"]').first(),
  ).toBeVisible();
  // A clean scenario has no error or warning.
  await page.getByTestId("simulate-button").click();
  await page.locator('[data-testid="scenario"][data-scenario="nic-clean"]').click();
  await page.getByTestId("run-simulation").click();
  await waitImported(page);
  const severities = await page
    .getByTestId("finding")
    .evaluateAll((els) => els.map((e) => e.getAttribute("data-severity")));
  expect(severities.filter((s) => s !== "info")).toEqual([]);
});
