/**
 * Terminal progress: a redrawn bar on a TTY, a line every few seconds otherwise (CI logs, pipes), so long
 * work always shows that it is alive and how long it has left.
 */
export interface ProgressBar {
  update(done: number, total?: number, note?: string): void;
  done(message?: string): void;
}

function formatDuration(seconds: number): string {
  if (!Number.isFinite(seconds) || seconds < 0) return '--:--';
  const s = Math.round(seconds);
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const sec = s % 60;
  return h > 0 ? `${h}:${String(m).padStart(2, '0')}:${String(sec).padStart(2, '0')}` : `${m}:${String(sec).padStart(2, '0')}`;
}

export function formatBytes(n: number): string {
  const units = ['B', 'KB', 'MB', 'GB', 'TB'];
  let v = n;
  let i = 0;
  while (v >= 1024 && i < units.length - 1) { v /= 1024; i++; }
  return `${v.toFixed(i === 0 ? 0 : 1)} ${units[i]}`;
}

export function createProgressBar(label: string, opts: { unit?: 'items' | 'bytes'; stream?: NodeJS.WriteStream; intervalMs?: number } = {}): ProgressBar {
  const stream = opts.stream ?? process.stderr;
  const tty = Boolean(stream.isTTY) && !process.env.CI;
  const start = Date.now();
  let lastPrint = 0;
  let lastLine = '';
  let finalShown = false;
  // The rate (and so the ETA) is measured from the first report on, not from creation: what comes before
  // the first step (building a model, compiling kernels, a teacher's first pass) says nothing about the
  // pace of the rest, and counting it made the first ETA of a long run several times too long.
  let first: { done: number; t: number } | null = null;
  const fmt = (n: number) => (opts.unit === 'bytes' ? formatBytes(n) : String(n));
  const render = (done: number, total: number | undefined, note?: string): string => {
    const now = Date.now();
    if (first === null) first = { done, t: now };
    const elapsed = (now - first.t) / 1000;
    const rate = elapsed > 0 && done > first.done ? (done - first.done) / elapsed : 0;
    const frac = total ? Math.min(1, done / total) : 0;
    const eta = total && rate > 0 ? (total - done) / rate : NaN;
    const width = 24;
    const bar = total ? `[${'#'.repeat(Math.round(frac * width)).padEnd(width, '.')}] ${(frac * 100).toFixed(0).padStart(3)}%` : '';
    const rateText = rate <= 0 ? '-/s' : opts.unit === 'bytes' ? `${formatBytes(rate)}/s` : `${rate.toFixed(rate < 10 ? 1 : 0)}/s`;
    return `${label} ${bar} ${fmt(done)}${total ? `/${fmt(total)}` : ''} ${rateText} eta ${formatDuration(eta)}${note ? `  ${note}` : ''}`;
  };
  return {
    update(done, total, note) {
      const now = Date.now();
      const interval = tty ? 100 : (opts.intervalMs ?? 5000);
      const complete = total !== undefined && done >= total;
      if (complete && finalShown) return;
      if (now - lastPrint < interval && !complete) return;
      finalShown = complete;
      lastPrint = now;
      lastLine = render(done, total, note);
      if (tty) stream.write(`\r\x1b[2K${lastLine}`);
      else stream.write(`${lastLine}\n`);
    },
    done(message) {
      const text = message ?? lastLine;
      if (tty) stream.write(`\r\x1b[2K${text} (${formatDuration((Date.now() - start) / 1000)})\n`);
      else if (message) stream.write(`${text} (${formatDuration((Date.now() - start) / 1000)})\n`);
    },
  };
}
