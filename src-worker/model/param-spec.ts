/**
 * The parameters of a CLIP config by open_clip `state_dict` name, with PyTorch shapes, listed without
 * allocating anything. The order is the order of open_clip's `state_dict()` (a module's own parameters
 * before its children's), so a listing can be compared line by line with a PyTorch checkpoint.
 */
import type { ClipConfig } from './config';

export type Tower = 'vision' | 'text' | 'logit_scale';

export interface ParamSpec {
  name: string;
  shape: number[];
  tower: Tower;
}

function blockSpecs(prefix: string, width: number, mlpWidth: number, tower: Tower): ParamSpec[] {
  const p = (name: string, shape: number[]): ParamSpec => ({ name: `${prefix}.${name}`, shape, tower });
  return [
    p('ln_1.weight', [width]),
    p('ln_1.bias', [width]),
    p('attn.in_proj_weight', [3 * width, width]),
    p('attn.in_proj_bias', [3 * width]),
    p('attn.out_proj.weight', [width, width]),
    p('attn.out_proj.bias', [width]),
    p('ln_2.weight', [width]),
    p('ln_2.bias', [width]),
    p('mlp.c_fc.weight', [mlpWidth, width]),
    p('mlp.c_fc.bias', [mlpWidth]),
    p('mlp.c_proj.weight', [width, mlpWidth]),
    p('mlp.c_proj.bias', [width]),
  ];
}

export function visionParamSpecs(cfg: ClipConfig): ParamSpec[] {
  const v = cfg.vision;
  const p = (name: string, shape: number[]): ParamSpec => ({ name: `visual.${name}`, shape, tower: 'vision' });
  const blocks: ParamSpec[] = [];
  for (let i = 0; i < v.layers; i++) blocks.push(...blockSpecs(`visual.transformer.resblocks.${i}`, v.width, v.mlpWidth, 'vision'));
  return [
    p('class_embedding', [v.width]),
    p('positional_embedding', [v.gridSize * v.gridSize + 1, v.width]),
    p('proj', [v.width, cfg.embedDim]),
    p('conv1.weight', [v.width, 3, v.patchSize, v.patchSize]),
    p('ln_pre.weight', [v.width]),
    p('ln_pre.bias', [v.width]),
    ...blocks,
    p('ln_post.weight', [v.width]),
    p('ln_post.bias', [v.width]),
  ];
}

/** Text-tower parameters other than the three that precede `visual.*` in open_clip's order. */
function textTailSpecs(cfg: ClipConfig): ParamSpec[] {
  const t = cfg.text;
  const blocks: ParamSpec[] = [];
  for (let i = 0; i < t.layers; i++) blocks.push(...blockSpecs(`transformer.resblocks.${i}`, t.width, t.mlpWidth, 'text'));
  return [
    ...blocks,
    { name: 'token_embedding.weight', shape: [t.vocabSize, t.width], tower: 'text' },
    { name: 'ln_final.weight', shape: [t.width], tower: 'text' },
    { name: 'ln_final.bias', shape: [t.width], tower: 'text' },
  ];
}

/** Every parameter of the model, in open_clip's state_dict order. */
export function clipParamSpecs(cfg: ClipConfig): ParamSpec[] {
  return [
    { name: 'positional_embedding', shape: [cfg.text.contextLength, cfg.text.width], tower: 'text' },
    { name: 'text_projection', shape: [cfg.text.width, cfg.embedDim], tower: 'text' },
    { name: 'logit_scale', shape: [], tower: 'logit_scale' },
    ...visionParamSpecs(cfg),
    ...textTailSpecs(cfg),
  ];
}

export function sizeOfShape(shape: readonly number[]): number {
  let n = 1;
  for (const d of shape) n *= d;
  return n;
}

export interface ParamCounts {
  total: number;
  vision: number;
  text: number;
  logitScale: number;
}

export function countParams(specs: readonly ParamSpec[]): ParamCounts {
  const out: ParamCounts = { total: 0, vision: 0, text: 0, logitScale: 0 };
  for (const s of specs) {
    const n = sizeOfShape(s.shape);
    out.total += n;
    if (s.tower === 'vision') out.vision += n;
    else if (s.tower === 'text') out.text += n;
    else out.logitScale += n;
  }
  return out;
}
