/**
 * How the run page's cost depends on a run's length: opens the built app on the in-memory fake API
 * with a long run of N points per key (N = 1e3, 1e5, 1e6) and prints, per N, the points handed to the
 * Loss chart and the median time to redraw every mounted chart (log-y toggled, no refetch). A script
 * that prints figures, not a test:  npx tsx test/e2e/helpers/bench-charts.ts
 * The fake computes series in the page itself, so load times include its smoothing/decimation of N
 * points (the real app does that in the main process); the redraw figure is the renderer's own cost.
 */
import { launchBrowser, newPage } from './browser';
import { ensureRendererBuilt, RENDERER_OUT } from './build';
import { serveStatic } from './static-server';

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

ensureRendererBuilt();
const statics = await serveStatic(RENDERER_OUT);
const browser = await launchBrowser();
try {
  for (const n of [1_000, 100_000, 1_000_000]) {
    const { page, context } = await newPage(browser);
    const t0 = Date.now();
    await page.goto(`${statics.url}/index.html?fake&points=${n}#/runs/fake-long`);
    const loss = page.locator('[data-chart="Loss"]');
    // Polled with evaluate: waitForFunction evaluates strings in a way the page's CSP forbids.
    for (let settled = false; !settled; await page.waitForTimeout(100)) {
      settled = await page.evaluate<boolean>(`(() => {
        const el = document.querySelector('[data-chart="Loss"]');
        const all = [...document.querySelectorAll('[data-chart]')];
        return !!el && el.getAttribute('data-source-count') === '${n}' && all.every((c) => c.getAttribute('data-loading') === 'false');
      })()`);
      if (Date.now() - t0 > 120_000) throw new Error('the page did not settle in 2 minutes');
    }
    // Let the other visible charts' first fetches (computed by the fake in this same page) finish.
    await page.waitForTimeout(1500);
    const loadMs = Date.now() - t0;
    const drawn = Number(await loss.getAttribute('data-drawn-points'));
    const charts = await page.locator('[data-chart]:not([data-source-count="0"])').count();
    const redraws: number[] = [];
    // The fake's own garbage (N-sized arrays per series request) is collected first, so a major GC
    // triggered by it does not land inside a redraw measurement.
    const cdp = await context.newCDPSession(page);
    for (let i = 0; i < 7; i++) {
      await cdp.send('HeapProfiler.collectGarbage');
      // A string, not a function: tsx's name helpers do not exist in the page.
      redraws.push(await page.evaluate<number>(`(async () => {
        const box = [...document.querySelectorAll('label')].find((l) => l.textContent.includes('Log y')).querySelector('input');
        const start = performance.now();
        box.click();
        await new Promise((r) => requestAnimationFrame(() => r(null)));
        await new Promise((r) => requestAnimationFrame(() => r(null)));
        return performance.now() - start;
      })()`));
    }
    const heapMb = await page.evaluate(() => ((performance as unknown as { memory?: { usedJSHeapSize: number } }).memory?.usedJSHeapSize ?? 0) / 2 ** 20);
    console.log(`N=${n.toLocaleString('en-US')}: ${charts} charts drawn, Loss chart draws ${drawn} points; page settled in ${loadMs} ms (fake included); redraw of all charts median ${median(redraws).toFixed(1)} ms (7 runs, min ${Math.min(...redraws).toFixed(1)}, max ${Math.max(...redraws).toFixed(1)}); JS heap ${heapMb.toFixed(0)} MiB`);
    await context.close();
  }
} finally {
  await browser.close();
  await statics.close();
}
