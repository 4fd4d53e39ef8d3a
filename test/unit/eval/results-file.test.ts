import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  appendResultLine,
  epochResultsFile,
  formatResultLine,
  latestByKey,
  readResultsFile,
  repairResultsFile,
} from '../../../src-worker/eval/results-file';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'eval-results-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe('DataComp results file', () => {
  it('lives at eval_results/epoch_N_eval_results.jsonl', () => {
    expect(epochResultsFile('/runs/a', 3)).toBe('/runs/a/eval_results/epoch_3_eval_results.jsonl');
    expect(() => epochResultsFile('/runs/a', -1)).toThrow(/epoch must be a non-negative integer/);
  });

  it("writes one line per task with json.dumps' separators", () => {
    const line = { key: 'cifar10', dataset: 'CIFAR-10', metrics: { acc1: 0.5, acc5: null, mean_per_class_recall: 0.25, main_metric: 0.5 } };
    expect(formatResultLine(line)).toBe('{"key": "cifar10", "dataset": "CIFAR-10", "metrics": {"acc1": 0.5, "acc5": null, "mean_per_class_recall": 0.25, "main_metric": 0.5}}');
    const path = join(dir, 'eval_results', 'epoch_1_eval_results.jsonl');
    appendResultLine(path, line);
    appendResultLine(path, { ...line, key: 'mnist', dataset: 'MNIST' });
    const text = readFileSync(path, 'utf8');
    expect(text.split('\n')).toHaveLength(3);
    expect(text.endsWith('}\n')).toBe(true);
    expect(readResultsFile(path).lines.map((l) => l.key)).toEqual(['cifar10', 'mnist']);
  });

  it("reads Python's bare NaN as null and a missing main_metric as null", () => {
    const path = join(dir, 'r.jsonl');
    writeFileSync(path, '{"key": "vtab/pcam", "dataset": "PatchCamelyon", "metrics": {"acc1": 0.5, "acc5": NaN, "main_metric": 0.5}}\n{"key": "fairness/fairface", "dataset": "FairFace", "metrics": {"x": 1}}\n');
    const { lines } = readResultsFile(path);
    expect(lines[0]!.metrics).toEqual({ acc1: 0.5, acc5: null, main_metric: 0.5 });
    expect(lines[1]!.metrics.main_metric).toBeNull();
  });

  it('drops a half-written last line before appending, and keeps a complete one without newline', () => {
    const path = join(dir, 'r.jsonl');
    const good = '{"key": "mnist", "dataset": "MNIST", "metrics": {"main_metric": 0.9}}';
    writeFileSync(path, `${good}\n{"key": "cifar10", "datas`);
    const contents = readResultsFile(path);
    expect(contents.lines.map((l) => l.key)).toEqual(['mnist']);
    expect(repairResultsFile(path, contents)).toBe(Buffer.byteLength('{"key": "cifar10", "datas'));
    expect(readFileSync(path, 'utf8')).toBe(`${good}\n`);

    writeFileSync(path, good);
    const noNewline = readResultsFile(path);
    expect(noNewline.missingFinalNewline).toBe(true);
    appendResultLine(path, { key: 'stl10', dataset: 'STL-10', metrics: { main_metric: 0.8 } }, { leadingNewline: true });
    expect(readResultsFile(path).lines.map((l) => l.key)).toEqual(['mnist', 'stl10']);
  });

  it('names the file and line of a broken line in the middle', () => {
    const path = join(dir, 'r.jsonl');
    writeFileSync(path, '{"key": "mnist", "dataset": "MNIST", "metrics": {}}\nnot json\n{"key": "a", "dataset": "A", "metrics": {}}\n');
    expect(() => readResultsFile(path)).toThrow(new RegExp(`${path} line 2 is not valid JSON`));
    writeFileSync(path, '{"key": "mnist", "metrics": {}}\n');
    expect(() => readResultsFile(path)).toThrow(/line 1: no "dataset" string/);
  });

  it('a missing file is an empty result set; the last line of a key wins', () => {
    expect(readResultsFile(join(dir, 'none.jsonl')).lines).toEqual([]);
    const byKey = latestByKey([
      { key: 'a', dataset: 'A', metrics: { main_metric: 1 } },
      { key: 'b', dataset: 'B', metrics: { main_metric: 2 } },
      { key: 'a', dataset: 'A', metrics: { main_metric: 3 } },
    ]);
    expect([...byKey.keys()]).toEqual(['a', 'b']);
    expect(byKey.get('a')!.metrics.main_metric).toBe(3);
  });
});
