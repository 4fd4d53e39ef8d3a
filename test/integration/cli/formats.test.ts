/** clipwb eval --list-tasks and clipwb convert, in this process through main(). */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { readSafetensors } from '../../../src-worker/io/safetensors';
import { openClipCheckpoint, picklePy, tensor, writeTorchZip } from '../../helpers/torch-zip';
import { runMain } from './run-main';

const root = fs.mkdtempSync(path.join(os.tmpdir(), 'clipwb-formats-'));
afterAll(() => fs.rmSync(root, { recursive: true, force: true }));

describe('clipwb eval --list-tasks', () => {
  it('lists the DataComp tasks, which run and why the others do not', async () => {
    const r = await runMain(['eval', '--list-tasks']);
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/DataComp's evaluation suite: 40 tasks \(38 with a scalar main metric, which DataComp averages\); 33 run here, 7 do not/);
    expect(r.out).toMatch(/^retrieval\/mscoco_2014_5k_test_image_text_retrieval\s+mscoco\s+yes\s+mean_recall@1\s+wds_mscoco_2014_5k_test\/\s+\(clipwb data download evalsets --tasks mscoco\)$/m);
    expect(r.out).toMatch(/^\s+wilds\/fmow: its main metric, accuracy of the worst region/m);
    expect(r.out).toMatch(/^\s+fairness\/fairface: race \/ gender \/ age group accuracies/m);
    const json = await runMain(['eval', '--list-tasks', '--json']);
    const listing = JSON.parse(json.out) as { rows: { key: string; runs: boolean; reason?: string }[]; summary: Record<string, number> };
    expect(listing.summary).toEqual({ datacomp: 40, datacompScalar: 38, datacompRuns: 33, total: 41, runs: 34 });
    expect(listing.rows.find((x) => x.key === 'misc/winogavil')).toMatchObject({ runs: false, reason: expect.stringMatching(/WinoGAViL has its own protocol/) });
  });
});

describe('clipwb convert', () => {
  it('writes the state dict of a .pt as safetensors, floats as F32 and integers as I32', async () => {
    const pt = path.join(root, 'epoch_2.pt');
    writeTorchZip(pt, openClipCheckpoint([
      ['visual.proj', tensor('float16', '0', [2, 2], [1, 0.5, -0.25, 2])],
      ['position_ids', tensor('int64', '1', [3], [0, 1, 2])],
    ], [tensor('float32', '2', [1], [9])], 2));
    const r = await runMain(['convert', pt]);
    expect(r.code).toBe(0);
    const out = path.join(root, 'epoch_2.safetensors');
    expect(r.out).toContain(`${out}: 2 tensors (1 float -> F32, 1 integer -> I32); left out: optimizer`);
    const st = await readSafetensors(out);
    expect([...st.tensors.get('visual.proj')!.data]).toEqual([1, 0.5, -0.25, 2]);
    expect(st.tensors.get('position_ids')!.sourceDtype).toBe('I32');
    expect(st.metadata).toMatchObject({ epoch: '2', name: 'seed-run', converted_from: 'epoch_2.pt' });
    // Not twice without --force; a malicious file is refused and nothing is written.
    expect((await runMain(['convert', pt])).err).toMatch(/exists; pass --force/);
    const evil = path.join(root, 'evil.pt');
    writeTorchZip(evil, { dict: [] }, { pickle: Buffer.concat([Buffer.from([0x80, 0x02]), Buffer.from('cposix\nsystem\n'), picklePy('id').subarray(2, -1), Buffer.from([0x85, 0x52, 0x2e])]) });
    const bad = await runMain(['convert', evil]);
    expect(bad.code).not.toBe(0);
    expect(bad.err).toMatch(/global posix\.system/);
    expect(fs.existsSync(path.join(root, 'evil.safetensors'))).toBe(false);
  });
});
