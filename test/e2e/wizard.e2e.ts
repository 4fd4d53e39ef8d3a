/**
 * The new-run wizard against the real web mode (the shared e2e server): bad values are refused with
 * the reason next to their field (local checks and the server's cross-field checks); the demo preset
 * with a lowered budget starts a real run that shows up running, and its own evaluation after its
 * epoch lands in the Evaluations table.
 */
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { apiOf, waitFor } from './helpers/api';
import { launchBrowser, newPage, screenshot } from './helpers/browser';

const server = inject('clipwb');
const call = apiOf(server);
const RUN_NAME = `e2e wizard demo ${process.pid}`;
let browser: Browser;
let page: Page;
let consoleErrors: string[];
let runId = '';

beforeAll(async () => {
  browser = await launchBrowser();
  ({ page, consoleErrors } = await newPage(browser));
});

afterAll(async () => {
  await browser?.close();
});

/** A fresh wizard (a page load resets it) filled from the demo preset. */
async function openWithDemo(): Promise<void> {
  await page.goto(`${server.url}#/new`);
  await page.reload();
  await page.locator('[data-preset="demo"]').click();
  await expect(page.locator('[data-preset="demo"]').getAttribute('aria-pressed')).resolves.toBe('true');
}

const step = (id: string) => page.locator(`[data-step="${id}"]`);
const errorOf = (key: string) => page.locator(`[data-error-for="${key}"]`);

describe('new-run wizard', () => {
  it('refuses bad values with the reason next to the field', async () => {
    await openWithDemo();

    await step('optim').click();
    await page.locator('#opt-lr').fill('-1');
    await expect(errorOf('lr').textContent()).resolves.toBe('must be greater than 0, got -1');
    await page.locator('#opt-batchSize').fill('0');
    await expect(errorOf('batchSize').textContent()).resolves.toBe('must be at least 1, got 0');
    await expect(page.locator('#opt-lr').getAttribute('aria-invalid')).resolves.toBe('true');
    await expect(step('optim').locator('.badge').textContent()).resolves.toBe('2');
    await screenshot(page, 'wizard-errors-optimisation');

    await step('model').click();
    await page.locator('#opt-model').fill('ViT-B-99');
    await expect(errorOf('model').textContent()).resolves.toMatch(/^unknown model "ViT-B-99": choose one of .*ViT-B-16/);

    await step('reference').click();
    await page.locator('#use-teacher').check();
    await page.locator('#opt-distillWeight').fill('2');
    await expect(errorOf('distillWeight').textContent()).resolves.toBe('must be at most 1, got 2');

    await step('review').click();
    await expect(page.locator('.error-summary h3').textContent()).resolves.toBe('4 problems to fix');
    await expect(page.locator('#create-run').isDisabled()).resolves.toBe(true);
    await screenshot(page, 'wizard-errors-review');

    // A problem only the server sees (each field is fine alone): its message lands on batch size.
    await openWithDemo();
    await step('data').click();
    await page.locator('#opt-trainNumSamples').fill('64');
    await step('optim').click();
    await expect.poll(() => errorOf('batchSize').textContent().catch(() => null), { timeout: 10_000 })
      .toMatch(/the global batch \(128 x 1 workers\) is larger than an epoch of 64 samples/);
    await screenshot(page, 'wizard-errors-server');
  });

  it('starts the demo preset with a lowered budget and shows the run running', async () => {
    await openWithDemo();
    await step('data').click();
    await page.locator('#opt-trainNumSamples').fill('2048');
    await step('optim').click();
    await page.locator('#opt-epochs').fill('1');
    await step('review').click();
    await page.locator('#opt-name').fill(RUN_NAME);
    const preview = page.locator('#command-preview');
    await expect.poll(() => preview.textContent(), { timeout: 10_000 }).toContain(`--name '${RUN_NAME}'`);
    const command = await preview.textContent();
    expect(command).toMatch(/^clipwb train \\/);
    for (const flag of ['--train-data builtin:fashion-mnist', '--train-num-samples 2048', '--epochs 1', '--fastclip', '--multiply_tau', '--eval-tasks fashion_mnist']) expect(command).toContain(flag);
    await screenshot(page, 'wizard-review');

    await page.locator('#create-run').click();
    await page.waitForURL(/#\/runs\/[^/?]+/);
    runId = decodeURIComponent(new URL(page.url()).hash.replace(/^#\/runs\//, '').replace(/\?.*$/, ''));
    const run = await call('runs.get', { id: runId });
    expect(run.name).toBe(RUN_NAME);
    expect(run.config).toMatchObject({ trainData: 'builtin:fashion-mnist', trainNumSamples: 2048, epochs: 1, fastclip: true, multiplyTau: true, evalTasks: ['fashion_mnist'] });
    // On the shared 2-core server it may queue behind other files' runs before it starts.
    await expect.poll(() => page.getByTestId('run-status').textContent(), { timeout: 200_000, interval: 500 }).toBe('running');
    await screenshot(page, 'wizard-run-running');

    // Back in the wizard: the created run's name is not offered for the next one.
    await page.goto(`${server.url}#/new`);
    await step('review').click();
    await expect.poll(() => page.locator('#opt-name').inputValue(), { timeout: 10_000 }).toBe('');
  });

  it('has one main landmark, and no "required" error on an untouched form', async () => {
    await page.goto(`${server.url}#/new`);
    await page.reload();
    await page.locator('[data-step="data"]').waitFor();
    expect(await page.locator('main').count()).toBe(1);
    expect(await page.locator('[data-error-for="trainData"]').count()).toBe(0);
    // Typed training data that does not exist is named next to the field as it is typed.
    await step('data').click();
    await page.locator('#opt-trainData').fill('/nonexistent/clipwb-e2e/{000..009}.tar');
    await expect.poll(() => errorOf('trainData').textContent().catch(() => null), { timeout: 10_000 }).toMatch(/^folder \/nonexistent\/clipwb-e2e does not exist/);
    await screenshot(page, 'wizard-missing-data');
  });

  it('shows the run\'s own evaluation in the Evaluations table', async () => {
    expect(runId).not.toBe('');
    await page.goto(`${server.url}#/evaluations`);
    await page.locator('h1', { hasText: 'Evaluations' }).waitFor();
    const row = page.locator('tbody tr', { hasText: RUN_NAME });
    await row.locator('[data-task="fashion_mnist"] .main').waitFor({ timeout: 200_000 });
    const { rows } = await call('evals.table', { runIds: [runId] });
    const main = rows.find((r) => r.task === 'fashion_mnist' && r.isMain);
    expect(main?.value).toBeGreaterThan(0.1);
    expect(Number(await row.locator('[data-task="fashion_mnist"] .main').textContent())).toBeCloseTo(main!.value!, 3);
    await screenshot(page, 'wizard-run-evaluated');
    await waitFor(`run ${runId} to finish`, async () => (await call('runs.get', { id: runId })).status === 'finished', 60_000, 1000);
    expect(consoleErrors.filter((e) => !e.includes("'frame-ancestors'"))).toEqual([]);
  });
});
