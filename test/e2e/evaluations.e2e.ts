/**
 * The Evaluations page against the real web mode (the shared e2e server), with the two seed runs
 * (demo preset, tiny budgets), each evaluated on fashion_mnist by its own after-epoch evaluation:
 * the table shows every evaluated checkpoint with the API's numbers, marks the best of the column,
 * sorts by a task column, filters by run, and exports the filtered table as CSV.
 */
import fs from 'node:fs';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import type { EvaluationRow } from '../../src-shared/api/types';
import { apiOf, waitFor } from './helpers/api';
import { launchBrowser, newPage, screenshot } from './helpers/browser';
import { BASELINE, LOWER_LR, isOver, seedRuns } from './helpers/seed-runs';

const server = inject('clipwb');
const call = apiOf(server);
let browser: Browser;
let page: Page;
let consoleErrors: string[];
let mains: EvaluationRow[] = [];
let ids: { baseline: string; lowerLr: string };

beforeAll(async () => {
  const seeds = await seedRuns(server);
  ids = { baseline: seeds.baseline.id, lowerLr: seeds.lowerLr.id };
  browser = await launchBrowser();
  ({ page, consoleErrors } = await newPage(browser));
  // Once both are over no evaluation can arrive any more, so the API's rows are the whole truth.
  await waitFor('both seed runs to end', async () => {
    const statuses = await Promise.all([ids.baseline, ids.lowerLr].map(async (id) => (await call('runs.get', { id })).status));
    return statuses.every(isOver);
  }, 400_000, 1000);
  const { rows } = await call('evals.table', { runIds: [ids.baseline, ids.lowerLr] });
  mains = rows.filter((r) => r.task === 'fashion_mnist' && r.isMain && r.value !== null);
  expect(new Set(mains.map((r) => r.runId)).size).toBe(2);
});

afterAll(async () => {
  await browser?.close();
});

const cellValues = async (): Promise<number[]> =>
  (await page.locator('tbody [data-task="fashion_mnist"] .main').allTextContents()).map(Number);

describe('Evaluations page', () => {
  it('shows every evaluated checkpoint with the best of the column marked', async () => {
    await page.goto(`${server.url}#/evaluations`);
    await page.locator('h1', { hasText: 'Evaluations' }).waitFor();
    for (const name of [BASELINE, LOWER_LR]) await page.locator('tbody tr', { hasText: name }).first().waitFor();
    // Only the seed runs: other files' runs may be on the shared server too.
    await page.locator('summary', { hasText: 'Runs:' }).click();
    for (const name of [BASELINE, LOWER_LR]) await page.getByRole('checkbox', { name, exact: true }).check();
    await page.locator('summary', { hasText: 'Runs:' }).click();

    const expected = mains.map((r) => r.value!).sort((a, b) => a - b);
    // Polled: the filter re-renders the table after the click.
    await expect.poll(async () => (await cellValues()).length, { timeout: 10_000 }).toBe(expected.length);
    const shown = (await cellValues()).sort((a, b) => a - b);
    shown.forEach((v, i) => expect(v).toBeCloseTo(expected[i]!, 3));
    const best = Math.max(...mains.map((r) => r.value!));
    const bestCell = page.locator('tbody [data-task="fashion_mnist"].best .main');
    expect(Number(await bestCell.textContent())).toBeCloseTo(best, 3);
    // Checkpoints are named by their place in the run, and the column names its metric.
    for (const label of await page.getByTestId('checkpoint-label').allInnerTexts()) expect(label).toMatch(/· checkpoint \d+ of \d+/);
    expect(await page.locator('thead').innerText()).toMatch(/Fashion-MNIST[^\n]* · acc1/);
    await screenshot(page, 'evaluations-table');
  });

  it('sorts by the task column both ways', async () => {
    const header = page.locator('thead').getByRole('button', { name: /Fashion-MNIST/ });
    const sortedBy = (dir: 1 | -1) => async () => { const v = await cellValues(); return v.every((x, i) => i === 0 || dir * (x - v[i - 1]!) >= 0); };
    await header.click();
    await expect.poll(sortedBy(-1), { timeout: 10_000 }).toBe(true);
    await header.click();
    await expect.poll(sortedBy(1), { timeout: 10_000 }).toBe(true);
    await expect(page.locator('th[aria-sort="ascending"]').textContent()).resolves.toMatch(/Fashion-MNIST/);
  });

  it('filters to one run and exports what is shown as CSV', async () => {
    await page.locator('summary', { hasText: 'Runs:' }).click();
    await page.getByRole('checkbox', { name: BASELINE, exact: true }).uncheck();
    await page.locator('summary', { hasText: 'Runs:' }).click();
    await expect.poll(async () => (await page.locator('tbody tr').allTextContents()).every((t) => t.includes(LOWER_LR))).toBe(true);

    const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Export CSV', exact: true }).click()]);
    const csv = fs.readFileSync((await download.path())!, 'utf8');
    expect(download.suggestedFilename()).toMatch(/^clipwb-evals-.*\.csv$/);
    expect(csv).toContain('fashion_mnist');
    expect(csv).toContain(ids.lowerLr);
    expect(csv).not.toContain(ids.baseline);
    await screenshot(page, 'evaluations-filtered');
    expect(consoleErrors.filter((e) => !e.includes("'frame-ancestors'"))).toEqual([]);
  });
});
