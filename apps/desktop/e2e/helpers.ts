import { fileURLToPath } from "node:url";
import { expect, type Locator, type Page, type TestInfo } from "@playwright/test";

/** The real kernel captures (tests use the repo copies, never edit them). */
export const FIXTURES = fileURLToPath(new URL("../../../fixtures/real-traces/", import.meta.url));
export const fixture = (name: string): string => FIXTURES + name;

/** Collects page errors so each test can assert the app never threw. */
export function watchErrors(page: Page): string[] {
  const errors: string[] = [];
  page.on("pageerror", (e) => errors.push(`pageerror: ${String(e)}`));
  page.on("console", (m) => {
    if (m.type() === "error") errors.push(`console: ${m.text()}`);
  });
  return errors;
}

/** Opens files through the app's file input and waits until the import is over. */
export async function openFiles(page: Page, ...paths: string[]): Promise<void> {
  await page.getByTestId("open-file-input").setInputFiles(paths);
  await waitImported(page);
}

export async function waitImported(page: Page): Promise<void> {
  await expect(page.getByTestId("import-progress")).toHaveCount(0, { timeout: 90_000 });
  await expect(page.getByTestId("import-failure")).toHaveCount(0);
}

export interface DeviceCounts {
  add: number;
  rel: number;
  rem: number;
  live: number;
  epochs: number;
  state: string;
  findings: number;
  drm: string | null;
}

export function deviceRow(page: Page, name: string): Locator {
  return page.locator(`[data-testid="device-row"][data-device="${name}"]`);
}

export async function deviceCounts(page: Page, name: string): Promise<DeviceCounts> {
  const row = deviceRow(page, name);
  await expect(row).toHaveCount(1);
  const a = async (k: string): Promise<string> => (await row.getAttribute(`data-${k}`)) ?? "";
  return {
    add: Number(await a("add")),
    rel: Number(await a("rel")),
    rem: Number(await a("rem")),
    live: Number(await a("live")),
    epochs: Number(await a("epochs")),
    state: await a("state"),
    findings: Number(await a("findings")),
    drm: (await row.getAttribute("data-drm")) ?? null,
  };
}

/** Severities of all listed findings. */
export async function findingSeverities(page: Page): Promise<string[]> {
  return page
    .getByTestId("finding")
    .evaluateAll((els) => els.map((e) => e.getAttribute("data-severity") ?? ""));
}

/** Saves a screenshot of a locator (or the page) as a test artifact. */
export async function shot(
  target: Page | Locator,
  testInfo: TestInfo,
  name: string,
): Promise<void> {
  const path = testInfo.outputPath(`${name}.png`);
  await target.screenshot({ path });
  await testInfo.attach(name, { path, contentType: "image/png" });
}

/** Import-summary numbers of the first (or n-th) input. */
export async function summary(
  page: Page,
  n = 0,
): Promise<{ format: string; lines: number; parsed: number; rejected: number }> {
  await page.getByTestId("tab-import").click();
  const box = page.getByTestId("input-summary").nth(n);
  const num = async (id: string): Promise<number> =>
    Number(((await box.getByTestId(id).textContent()) ?? "").replace(/[^\d]/g, ""));
  return {
    format: ((await box.getByTestId("summary-format").textContent()) ?? "").trim(),
    lines: await num("summary-lines"),
    parsed: await num("summary-parsed"),
    rejected: await num("summary-rejected"),
  };
}
