/**
 * The run page against the real web mode and a real worker training a tiny run: the loss chart grows
 * live, a checkpoint appears, one click evaluates it, and the evaluation lands in the table. Then the
 * same page against the in-memory fake with a 1,000,000-point run: only decimated points reach the
 * chart, and drag-to-zoom refetches the selected range at full resolution.
 */
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import type { RunSummary } from '../../src-shared/api/types';
import { apiOf, waitFor } from './helpers/api';
import { launchBrowser, newPage, screenshot } from './helpers/browser';
import { RENDERER_OUT } from './helpers/build';
import { createRun } from './helpers/seed-runs';
import { serveStatic, type StaticServer } from './helpers/static-server';

const server = inject('clipwb');
const call = apiOf(server);
let browser: Browser;

beforeAll(async () => {
  browser = await launchBrowser();
});
afterAll(async () => {
  await browser?.close();
});

const chartCount = async (page: Page, title: string): Promise<number> =>
  Number(await page.locator(`[data-chart="${title}"]`).getAttribute('data-source-count'));

describe('run page, real training', () => {
  let run: RunSummary;
  let page: Page;

  beforeAll(async () => {
    // A run of its own, created before the page opens: it queues behind any other run on the shared
    // CPU, so the chart starts empty and grows while the test watches, however loaded the machine is.
    // (Borrowing a seed run raced with it finishing before the first look.) 60 steps: several checkpoints.
    run = await createRun(call, `e2e-live-${process.pid}`, { maxSteps: 60 }, ['e2e']);
    ({ page } = await newPage(browser));
  });
  afterAll(async () => {
    await page?.context().close();
  });

  it('draws the loss chart and adds points while the run trains', async () => {
    await page.goto(`${server.url}#/runs/${encodeURIComponent(run.id)}`);
    await page.getByRole('heading', { name: run.name }).waitFor();
    const loss = page.locator('[data-chart="Loss"]');
    await loss.waitFor({ timeout: 400_000 });
    const first = await waitFor('the first loss points', async () => { const n = await chartCount(page, 'Loss'); return n > 0 ? n : null; }, 400_000, 250);
    await screenshot(page, 'run-detail-live-1');
    const later = await waitFor('more loss points', async () => { const n = await chartCount(page, 'Loss'); return n > first ? n : null; }, 90_000, 250);
    await screenshot(page, 'run-detail-live-2');
    expect(later).toBeGreaterThan(first);
    expect(Number(await loss.getAttribute('data-drawn-points'))).toBeGreaterThan(0);
    // The legend names the loss keys the run logs, each with its own dash.
    expect(await loss.locator('.legend-item').first().innerText()).toContain('loss');
    expect(await loss.locator('.legend-item line[stroke-dasharray]').count()).toBeGreaterThan(0);

    // Hovering the plot shows step, relative and wall time, and smoothed and raw values of each line.
    const box = (await loss.locator('canvas').boundingBox())!;
    await page.mouse.move(box.x + box.width * 0.6, box.y + box.height / 2);
    const tip = loss.getByTestId('chart-tooltip');
    await tip.waitFor({ timeout: 10_000 });
    const tipText = await tip.innerText();
    expect(tipText).toMatch(/Step\s+\d+/);
    expect(tipText).toMatch(/Relative/);
    expect(tipText).toMatch(/Wall\s+\d\d:\d\d/);
    expect(tipText).toMatch(/smoothed[\s\S]*raw/);
    await screenshot(page, 'run-detail-tooltip');
    await page.mouse.move(0, 0);
  });

  it('shows a checkpoint, evaluates it with one click, and fills the evaluation table', async () => {
    await page.getByRole('tab', { name: /Checkpoints/ }).click();
    // Wait for any checkpoint, then pin the row by its checkpoint id: the run may still be training,
    // and a lazy `.first()` would move to the next checkpoint it writes.
    await page.locator('[data-testid="checkpoint-row"]').first().waitFor({ timeout: 200_000 });
    const ckptId = await page.locator('[data-testid="checkpoint-row"]').first().getAttribute('data-checkpoint-id');
    expect(ckptId).toMatch(/^\d+$/);
    const row = page.locator(`[data-testid="checkpoint-row"][data-checkpoint-id="${ckptId}"]`);
    const step = (await row.getAttribute('data-step'))!;
    expect((await row.locator('td').nth(1).innerText()).trim()).toBe(step);
    await row.getByRole('button', { name: 'Evaluate' }).click();
    const status = row.locator('[data-testid="eval-status"]');
    await status.waitFor({ timeout: 120_000 });
    await waitFor('the evaluation to finish', async () => {
      const t = await status.innerText();
      if (t.startsWith('failed')) throw new Error(`evaluation failed: ${t}`);
      return t.startsWith('done');
    }, 240_000, 500);
    // 'done' names the result once the evaluation's rows arrive.
    await expect.poll(() => status.innerText(), { timeout: 30_000 }).toMatch(/^done · fashion_mnist acc1 0\.\d+/);
    await screenshot(page, 'run-detail-checkpoint-evaluated');

    await page.getByRole('tab', { name: /Evaluations/ }).click();
    const table = page.locator('[data-testid="eval-table"]');
    await table.waitFor();
    expect(await table.locator('thead').innerText()).toContain('fashion_mnist');
    const rowForStep = table.locator('tbody tr').filter({ has: page.locator('td:nth-child(2)', { hasText: new RegExp(`^${step}$`) }) });
    await rowForStep.first().waitFor();
    expect(await rowForStep.first().innerText()).toMatch(/0\.\d+/);
    await screenshot(page, 'run-detail-evaluations');
    const detail = await call('runs.get', { id: run.id });
    expect(detail.evaluations.some((e) => e.task === 'fashion_mnist' && String(e.step) === step)).toBe(true);
  });

  it('says where a finished run stopped and how long it ran', async () => {
    await waitFor(`run ${run.id} to finish`, async () => (await call('runs.get', { id: run.id })).status === 'finished', 300_000, 1000);
    const last = (await call('runs.get', { id: run.id })).lastStep;
    await expect.poll(() => page.getByTestId('run-step').innerText(), { timeout: 15_000 }).toBe(`finished at step ${last}`);
    expect(await page.getByTestId('run-duration').innerText()).toMatch(/^ran \d/);
    await page.getByRole('tab', { name: /Charts/ }).click();
    await screenshot(page, 'run-detail-finished');
  });
});

describe('run page, 1,000,000 points (in-memory fake API)', () => {
  let statics: StaticServer;
  let page: Page;
  beforeAll(async () => {
    statics = await serveStatic(RENDERER_OUT);
    ({ page } = await newPage(browser));
  });
  afterAll(async () => {
    await page?.context().close();
    await statics?.close();
  });

  it('hands the chart about one point per pixel, and zooming refetches the range at full resolution', async () => {
    await page.goto(`${statics.url}/index.html?fake&points=1000000#/runs/fake-long`);
    const loss = page.locator('[data-chart="Loss"]');
    await waitFor('the 1,000,000-point loss series', async () => (await chartCount(page, 'Loss')) === 1_000_000, 60_000, 250);
    await waitFor('the chart to settle', async () => (await loss.getAttribute('data-loading')) === 'false', 30_000, 100);
    const plotWidth = await loss.locator('canvas').evaluate((c) => c.clientWidth);
    const drawn = Number(await loss.getAttribute('data-drawn-points'));
    // Two keys (loss, contrastive_loss), each smoothed plus raw: at most 4 lines of ~plot-width points.
    expect(drawn).toBeGreaterThan(0);
    expect(drawn).toBeLessThanOrEqual(4 * (plotWidth + 1));
    await screenshot(page, 'run-detail-1m-points');

    const box = (await loss.locator('canvas').boundingBox())!;
    const y = box.y + box.height / 2;
    await page.mouse.move(box.x + box.width * 0.4, y);
    await page.mouse.down();
    await page.mouse.move(box.x + box.width * 0.5, y, { steps: 5 });
    await page.mouse.up();
    const zoomed = await waitFor('the zoomed range', async () => { const n = await chartCount(page, 'Loss'); return n < 1_000_000 && n > 0 ? n : null; }, 30_000, 100);
    expect(zoomed).toBeLessThan(200_000);
    expect(await loss.getByRole('button', { name: 'Reset zoom' }).isVisible()).toBe(true);
    await screenshot(page, 'run-detail-1m-zoomed');
    await loss.locator('canvas').dblclick();
    await waitFor('the full range again', async () => (await chartCount(page, 'Loss')) === 1_000_000, 30_000, 100);
  });
});
