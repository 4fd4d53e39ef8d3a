/**
 * `npm run soak`: bounded fault injection against real processes. Not part of `npm test`: it takes
 * minutes and its outcome depends on where the kills land. It prints one table: per scenario, how many
 * faults were injected, how many runs/downloads survived them (finished after a resume / a rerun),
 * how many logged steps never reached the store, and how many results differ from an uninterrupted
 * reference (final weights tensor by tensor, downloaded bytes by SHA-256).
 *
 *   npm run soak -- [--rounds 3] [--keep]
 *
 * Scenarios, each repeated --rounds times:
 *   worker-kill     `clipwb train` runs; its worker gets SIGKILL right after a checkpoint write starts
 *                   (a .tmp file appears) or at a random step; `clipwb runs resume` finishes it.
 *   cli-kill        the supervising `clipwb train` gets SIGKILL; the orphaned worker pauses itself;
 *                   `clipwb runs resume` finishes it.
 *   server-kill     a run created through `clipwb serve`'s API; the server gets SIGKILL; resume finishes it.
 *   download-kill   `clipwb data download urls` of a slow 3 MiB file gets SIGKILL mid-transfer (and the
 *                   server drops connections); rerunning the same command completes it.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import http from 'node:http';
import { openStore, type Store } from '../src-main/store';
import { readSafetensors } from '../src-worker/io/safetensors';
import { parseTrainArgs } from '../src-shared/config/train-config';
import { Rng } from '../src-worker/data/rng';
import { makeWorkspace, trainArgs, type Workspace } from '../test/integration/runs/fixture';
import { cli, cliEnv, startCli, type CliProcess } from '../test/integration/cli/run-cli';
import { TestHttpServer } from '../test/helpers/http-server';
import { until } from '../test/helpers/until';

interface Row { scenario: string; faults: number; survived: number; pointsLost: number; mismatches: number; notes: string[] }

const argv = process.argv.slice(2);
const flag = (name: string): string | undefined => { const i = argv.indexOf(`--${name}`); return i >= 0 ? argv[i + 1] : undefined; };
const rounds = Number(flag('rounds') ?? 3);
if (!Number.isInteger(rounds) || rounds < 1 || rounds > 50) { console.error('--rounds: give a whole number from 1 to 50'); process.exit(2); }
const keep = argv.includes('--keep');

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const alive = (pid: number): boolean => { try { process.kill(pid, 0); return true; } catch { return false; } };
/** Seeded, so that a soak's kill points can be replayed. */
const seeded = new Rng(20261203);
const random = (): number => seeded.float();

const STEPS = 48;
const runFlags = (ws: Workspace, name: string) => trainArgs(ws, ['--epochs', '12', '--max-steps', String(STEPS), '--save-frequency', '0', '--save-every-n-steps', '6', '--seed', '7', '--name', name]);

/** The final checkpoint's tensors, by name. */
async function finalWeights(store: Store, runId: string): Promise<Map<string, Float32Array | Int32Array>> {
  const last = store.checkpoints.latestForRun(runId);
  if (!last) throw new Error(`run ${runId} has no checkpoint`);
  const { tensors } = await readSafetensors(last.path.replace(/\.json$/, '.safetensors'));
  return new Map([...tensors].map(([k, t]) => [k, t.data]));
}

function sameTensors(a: Map<string, Float32Array | Int32Array>, b: Map<string, Float32Array | Int32Array>): boolean {
  if (a.size !== b.size) return false;
  for (const [k, x] of a) {
    const y = b.get(k);
    if (!y || y.length !== x.length) return false;
    for (let i = 0; i < x.length; i++) if (!Object.is(x[i], y[i])) return false;
  }
  return true;
}

/** Live steps of train/loss, and how many of 1..STEPS are missing. */
function lostPoints(store: Store, runId: string): number {
  const info = store.metrics.getSeries(runId, 'train/loss');
  const steps = new Set(info ? Array.from(store.metrics.readRange(info.id).steps) : []);
  let lost = 0;
  for (let s = 1; s <= STEPS; s++) if (!steps.has(s)) lost++;
  return lost;
}

/** Resumes with the CLI until the run finishes (a kill may land before any checkpoint: that is a restart). */
async function resumeToEnd(env: NodeJS.ProcessEnv, store: Store, runId: string): Promise<boolean> {
  for (let attempt = 0; attempt < 3; attempt++) {
    // Wait until no worker of the run is alive; the resuming process then marks an orphaned run interrupted.
    await until('the run\'s workers to be gone', () => store.runs.require(runId).pids.every((p) => !alive(p)) || null, 60_000, 100);
    if (store.runs.require(runId).status === 'finished') return true;
    const r = await cli(['runs', 'resume', runId], env);
    if (store.runs.require(runId).status === 'finished') return true;
    if (r.code !== 0 && attempt === 2) return false;
  }
  return store.runs.require(runId).status === 'finished';
}

async function score(row: Row, store: Store, env: NodeJS.ProcessEnv, runId: string, reference: Map<string, Float32Array | Int32Array>): Promise<void> {
  const finished = await resumeToEnd(env, store, runId);
  if (!finished) { row.notes.push(`${runId}: ${store.runs.require(runId).status}: ${store.runs.require(runId).error ?? ''}`); return; }
  row.survived++;
  row.pointsLost += lostPoints(store, runId);
  if (!sameTensors(reference, await finalWeights(store, runId))) row.mismatches++;
  const temps = fs.readdirSync(path.join(store.runs.require(runId).outDir!, 'checkpoints')).filter((n) => n.endsWith('.tmp'));
  if (temps.length > 0) row.notes.push(`${runId}: ${temps.length} temp file(s) left`);
}

async function workerKill(ws: Workspace, store: Store, env: NodeJS.ProcessEnv, reference: Map<string, Float32Array | Int32Array>): Promise<Row> {
  const row: Row = { scenario: 'worker-kill (around checkpoint writes)', faults: 0, survived: 0, pointsLost: 0, mismatches: 0, notes: [] };
  for (let i = 0; i < rounds; i++) {
    const name = `soak-worker-${i}`;
    const p = startCli(['train', ...runFlags(ws, name)], env);
    const run = await until('the run to start', () => store.runs.list({ search: name }).find((r) => r.name === name && r.pids.length > 0));
    const ckptDir = path.join(run.outDir!, 'checkpoints');
    const duringWrite = i % 2 === 0;
    const atStep = 3 + Math.floor(random() * (STEPS - 8));
    // Either the moment a checkpoint's temporary file appears, or a random step.
    await until('the kill point', () => {
      if (duringWrite) return fs.existsSync(ckptDir) && fs.readdirSync(ckptDir).some((n) => n.endsWith('.tmp'));
      const info = store.metrics.getSeries(run.id, 'train/loss');
      return (info?.lastStep ?? 0) >= atStep || store.runs.require(run.id).status === 'finished';
    }, 120_000, 2);
    const pid = store.runs.require(run.id).pids[0];
    if (pid && alive(pid)) { process.kill(pid, 'SIGKILL'); row.faults++; }
    await p.done;
    await score(row, store, env, run.id, reference);
  }
  return row;
}

async function cliKill(ws: Workspace, store: Store, env: NodeJS.ProcessEnv, reference: Map<string, Float32Array | Int32Array>): Promise<Row> {
  const row: Row = { scenario: 'cli-kill (supervisor dies)', faults: 0, survived: 0, pointsLost: 0, mismatches: 0, notes: [] };
  for (let i = 0; i < rounds; i++) {
    const name = `soak-cli-${i}`;
    const p: CliProcess = startCli(['train', ...runFlags(ws, name)], env);
    const run = await until('the run to start', () => store.runs.list({ search: name }).find((r) => r.name === name && r.pids.length > 0));
    const atStep = 2 + Math.floor(random() * (STEPS - 8));
    await until('the kill point', () => (store.metrics.getSeries(run.id, 'train/loss')?.lastStep ?? 0) >= atStep, 120_000, 5);
    const [worker] = store.runs.require(run.id).pids;
    p.child.kill('SIGKILL');
    row.faults++;
    await p.done;
    await until('the orphaned worker to stop', () => !alive(worker!), 120_000, 100);
    await score(row, store, env, run.id, reference);
  }
  return row;
}

function post(port: number, token: string, method: string, body: unknown): Promise<{ status: number; json: unknown }> {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port, path: `/api/${method}`, method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => { try { resolve({ status: res.statusCode ?? 0, json: JSON.parse(Buffer.concat(chunks).toString('utf8')) }); } catch (err) { reject(err as Error); } });
    });
    req.on('error', reject);
    req.end(JSON.stringify(body));
  });
}

async function serverKill(ws: Workspace, store: Store, env: NodeJS.ProcessEnv, reference: Map<string, Float32Array | Int32Array>): Promise<Row> {
  const row: Row = { scenario: 'server-kill (clipwb serve dies)', faults: 0, survived: 0, pointsLost: 0, mismatches: 0, notes: [] };
  const token = 'soak-token-0123456789abcdef';
  for (let i = 0; i < rounds; i++) {
    const server = startCli(['serve', '--port', '0', '--token', token], env);
    const port = Number((await until('the server URL', () => /127\.0\.0\.1:(\d+)/.exec(server.output())?.[1], 60_000, 50)));
    const name = `soak-server-${i}`;
    const { config } = parseTrainArgs(runFlags(ws, name));
    const created = await post(port, token, 'runs.create', { config });
    if (created.status !== 200) throw new Error(`runs.create answered ${created.status}: ${JSON.stringify(created.json)}`);
    const runId = (created.json as { result: { run: { id: string } } }).result.run.id;
    const atStep = 2 + Math.floor(random() * (STEPS - 8));
    await until('the kill point', () => (store.metrics.getSeries(runId, 'train/loss')?.lastStep ?? 0) >= atStep, 180_000, 5);
    const [worker] = store.runs.require(runId).pids;
    server.child.kill('SIGKILL');
    row.faults++;
    await server.done;
    if (worker) await until('the orphaned worker to stop', () => !alive(worker), 120_000, 100);
    await score(row, store, env, runId, reference);
  }
  return row;
}

async function downloadKill(ws: Workspace, env: NodeJS.ProcessEnv): Promise<Row> {
  const row: Row = { scenario: 'download-kill (and dropped connections)', faults: 0, survived: 0, pointsLost: 0, mismatches: 0, notes: [] };
  const http = await TestHttpServer.start();
  try {
    for (let i = 0; i < rounds; i++) {
      const body = crypto.randomBytes(3 * 1024 * 1024);
      const sha = crypto.createHash('sha256').update(body).digest('hex');
      // The first two attempts are cut off by the server; transfers are slow enough to be killed mid-way.
      http.addFile(`/soak-${i}.bin`, body, { chunkDelayMs: 4, drop: { afterBytes: 200_000 + Math.floor(random() * 500_000), attempts: [1, 2] } });
      row.faults += 2;
      const list = path.join(ws.root, `urls-${i}.txt`);
      fs.writeFileSync(list, `${http.url}/soak-${i}.bin sha256:${sha} size:${body.length}\n`);
      const dest = path.join(ws.root, `downloads-${i}`);
      const first = startCli(['data', 'download', 'urls', list, '--dest', dest], env);
      await sleep(300 + Math.floor(random() * 1200));
      first.child.kill('SIGKILL');
      row.faults++;
      await first.done;
      let ok = false;
      for (let attempt = 0; attempt < 3 && !ok; attempt++) ok = (await cli(['data', 'download', 'urls', list, '--dest', dest], env)).code === 0;
      const file = path.join(dest, `soak-${i}.bin`);
      if (!ok || !fs.existsSync(file)) { row.notes.push(`download ${i} did not complete`); continue; }
      row.survived++;
      if (crypto.createHash('sha256').update(fs.readFileSync(file)).digest('hex') !== sha) row.mismatches++;
    }
  } finally {
    await http.close();
  }
  return row;
}

function printTable(rows: Row[]): void {
  const head = ['scenario', 'faults injected', 'survived', 'points lost', 'mismatches'];
  const cells = rows.map((r) => [r.scenario, String(r.faults), `${r.survived}/${rounds}`, String(r.pointsLost), String(r.mismatches)]);
  const widths = head.map((h, i) => Math.max(h.length, ...cells.map((c) => c[i]!.length)));
  const line = (c: string[]) => c.map((x, i) => (i === 0 ? x.padEnd(widths[i]!) : x.padStart(widths[i]!))).join('  ');
  console.log(line(head));
  console.log(widths.map((w) => '-'.repeat(w)).join('  '));
  for (const c of cells) console.log(line(c));
  for (const r of rows) for (const n of r.notes) console.log(`note (${r.scenario}): ${n}`);
}

const started = Date.now();
const ws = await makeWorkspace({ shards: 2, samplesPerShard: 32 });
const env = cliEnv(ws.root, ws.home);
const store = openStore({ file: path.join(ws.home, 'clipwb.sqlite') });
try {
  console.log(`soak: ${rounds} round(s) per scenario, runs of ${STEPS} steps, workspace ${ws.root}`);
  const ref = await cli(['train', ...runFlags(ws, 'soak-reference')], env);
  if (ref.code !== 0) throw new Error(`the reference run failed:\n${ref.stderr}`);
  const refRun = store.runs.list({ search: 'soak-reference' })[0]!;
  const reference = await finalWeights(store, refRun.id);
  const rows: Row[] = [];
  for (const scenario of [workerKill, cliKill, serverKill]) {
    rows.push(await scenario(ws, store, env, reference));
    console.log(`  ${rows[rows.length - 1]!.scenario}: done`);
  }
  rows.push(await downloadKill(ws, env));
  console.log('');
  printTable(rows);
  console.log(`\nsoak finished in ${((Date.now() - started) / 1000).toFixed(0)} s`);
  const bad = rows.some((r) => r.survived < rounds || r.pointsLost > 0 || r.mismatches > 0);
  process.exitCode = bad ? 1 : 0;
} finally {
  store.close();
  if (keep) console.log(`kept ${ws.root}`);
  else ws.remove();
}
