/** Child process for the two-writer test: appends batches to one run of the given database. */
import { openStore } from '../../../src-main/store';

const [file, runId, key, batchesText, startAtText] = process.argv.slice(2);
if (!file || !runId || !key || !batchesText || !startAtText) {
  throw new Error('usage: append-child.ts <file> <runId> <key> <batches> <start at, ms since epoch>');
}
const store = openStore({ file });
// Both children start writing at the same moment, whatever their startup times, so their
// transactions really interleave.
const startAt = Number(startAtText);
while (Date.now() < startAt) {
  await new Promise((resolve) => setTimeout(resolve, 5));
}
const batches = Number(batchesText);
for (let b = 0; b < batches; b++) {
  const points = Array.from({ length: 20 }, (_, i) => ({ key, step: b * 20 + i, value: i, wallTime: Date.now() }));
  store.metrics.append(runId, points);
  store.events.add([{ runId, level: 'debug', kind: 'log', message: `${key} batch ${b}` }]);
}
store.close();
