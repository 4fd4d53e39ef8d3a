/**
 * The Data page against the real web mode (the shared e2e server): build the built-in dataset
 * (progress, then listed), a URL download from a local HTTP server paused, resumed and finished, and a
 * shard folder added by its typed path and scanned (a relative path is refused next to the field).
 */
import fs from 'node:fs';
import path from 'node:path';
import { createHash, randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { launchBrowser, newPage, screenshot } from './helpers/browser';
import { TestHttpServer } from '../helpers/http-server';
import { makeShards } from '../helpers/shards';

const server = inject('clipwb');
/** Names no other file on the shared server uses. */
const unique = `e2e-data-${process.pid}`;
let browser: Browser;
let page: Page;
let consoleErrors: string[];

beforeAll(async () => {
  browser = await launchBrowser();
  ({ page, consoleErrors } = await newPage(browser));
  await page.goto(`${server.url}#/data`);
  await page.locator('h1', { hasText: 'Data' }).waitFor();
});

afterAll(async () => {
  await browser?.close();
});

describe('Data page', () => {
  it('builds the built-in dataset with visible progress, then lists it', async () => {
    await page.locator('#build-builtin').click();
    const progress = page.getByTestId('build-progress');
    await progress.getByRole('progressbar').waitFor();
    await screenshot(page, 'data-builtin-building');
    const row = page.locator('tr[data-dataset="fashion-mnist (train)"]');
    await row.waitFor({ timeout: 180_000 });
    await expect(row.textContent()).resolves.toMatch(/60,000 samples/);
    await page.locator('tr[data-dataset="fashion-mnist (fashion_mnist test)"]').waitFor();
    await expect.poll(() => progress.textContent(), { timeout: 30_000 }).toMatch(/ready at/);
    await screenshot(page, 'data-builtin-built');
  });

  it('downloads a URL with progress, pauses, resumes and finishes it', async () => {
    const http = await TestHttpServer.start();
    try {
      const body = randomBytes(2 * 1024 * 1024);
      // 128 chunks of 16 KiB, 150 ms apart: at least 19 s, long enough to see it run and to pause it
      // even when a loaded machine makes each poll slow.
      const file = `${unique}.tar`;
      http.addFile(`/shards/${file}`, body, { chunkDelayMs: 150 });
      await page.getByRole('radio', { name: 'URL' }).click();
      await page.locator('#dl-url').fill(`${http.url}/shards/${file}`);
      await expect(page.locator('#dl-dest').inputValue()).resolves.toBe(file);
      await page.locator('#dl-sha').fill(createHash('sha256').update(body).digest('hex'));
      await page.getByRole('button', { name: 'Download', exact: true }).click();

      const row = page.locator('tr[data-download]', { hasText: file });
      await row.and(page.locator('[data-status="running"]')).waitFor();
      await expect.poll(async () => Number(await row.getByRole('progressbar').getAttribute('aria-valuenow')), { timeout: 30_000 }).toBeGreaterThan(0);
      await expect.poll(() => row.textContent(), { timeout: 15_000 }).toMatch(/2\.0 MiB/);
      // The rate and the ETA need a few samples of the transfer before they mean anything.
      await expect.poll(() => row.textContent(), { timeout: 15_000 }).toMatch(/\d+(\.\d)? [KM]iB\/s.*\d+s/);
      await screenshot(page, 'data-download-running');

      await row.getByRole('button', { name: 'Pause' }).click();
      await row.and(page.locator('[data-status="paused"]')).waitFor();
      await screenshot(page, 'data-download-paused');
      await row.getByRole('button', { name: 'Resume' }).click();
      await row.and(page.locator('[data-status="done"]')).waitFor({ timeout: 60_000 });
      // Resumed with a Range request, not started over.
      expect(http.requests.filter((r) => r.path === `/shards/${file}` && r.headers.range).length).toBeGreaterThan(0);
      const saved = path.join(server.home, 'downloads', file);
      expect(fs.readFileSync(saved).equals(body)).toBe(true);
    } finally {
      await http.close();
    }
  });

  it('adds a shard folder by its typed path and shows the scan, refusing a relative path', async () => {
    const dir = path.join(server.home, unique);
    await makeShards(dir, { shards: 2, samplesPerShard: 3 });

    await page.locator('#ds-path').fill('relative/dir');
    await page.getByRole('button', { name: 'Add and scan' }).click();
    await expect(page.locator('[data-error-for="path"]').textContent()).resolves.toMatch(/absolute path/);

    await page.locator('#ds-path').fill(dir);
    await page.getByRole('button', { name: 'Add and scan' }).click();
    const row = page.locator(`tr[data-dataset="${unique}"]`);
    await row.waitFor();
    await expect(row.textContent()).resolves.toMatch(/2 shards/);
    await row.getByRole('button', { name: 'Count samples' }).click();
    await expect.poll(() => row.textContent(), { timeout: 30_000 }).toMatch(/6 samples/);
    await screenshot(page, 'data-folder-added');
    // The refused relative path is a 400 answer, which the browser logs; nothing else may show up.
    expect(consoleErrors.filter((e) => !e.includes("'frame-ancestors'") && !e.includes('status of 400'))).toEqual([]);
  });
});
