/**
 * The runs table against the real web mode: both seed runs listed with their hyperparameters, text
 * filtering, tags edited in place (saved through runs.update), and the CSV export checked byte for
 * byte through the browser's download.
 */
import fs from 'node:fs';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { apiOf, waitFor } from './helpers/api';
import { launchBrowser, newPage, screenshot } from './helpers/browser';
import { BASELINE, LOWER_LR, seedRuns } from './helpers/seed-runs';

const server = inject('clipwb');
const call = apiOf(server);
let browser: Browser;
let page: Page;
let ids: { baseline: string; lowerLr: string };

beforeAll(async () => {
  const seeds = await seedRuns(server);
  ids = { baseline: seeds.baseline.id, lowerLr: seeds.lowerLr.id };
  browser = await launchBrowser();
  ({ page } = await newPage(browser));
  await page.goto(`${server.url}#/runs`);
  await page.locator(`tr[data-run-id="${ids.lowerLr}"]`).waitFor({ timeout: 30_000 });
});
afterAll(async () => {
  await browser?.close();
});

describe('runs table', () => {
  it('lists the runs with their hyperparameters and filters them by text', async () => {
    const base = page.locator(`tr[data-run-id="${ids.baseline}"]`);
    const text = await base.innerText();
    expect(text).toContain(BASELINE);
    expect(text).toContain('clip-tiny-p7-28');
    expect(text).toContain('FastCLIP v3');
    await page.getByTestId('runs-search').fill('lower');
    await waitFor('the filter to apply', async () => (await page.locator(`tr[data-run-id="${ids.baseline}"]`).count()) === 0, 5000, 100);
    expect(await page.locator(`tr[data-run-id="${ids.lowerLr}"]`).count()).toBe(1);
    await screenshot(page, 'runs-filtered');
    await page.getByTestId('runs-search').fill('');
    await page.locator(`tr[data-run-id="${ids.baseline}"]`).waitFor();
  });

  it('edits tags in place and saves them through the API', async () => {
    const row = page.locator(`tr[data-run-id="${ids.lowerLr}"]`);
    await row.getByRole('button', { name: /Edit tags/ }).click();
    const input = row.getByRole('textbox', { name: /Tags of/ });
    await input.fill('e2e, lr-sweep');
    await input.press('Enter');
    await waitFor('the tags to be saved', async () => {
      const r = await call('runs.get', { id: ids.lowerLr });
      return r.tags.join(',') === 'e2e,lr-sweep';
    }, 10_000, 200);
    await expect.poll(() => row.locator('.chip').allInnerTexts(), { timeout: 10_000 }).toEqual(['e2e', 'lr-sweep']);
  });

  it('prints learning rates in one notation and keeps the Name column in view when scrolled sideways', async () => {
    await page.setViewportSize({ width: 1440, height: 900 });
    const base = page.locator(`tr[data-run-id="${ids.baseline}"]`);
    const lower = page.locator(`tr[data-run-id="${ids.lowerLr}"]`);
    expect((await base.locator('td[data-column="lr"]').innerText()).trim()).toBe('2e-3');
    expect((await lower.locator('td[data-column="lr"]').innerText()).trim()).toBe('1e-3');
    const wrap = page.locator('.runs-table');
    await wrap.evaluate((el) => { el.scrollLeft = el.scrollWidth; });
    const name = base.locator('td[data-column="name"]');
    const wrapBox = (await wrap.boundingBox())!;
    const nameBox = (await name.boundingBox())!;
    expect(nameBox.x).toBeGreaterThanOrEqual(wrapBox.x);
    expect(nameBox.x).toBeLessThan(wrapBox.x + 80);
    await screenshot(page, 'runs-scrolled-sideways');
    await wrap.evaluate((el) => { el.scrollLeft = 0; });
  });

  it('hides a column from the picker and remembers it after a reload', async () => {
    await page.getByTestId('column-picker').locator('summary').click();
    await page.locator('[data-testid="column-picker"] input[data-column="model"]').uncheck();
    await expect.poll(() => page.locator('th[data-column="model"]').count()).toBe(0);
    // Name cannot be hidden.
    expect(await page.locator('[data-testid="column-picker"] input[data-column="name"]').isDisabled()).toBe(true);
    await screenshot(page, 'runs-column-picker');
    await page.reload();
    await page.locator(`tr[data-run-id="${ids.baseline}"]`).waitFor();
    expect(await page.locator('th[data-column="model"]').count()).toBe(0);
    await page.getByTestId('column-picker').locator('summary').click();
    await page.locator('[data-testid="column-picker"] input[data-column="model"]').check();
    await page.locator('th[data-column="model"]').waitFor();
    await page.getByTestId('column-picker').locator('summary').click();
  });

  it('exports the runs table as CSV through a browser download', async () => {
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.getByRole('button', { name: 'Export CSV' }).click(),
    ]);
    expect(download.suggestedFilename()).toMatch(/^clipwb-runs-.*\.csv$/);
    const content = fs.readFileSync((await download.path())!, 'utf8');
    const lines = content.trim().split(/\r?\n/);
    const header = lines[0]!.split(',');
    expect(header.slice(0, 3)).toEqual(['id', 'name', 'status']);
    expect(header).toContain('config.lr');
    const lowerLine = lines.find((l) => l.startsWith(`${ids.lowerLr},`));
    expect(lowerLine).toBeDefined();
    expect(lowerLine).toContain(LOWER_LR);
    expect(lowerLine).toContain('lr-sweep');
    expect(lines.some((l) => l.startsWith(`${ids.baseline},`))).toBe(true);
    await screenshot(page, 'runs-exported');
  });
});
