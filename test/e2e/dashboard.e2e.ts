/**
 * The dashboard against the real web mode on a machine without a GPU: "No GPU" with the monitor's
 * state and reason, the machine's CPU and memory, the queue, and the shell's navigation.
 */
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { apiOf } from './helpers/api';
import { launchBrowser, newPage, screenshot } from './helpers/browser';

const server = inject('clipwb');
const call = apiOf(server);
let browser: Browser;
let page: Page;
let consoleErrors: string[];

beforeAll(async () => {
  browser = await launchBrowser();
  ({ page, consoleErrors } = await newPage(browser));
});
afterAll(async () => {
  await browser?.close();
});

describe('dashboard', () => {
  it('says plainly that there is no GPU, and why', async () => {
    await page.goto(server.url);
    const noGpu = page.getByTestId('no-gpu');
    await noGpu.waitFor({ timeout: 20_000 });
    const snap = await call('gpu.snapshot', {});
    const text = await noGpu.innerText();
    expect(text).toContain('No GPU');
    expect(text).toContain(snap.state);
    if (snap.reason) expect(text).toContain(snap.reason);
  });

  it('shows the machine and the queue', async () => {
    const info = await call('system.info', {});
    const machine = page.locator('.machine');
    await machine.waitFor();
    expect(await machine.innerText()).toContain(`${info.cpu.cores} cores`);
    expect(await page.getByTestId('queue-status').innerText()).toMatch(/Queue: \d+ running · \d+ waiting/);
  });

  it('shows live CPU per core, memory and disk free in the data folder', async () => {
    const info = await call('system.info', {});
    const panel = page.getByTestId('system-panel');
    await panel.waitFor();
    await expect.poll(() => page.getByTestId('cpu-core').count(), { timeout: 20_000 }).toBe(info.cpu.cores);
    // Per-core figures need two samples; then every core has a number.
    await expect.poll(() => page.getByTestId('cpu-total').innerText(), { timeout: 20_000 }).toMatch(/^\d+%$/);
    expect(await page.getByTestId('memory-used').innerText()).toMatch(/iB \/ \d/);
    expect(await page.getByTestId('disk-free').innerText()).toMatch(/free of/);
    expect(await panel.innerText()).toContain(server.home);
    // Sampled on an interval, not frozen at start: the sample time moves on while the page is open.
    const t0 = Number(await panel.getAttribute('data-sample-t'));
    await expect.poll(async () => Number(await panel.getAttribute('data-sample-t')), { timeout: 20_000 }).toBeGreaterThan(t0);
    await screenshot(page, 'dashboard');
  });

  it('navigates between sections from the shell, by click and by Alt+number', async () => {
    await page.getByRole('link', { name: /^Runs/ }).click();
    await page.getByRole('heading', { name: 'Runs' }).waitFor();
    expect(page.url()).toContain('#/runs');
    await page.keyboard.press('Alt+1');
    await page.getByRole('heading', { name: 'Dashboard' }).waitFor();
    // Nothing the app loaded broke the Content-Security-Policy or threw.
    expect(consoleErrors.filter((e) => !/frame-ancestors/.test(e))).toEqual([]);
  });
});
