import { describe, expect, it } from 'vitest';
import { loadModelConfig } from '../../../src-worker/model/config';
import { architectureDifferences } from '../../../src-worker/teacher/architecture';
import { HfConfigError, parseHfClipConfig } from '../../../src-worker/teacher/hf-config';
import { hfConfigJson, tinyConfig } from './fixtures';

describe('transformers CLIP config.json', () => {
  it('an empty config is transformers\' default: ViT-B-32 with QuickGELU', () => {
    const { cfg, activation } = parseHfClipConfig({}, 'config.json');
    expect(activation).toBe('quick_gelu');
    expect(cfg.quickGelu).toBe(true);
    expect(architectureDifferences(loadModelConfig('ViT-B-32'), cfg, true)).toEqual([]);
  });

  it('reads every architecture field of a full config', () => {
    const tiny = tinyConfig();
    const { cfg } = parseHfClipConfig(hfConfigJson(tiny), 'config.json');
    expect(architectureDifferences(tiny, cfg, true)).toEqual([]);
    expect(cfg.vision.headWidth).toBe(4);
    expect(cfg.vision.gridSize).toBe(2);
  });

  it('fields missing from text_config / vision_config take the defaults', () => {
    const { cfg } = parseHfClipConfig({ projection_dim: 256, text_config: { hidden_size: 256 }, vision_config: { patch_size: 16 } }, 'c.json');
    expect(cfg.embedDim).toBe(256);
    expect(cfg.text).toMatchObject({ width: 256, layers: 12, heads: 8, contextLength: 77, vocabSize: 49408, mlpWidth: 2048 });
    expect(cfg.vision).toMatchObject({ width: 768, layers: 12, heads: 12, imageSize: 224, patchSize: 16, mlpWidth: 3072 });
  });

  it('a *_config_dict overrides *_config as a whole, completed with defaults (transformers\' rule)', () => {
    const { cfg } = parseHfClipConfig(
      { text_config: { hidden_size: 1024, num_hidden_layers: 3 }, text_config_dict: { num_hidden_layers: 6 }, vision_config: { patch_size: 14 }, vision_config_dict: { patch_size: 16 } },
      'c.json',
    );
    expect(cfg.text.layers).toBe(6);
    expect(cfg.text.width).toBe(512);
    expect(cfg.vision.patchSize).toBe(16);
  });

  it('hidden_act gelu means exact GELU', () => {
    expect(parseHfClipConfig(hfConfigJson(tinyConfig(), 'gelu'), 'c.json').cfg.quickGelu).toBe(false);
  });

  it.each([
    [{ text_config: { hidden_act: 'gelu_new' }, vision_config: { hidden_act: 'gelu_new' } }, /gelu_new.*not supported/],
    [{ text_config: { hidden_act: 'gelu' } }, /differ; this engine uses one activation/],
    [{ model_type: 'siglip' }, /model_type "siglip"/],
    [{ vision_config: { layer_norm_eps: 1e-6 } }, /layer_norm_eps is 0.000001; this engine.s LayerNorm uses 1e-5/],
    [{ vision_config: { num_channels: 1 } }, /num_channels is 1/],
    [{ vision_config: { image_size: 230 } }, /230 is not a multiple of patch_size 32/],
    [{ text_config: { hidden_size: 500 } }, /hidden_size 500 is not divisible by num_attention_heads 8/],
    [{ text_config: { hidden_size: 'big' } }, /text_config\.hidden_size/],
  ])('refuses %j', (raw, message) => {
    expect(() => parseHfClipConfig(raw, 'c.json')).toThrow(HfConfigError);
    expect(() => parseHfClipConfig(raw, 'c.json')).toThrow(message);
  });
});
