// Entry of every loader worker thread. Worker threads do not inherit the TypeScript loader of the
// thread that started them (neither vitest's nor tsx's), so a .ts entry registers tsx here first.
import { workerData } from 'node:worker_threads';

const entry = workerData && workerData.entry;
if (typeof entry !== 'string') throw new Error('thread-bootstrap.mjs: workerData.entry (a module URL) is required');
if (entry.endsWith('.ts')) {
  const { register } = await import('tsx/esm/api');
  register();
}
await import(entry);
