import { describe, expect, it } from 'vitest';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { listModelConfigNames, loadModelConfig, parseModelConfig, toOpenClipJson, ModelConfigError } from '../../../src-worker/model/config';
import { clipParamSpecs, countParams } from '../../../src-worker/model/param-spec';

describe('model configs', () => {
  it('ships the open_clip ViT-B configs and the small CPU configs', () => {
    expect(listModelConfigNames()).toEqual(
      expect.arrayContaining(['ViT-B-16', 'ViT-B-32', 'ViT-B-32-quickgelu', 'clip-tiny-p7-28', 'clip-tiny-p4-28', 'clip-small-p4-32']),
    );
  });

  it('resolves ViT-B-16 to open_clip sizes', () => {
    const c = loadModelConfig('ViT-B-16');
    expect(c.vision).toEqual({ imageSize: 224, patchSize: 16, gridSize: 14, width: 768, layers: 12, heads: 12, headWidth: 64, mlpWidth: 3072 });
    expect(c.text).toEqual({ contextLength: 77, vocabSize: 49408, width: 512, heads: 8, layers: 12, mlpWidth: 2048 });
    expect(c.quickGelu).toBe(false);
    expect(c.initLogitScale).toBeCloseTo(Math.log(1 / 0.07), 12);
    expect(loadModelConfig('ViT-B-32-quickgelu').quickGelu).toBe(true);
  });

  it('counts parameters like open_clip, without allocating', () => {
    const b16 = countParams(clipParamSpecs(loadModelConfig('ViT-B-16')));
    expect(b16).toEqual({ total: 149_620_737, vision: 86_192_640, text: 63_428_096, logitScale: 1 });
    expect(countParams(clipParamSpecs(loadModelConfig('ViT-B-32'))).total).toBe(151_277_313);
    expect(countParams(clipParamSpecs(loadModelConfig('ViT-B-32'))).vision).toBe(87_849_216);
    // 302 tensors, as the seed's init-from-teacher log counts them
    expect(clipParamSpecs(loadModelConfig('ViT-B-16'))).toHaveLength(302);
  });

  it('counts the small configs', () => {
    // per block: 2 LN (4w) + in_proj (3w²+3w) + out_proj (w²+w) + c_fc (4w²+4w) + c_proj (4w²+w) = 12w² + 13w
    const block = (w: number) => 12 * w * w + 13 * w;
    const tiny = (p: number) => {
      const vision = 64 * 3 * p * p + 64 + ((28 / p) ** 2 + 1) * 64 + 2 * 64 + 2 * block(64) + 2 * 64 + 64 * 64;
      const text = 1024 * 64 + 16 * 64 + 2 * block(64) + 2 * 64 + 64 * 64;
      return vision + text + 1;
    };
    expect(countParams(clipParamSpecs(loadModelConfig('clip-tiny-p7-28'))).total).toBe(tiny(7));
    expect(countParams(clipParamSpecs(loadModelConfig('clip-tiny-p4-28'))).total).toBe(tiny(4));
    const smallVision = 128 * 3 * 16 + 128 + 65 * 128 + 2 * 128 + 4 * block(128) + 2 * 128 + 128 * 128;
    const smallText = 1024 * 128 + 16 * 128 + 4 * block(128) + 2 * 128 + 128 * 128;
    expect(countParams(clipParamSpecs(loadModelConfig('clip-small-p4-32'))).total).toBe(smallVision + smallText + 1);
  });

  it('the tiny p4 teacher differs from the p7 student only in conv1 and the visual positional embedding', () => {
    const a = new Map(clipParamSpecs(loadModelConfig('clip-tiny-p7-28')).map((s) => [s.name, s.shape]));
    const b = new Map(clipParamSpecs(loadModelConfig('clip-tiny-p4-28')).map((s) => [s.name, s.shape]));
    expect([...a.keys()]).toEqual([...b.keys()]);
    const differing = [...a].filter(([n, s]) => JSON.stringify(s) !== JSON.stringify(b.get(n))).map(([n]) => n);
    expect(differing).toEqual(['visual.positional_embedding', 'visual.conv1.weight']);
  });

  it('lists the available names when a name is unknown', () => {
    expect(() => loadModelConfig('ViT-B-99')).toThrow(/"ViT-B-99" is unknown\. Available: .*ViT-B-16.*clip-tiny-p7-28/);
  });

  it('names the bad field', () => {
    const good = JSON.parse(fs.readFileSync(path.join('resources/model_configs/clip-tiny-p7-28.json'), 'utf8')) as Record<string, Record<string, unknown>>;
    const bad = (patch: (c: Record<string, Record<string, unknown>>) => void) => {
      const c = structuredClone(good);
      patch(c);
      return () => parseModelConfig(c, 'test');
    };
    expect(bad((c) => { c.vision_cfg!.width = -3; })).toThrow(/vision_cfg\.width: /);
    expect(bad((c) => { c.text_cfg!.layers = 'two'; })).toThrow(/text_cfg\.layers: /);
    expect(bad((c) => { c.vision_cfg!.patch_size = 5; })).toThrow(/vision_cfg\.image_size: 28 is not a multiple of vision_cfg\.patch_size 5/);
    expect(bad((c) => { c.text_cfg!.heads = 3; })).toThrow(/text_cfg\.heads: width 64 is not divisible by 3 heads/);
    expect(bad((c) => { c.vision_cfg!.ls_init_value = 0.1; })).toThrow(/vision_cfg\.ls_init_value/);
    expect(bad((c) => { c.vision_cfg!.patch_szie = 4; })).toThrow(/vision_cfg\.patch_szie: not supported/);
    expect(bad((c) => { delete (c as Record<string, unknown>).embed_dim; })).toThrow(/embed_dim: /);
    expect(() => parseModelConfig({ embed_dim: 4, vision_cfg: {}, text_cfg: {}, init_logit_bias: -10 }, 'x')).toThrow(/init_logit_bias: not supported/);
    expect(() => parseModelConfig(null, 'x')).toThrow(ModelConfigError);
  });

  it('loads a config from a JSON file path and writes it back in open_clip format', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'clipwb-cfg-'));
    const file = path.join(dir, 'mine.json');
    const original = loadModelConfig('clip-small-p4-32');
    fs.writeFileSync(file, JSON.stringify(toOpenClipJson(original)));
    const again = loadModelConfig(file);
    expect({ ...again, name: '' }).toEqual({ ...original, name: '' });
    fs.writeFileSync(file, '{ not json');
    expect(() => loadModelConfig(file)).toThrow(/is not valid JSON/);
    expect(() => loadModelConfig(path.join(dir, 'absent.json'))).toThrow(/cannot read/);
    fs.rmSync(dir, { recursive: true });
  });
});
