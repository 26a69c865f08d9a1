import { createReadStream, createWriteStream, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pipeline } from "node:stream/promises";
import { createGunzip } from "node:zlib";
import { expect, test } from "@playwright/test";
import {
  deviceCounts,
  findingSeverities,
  fixture,
  openFiles,
  summary,
  watchErrors,
} from "./helpers.ts";

// The 185 MB large-stress capture unpacked: big enough for the app to parse it with two
// workers (this one and a segment worker), and to be cancelled mid-way.
let dir = "";
let plain = "";
test.beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "devscope-e2e-"));
  plain = join(dir, "large-stress.ftrace.txt");
  await pipeline(
    createReadStream(fixture("large-stress.ftrace.txt.gz")),
    createGunzip(),
    createWriteStream(plain),
  );
});
test.afterAll(() => rmSync(dir, { recursive: true, force: true }));

test("large-stress unpacked (185 MB, parsed in two workers): same picture as the README", async ({
  page,
}) => {
  test.setTimeout(180_000);
  const errors = watchErrors(page);
  await page.goto("/");
  await openFiles(page, plain);
  expect(await deviceCounts(page, "0000:00:1f.2")).toMatchObject({
    add: 6231,
    rel: 5600,
    rem: 603,
    live: 28,
  });
  expect(await deviceCounts(page, "0000:00:08.0")).toMatchObject({
    add: 1608,
    rel: 1200,
    rem: 402,
    live: 6,
  });
  expect(await findingSeverities(page)).toEqual([]);
  expect(await summary(page)).toMatchObject({ format: "ftrace", lines: 1187507, rejected: 0 });
  // A source line from the second half of the file (the segment worker's part) reads back.
  await page.getByTestId("filter-device").selectOption("0000:00:08.0");
  await page.getByTestId("resource-row").last().click();
  await page.getByTestId("tab-details").click();
  await expect(page.getByTestId("source-lines").first()).toContainText(
    "devres_log: 0000:00:08.0 ADD",
  );
  expect(errors).toEqual([]);
});

test("cancelling the two-worker import stops both and keeps the open trace", async ({ page }) => {
  await page.goto("/");
  await openFiles(page, fixture("e1000e-bind-unbind.ftrace.txt"));
  await page.getByTestId("open-file-input").setInputFiles(plain);
  await expect(page.getByTestId("import-progressbar")).toBeVisible();
  await page.getByTestId("cancel-import").click();
  await expect(page.getByTestId("import-progress")).toHaveCount(0, { timeout: 10_000 });
  await expect(page.getByTestId("toast")).toContainText("cancelled");
  await expect(page.getByTestId("device-row")).toHaveCount(1);
  await openFiles(page, fixture("ahci-bind-unbind.ftrace.txt"));
  await expect(page.getByTestId("device-row")).toHaveCount(2);
});
