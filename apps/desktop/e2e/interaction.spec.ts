import { readFileSync, writeFileSync } from "node:fs";
import { expect, type Page, test } from "@playwright/test";
import { fixture, openFiles, shot, watchErrors } from "./helpers.ts";
import { must } from "../src/shared/must.ts";

/** The timeline's visible window [start, end] in ns, from its test hook. */
async function timelineWindow(page: Page): Promise<[number, number]> {
  const v = (await page.getByTestId("timeline").getAttribute("data-window")) ?? "";
  const [a, b] = v.split(":").map(Number);
  return [a as number, b as number];
}

/**
 * A buggy trace made from a real one: the first unbind's REL of devm_irq_release is removed,
 * so that IRQ resource of epoch 0 is never released — the leak-unreleased bug.
 */
function leakyAhci(path: string): void {
  const lines = readFileSync(fixture("ahci-bind-unbind.ftrace.txt"), "latin1").split("\n");
  const i = lines.findIndex((l) => / REL \S+ devm_irq_release /.test(l));
  expect(i).toBeGreaterThan(0);
  lines.splice(i, 1);
  writeFileSync(path, lines.join("\n"), "latin1");
}

test("a finding is clicked through to the timeline, the table and the details", async ({
  page,
}, testInfo) => {
  const errors = watchErrors(page);
  const buggy = testInfo.outputPath("ahci-irq-leak.ftrace.txt");
  leakyAhci(buggy);
  await page.goto("/");
  await openFiles(page, buggy);
  const finding = page.locator('[data-testid="finding"][data-rule="leak-unreleased"]');
  await expect(finding).toHaveCount(1);
  await expect(finding).toHaveAttribute("data-severity", "error");
  const full = await timelineWindow(page);
  await finding.click();
  await expect(finding).toHaveAttribute("aria-selected", "true");
  // Timeline: the leaked resource is selected and the window zoomed onto it.
  await expect(page.getByTestId("timeline")).not.toHaveAttribute("data-selected", "");
  const ids = ((await page.getByTestId("timeline").getAttribute("data-selected")) ?? "").split(",");
  await expect
    .poll(async () => (await timelineWindow(page))[1] - (await timelineWindow(page))[0])
    .toBeLessThan(full[1] - full[0]);
  // Table: the same resource is highlighted; details show its fields and raw source line.
  const row = page.locator(`[data-testid="resource-row"][data-resource="${ids[0]}"]`);
  await expect(row).toHaveAttribute("aria-selected", "true");
  await expect(row).toContainText("devm_irq_release");
  await expect(page.getByTestId("finding-message")).toContainText("devm_irq_release");
  await expect(page.getByTestId("source-lines").first()).toContainText(
    "devres_log: 0000:00:1f.2 ADD",
  );
  await expect(page.getByTestId("source-lines").first()).toContainText(
    "devm_irq_release (16 bytes)",
  );
  await shot(page.getByRole("region", { name: "Findings" }), testInfo, "view-findings");
  await shot(page.getByRole("region", { name: "Timeline" }), testInfo, "view-timeline-finding");
  await shot(
    page.getByRole("region", { name: "Details and import summary" }),
    testInfo,
    "view-details",
  );
  expect(errors).toEqual([]);
});

test("clicking a bar on the timeline selects it everywhere; keys zoom, pan and fit", async ({
  page,
}, testInfo) => {
  await page.goto("/");
  await openFiles(page, fixture("e1000e-bind-unbind.ftrace.txt"));
  const canvas = page.getByTestId("timeline");
  const box = must(await canvas.boundingBox());
  // Select the first resource from the table, then zoom to it: its bar is under the plot's middle.
  await page.getByTestId("resource-row").first().click();
  await page.getByTestId("zoom-to-selection").click();
  const selected = (await canvas.getAttribute("data-selected")) ?? "";
  expect(selected).not.toBe("");
  await page.keyboard.press("Escape");
  await expect(canvas).toHaveAttribute("data-selected", "");
  // Click on its bar (rows start below the 40 px ruler; lane padding 4 px; 7 px per row).
  const [ws, we] = await timelineWindow(page);
  expect(we - ws).toBeGreaterThan(0);
  await canvas.click({ position: { x: 190 + (box.width - 190) / 2, y: 40 + 4 + 3 } });
  await expect(canvas).toHaveAttribute("data-selected", selected);
  await expect(
    page.locator(`[data-testid="resource-row"][data-resource="${selected}"]`),
  ).toHaveAttribute("aria-selected", "true");
  // Keyboard on the focused timeline: W zooms in, D pans later, 0 fits the whole trace.
  const span = async (): Promise<number> => {
    const [a, b] = await timelineWindow(page);
    return b - a;
  };
  const before = await span();
  await page.keyboard.press("w");
  await expect.poll(span).toBeLessThan(before);
  const zoomedStart = (await timelineWindow(page))[0];
  await page.keyboard.press("d");
  await expect.poll(async () => (await timelineWindow(page))[0]).toBeGreaterThan(zoomedStart);
  await page.keyboard.press("0");
  await expect.poll(span).toBeGreaterThan(before);
  const fitSpan = await span();
  // Wheel over the plot zooms around the pointer.
  await canvas.hover({ position: { x: box.width * 0.6, y: 80 } });
  await page.mouse.wheel(0, -400);
  await expect.poll(span).toBeLessThan(fitSpan);
  await shot(page.getByRole("region", { name: "Timeline" }), testInfo, "view-timeline");
});

test("a large import can be cancelled and the open trace stays", async ({ page }) => {
  await page.goto("/");
  await openFiles(page, fixture("ahci-bind-unbind.ftrace.txt"));
  await expect(page.getByTestId("device-row")).toHaveCount(2);
  await page.getByTestId("open-file-input").setInputFiles(fixture("large-stress.ftrace.txt.gz"));
  await expect(page.getByTestId("import-progressbar")).toBeVisible();
  await page.getByTestId("cancel-import").click();
  await expect(page.getByTestId("import-progress")).toHaveCount(0, { timeout: 10_000 });
  await expect(page.getByTestId("toast")).toContainText("cancelled");
  await expect(page.getByTestId("device-row")).toHaveCount(2);
  await expect(page.getByTestId("import-failure")).toHaveCount(0);
  // And a new import works right after.
  await openFiles(page, fixture("e1000e-bind-unbind.ftrace.txt"));
  await expect(page.getByTestId("device-row")).toHaveCount(1);
});

test("first start shows the bundled samples; one opens with a real picture", async ({
  page,
}, testInfo) => {
  await page.goto("/");
  await expect(page.getByTestId("welcome")).toBeVisible();
  await expect(
    page.locator('[data-testid="sample"][data-sample="ahci-bind-unbind.ftrace.txt"]'),
  ).toBeVisible();
  await shot(page, testInfo, "view-welcome");
  await page.locator('[data-testid="sample"][data-sample="cirrus-drm-unbind.ftrace.txt"]').click();
  await expect(page.getByTestId("import-summary")).toBeVisible();
  await expect(page.getByTestId("device-row")).toHaveCount(1);
  await shot(
    page.getByRole("region", { name: "Details and import summary" }),
    testInfo,
    "view-import-summary",
  );
});

test("resources table: filter, sort, search and keyboard", async ({ page }, testInfo) => {
  await page.goto("/");
  await openFiles(page, fixture("ahci-bind-unbind.ftrace.txt"));
  await page.getByTestId("filter-device").selectOption("0:0:0:0");
  await expect(page.getByTestId("resource-count")).toHaveText("6 of 99");
  await page.getByTestId("filter-device").selectOption("");
  await page.getByTestId("filter-kind").selectOption("irq");
  await expect(page.getByTestId("resource-count")).toHaveText("3 of 99");
  await page.getByTestId("filter-kind").selectOption("");
  await page.getByTestId("filter-text").fill("dmam_release");
  await expect(page.getByTestId("resource-count")).toHaveText("18 of 99");
  await page.getByTestId("filter-text").fill("");
  await page.getByRole("button", { name: "size" }).click();
  await page.getByRole("button", { name: "size" }).click();
  await expect(page.getByTestId("resource-row").first()).toContainText("1288 B");
  const grid = page.getByRole("grid", { name: "Resources" });
  await grid.focus();
  await page.keyboard.press("ArrowDown");
  await page.keyboard.press("ArrowDown");
  await expect(page.locator('[data-testid="resource-row"][aria-selected="true"]')).toHaveCount(1);
  await shot(page.getByRole("region", { name: "Resources" }), testInfo, "view-resources");
});

test("devices tree: keyboard expands epochs and selects a device", async ({ page }) => {
  await page.goto("/");
  await openFiles(page, fixture("ahci-bind-unbind.ftrace.txt"));
  const tree = page.getByRole("tree", { name: "Devices and bind epochs" });
  await tree.focus();
  await page.keyboard.press("ArrowRight");
  await expect(page.getByTestId("epoch-row")).toHaveCount(3);
  await page.keyboard.press("Enter");
  await expect(
    page.locator('[data-testid="device-row"][data-device="0000:00:1f.2"]'),
  ).toHaveAttribute("aria-selected", "true");
  await expect(page.getByTestId("resource-count")).toHaveText("93 of 99");
  await page.keyboard.press("ArrowLeft");
  await expect(page.getByTestId("epoch-row")).toHaveCount(0);
});

test("exports the analysis as JSON and the timeline as PNG", async ({ page }) => {
  await page.goto("/");
  await openFiles(page, fixture("e1000e-bind-unbind.ftrace.txt"));
  await page.getByTestId("export-menu").click();
  const [json] = await Promise.all([
    page.waitForEvent("download"),
    page.getByTestId("export-json").click(),
  ]);
  expect(json.suggestedFilename()).toBe("e1000e-bind-unbind.ftrace.analysis.json");
  const analysis = JSON.parse(readFileSync(await json.path(), "utf8")) as {
    schema: string;
    devices: { name: string; counts: { add: number } }[];
  };
  expect(analysis.schema).toBe("devscope.analysis/1");
  expect(analysis.devices.find((d) => d.name === "0000:00:03.0")?.counts.add).toBe(8);
  await page.getByTestId("export-menu").click();
  const [png] = await Promise.all([
    page.waitForEvent("download"),
    page.getByTestId("export-png").click(),
  ]);
  expect(png.suggestedFilename()).toBe("e1000e-bind-unbind.ftrace.timeline.png");
  const bytes = readFileSync(await png.path());
  expect([...bytes.subarray(0, 8)]).toEqual([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
});

test("drag and drop opens files; the theme and layout persist", async ({ page }, testInfo) => {
  await page.goto("/");
  const text = readFileSync(fixture("e1000e-bind-unbind.ftrace.txt"), "latin1");
  const dt = await page.evaluateHandle((t) => {
    const d = new DataTransfer();
    d.items.add(new File([t], "dropped.ftrace.txt", { type: "text/plain" }));
    return d;
  }, text);
  await page.locator(".app").dispatchEvent("dragenter", { dataTransfer: dt });
  await page.locator(".app").dispatchEvent("drop", { dataTransfer: dt });
  await expect(page.getByTestId("device-row")).toHaveCount(1, { timeout: 30_000 });
  await page.getByTestId("theme-toggle").click();
  await expect(page.locator(".app")).toHaveAttribute("data-theme", "dark");
  await shot(page, testInfo, "app-dark");
  await page.keyboard.press("?");
  await expect(page.getByTestId("shortcuts")).toBeVisible();
  await page.keyboard.press("Escape");
  await page.reload();
  await expect(page.locator(".app")).toHaveAttribute("data-theme", "dark");
});
