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
