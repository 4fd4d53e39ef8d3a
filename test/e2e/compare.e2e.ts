/**
 * Comparing two real runs: chosen in the runs table, overlaid on the same charts (both in the legend),
 * and their configs side by side with exactly the differing keys highlighted.
 */
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
  // Both need a loss curve before there is anything to overlay.
  for (const id of [ids.baseline, ids.lowerLr]) {
    await waitFor(`train/loss of ${id}`, async () => (await call('runs.get', { id })).metricKeys.includes('train/loss'), 200_000, 1000);
  }
  browser = await launchBrowser();
  ({ page } = await newPage(browser));
});
afterAll(async () => {
  await browser?.close();
});

describe('compare', () => {
  it('overlays the selected runs and highlights the differing config keys', async () => {
    await page.goto(`${server.url}#/runs`);
    for (const id of [ids.baseline, ids.lowerLr]) {
      await page.locator(`tr[data-run-id="${id}"] input[type="checkbox"]`).check();
    }
    await page.getByTestId('compare-selected').click();
    await page.getByRole('heading', { name: 'Compare' }).waitFor();

    const loss = page.locator('[data-chart="Loss"]');
    await loss.waitFor({ timeout: 30_000 });
    await waitFor('both runs in the loss legend', async () => {
      const labels = await loss.locator('.legend-item').allInnerTexts();
      return labels.some((l) => l.includes(BASELINE)) && labels.some((l) => l.includes(LOWER_LR));
    }, 30_000, 200);
    await waitFor('points drawn', async () => Number(await loss.getAttribute('data-source-count')) > 0, 30_000, 200);
    // One colour per run, a dash per key: the two keys of one run share a colour but not a dash.
    const swatches = await loss.locator('.legend-item').evaluateAll((items) => items.map((i) => ({
      label: i.textContent ?? '', color: i.querySelector('line')?.getAttribute('stroke') ?? '', dash: i.querySelector('line')?.getAttribute('stroke-dasharray') ?? '',
    })));
    const ofBase = swatches.filter((s) => s.label.includes(BASELINE));
    expect(new Set(ofBase.map((s) => s.color)).size).toBe(1);
    if (ofBase.length > 1) expect(new Set(ofBase.map((s) => s.dash)).size).toBe(ofBase.length);
    const ofLower = swatches.filter((s) => s.label.includes(LOWER_LR));
    expect(ofLower[0]?.color).not.toBe(ofBase[0]?.color);

    const diff = page.getByTestId('config-diff');
    const differing = await diff.locator('tbody tr[data-differs="true"]').evaluateAll((rows) => rows.map((r) => r.getAttribute('data-key')));
    // The seed runs differ in lr and in their step budget, and in nothing else of the config.
    expect(differing.sort()).toEqual(['lr', 'maxSteps']);
    const lrRow = diff.locator('tbody tr[data-key="lr"]');
    expect(await lrRow.evaluate((r) => r.classList.contains('diff'))).toBe(true);
    expect(await lrRow.innerText()).toMatch(/0\.002[\s\S]*0\.001/);
    await screenshot(page, 'compare-two-runs');

    await page.getByLabel('only differences').uncheck();
    const modelRow = diff.locator('tbody tr[data-key="model"]');
    await modelRow.waitFor();
    expect(await modelRow.getAttribute('data-differs')).toBe('false');
    expect(await modelRow.evaluate((r) => r.classList.contains('diff'))).toBe(false);
  });
});
