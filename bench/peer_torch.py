"""PyTorch peer of `npm run bench:train`: the same training step, timed the same way.

bench/train.ts runs this with `--peer torch`; it is not meant to be run by hand, but it can be:

    OPENBLAS_NUM_THREADS=1 /usr/bin/python3 bench/peer_torch.py --config resources/model_configs/clip-tiny-p7-28.json \
        --batch 128 --steps 7 --warmup 2 --threads 1

The step: an open_clip-style CLIP built from one of our model config JSON files (pre-LN residual blocks,
nn.MultiheadAttention, exact GELU, class token, causal text mask, end-of-text pooling), L2-normalised
features, the FastCLIP v3 loss (one learnable global temperature, --multiply_tau, rho 6, gamma 0.9, u kept per
sample), backward, AdamW in three groups (gains and biases without weight decay, the rest with 0.1, the logit
scale), then the logit-scale clamp. Random data in memory, float32. Prints one JSON line with the wall and
CPU milliseconds of each timed step.

Threads: torch.set_num_threads(--threads). OpenBLAS reads OPENBLAS_NUM_THREADS when it loads, so the caller
sets it (to 1: otherwise OpenBLAS's own threads fight PyTorch's and a step gets many times slower).
"""
import argparse
import json
import math
import os
import sys
import time

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

import torch  # noqa: E402
import torch.nn as nn  # noqa: E402
import torch.nn.functional as F  # noqa: E402


class ResidualBlock(nn.Module):
    def __init__(self, width, heads):
        super().__init__()
        self.ln_1 = nn.LayerNorm(width)
        self.attn = nn.MultiheadAttention(width, heads)
        self.ln_2 = nn.LayerNorm(width)
        self.mlp = nn.Sequential(nn.Linear(width, 4 * width), nn.GELU(), nn.Linear(4 * width, width))

    def forward(self, x, mask=None):
        y = self.ln_1(x)
        x = x + self.attn(y, y, y, need_weights=False, attn_mask=mask)[0]
        return x + self.mlp(self.ln_2(x))


class Transformer(nn.Module):
    def __init__(self, width, layers, heads):
        super().__init__()
        self.resblocks = nn.ModuleList([ResidualBlock(width, heads) for _ in range(layers)])

    def forward(self, x, mask=None):
        for block in self.resblocks:
            x = block(x, mask)
        return x


class Vision(nn.Module):
    def __init__(self, v, embed_dim):
        super().__init__()
        width, patch = v["width"], v["patch_size"]
        heads = width // v.get("head_width", 64)
        grid = v["image_size"] // patch
        scale = width ** -0.5
        self.conv1 = nn.Conv2d(3, width, patch, patch, bias=False)
        self.class_embedding = nn.Parameter(scale * torch.randn(width))
        self.positional_embedding = nn.Parameter(scale * torch.randn(grid * grid + 1, width))
        self.ln_pre = nn.LayerNorm(width)
        self.transformer = Transformer(width, v["layers"], heads)
        self.ln_post = nn.LayerNorm(width)
        self.proj = nn.Parameter(scale * torch.randn(width, embed_dim))

    def forward(self, x):
        x = self.conv1(x).flatten(2).permute(0, 2, 1)
        cls = self.class_embedding.to(x.dtype).expand(x.shape[0], 1, -1)
        x = self.ln_pre(torch.cat([cls, x], 1) + self.positional_embedding)
        x = self.transformer(x.permute(1, 0, 2)).permute(1, 0, 2)
        return self.ln_post(x[:, 0]) @ self.proj


class Clip(nn.Module):
    def __init__(self, cfg):
        super().__init__()
        embed, t = cfg["embed_dim"], cfg["text_cfg"]
        self.visual = Vision(cfg["vision_cfg"], embed)
        ctx, width = t["context_length"], t["width"]
        self.token_embedding = nn.Embedding(t["vocab_size"], width)
        self.positional_embedding = nn.Parameter(0.01 * torch.randn(ctx, width))
        self.transformer = Transformer(width, t["layers"], t["heads"])
        self.ln_final = nn.LayerNorm(width)
        self.text_projection = nn.Parameter(width ** -0.5 * torch.randn(width, embed))
        self.logit_scale = nn.Parameter(torch.tensor(math.log(1 / 0.07)))
        self.register_buffer("attn_mask", torch.full((ctx, ctx), float("-inf")).triu_(1), persistent=False)

    def encode_text(self, tokens):
        x = self.token_embedding(tokens) + self.positional_embedding
        x = self.transformer(x.permute(1, 0, 2), self.attn_mask).permute(1, 0, 2)
        x = self.ln_final(x)
        return x[torch.arange(x.shape[0]), tokens.argmax(dim=-1)] @ self.text_projection


class FastClipV3:
    """Global contrastive loss with one learnable temperature and --multiply_tau, on one process."""

    def __init__(self, data_size, rho=6.0, gamma=0.9, eps=1e-14):
        self.u_im = torch.zeros(data_size)
        self.u_tt = torch.zeros(data_size)
        self.rho, self.gamma, self.eps = rho, gamma, eps

    def __call__(self, e1, e2, logit_scale, idx):
        n = e1.shape[0]
        s = logit_scale.exp()
        mask = 1.0 - torch.eye(n)
        sim_im, sim_tt = e1 @ e2.T, e2 @ e1.T
        d = (e1 * e2).sum(1, keepdim=True)
        g1 = ((s * (sim_im - d)).exp() * mask).sum(1) / (n - 1)
        g2 = ((s * (sim_tt - d)).exp() * mask).sum(1) / (n - 1)
        with torch.no_grad():
            old1, old2 = self.u_im[idx], self.u_tt[idx]
            u1 = torch.where(old1 < 1e-35, g1, (1 - self.gamma) * old1 + self.gamma * g1)
            u2 = torch.where(old2 < 1e-35, g2, (1 - self.gamma) * old2 + self.gamma * g2)
            self.u_im[idx], self.u_tt[idx] = u1, u2
        dd = d.reshape(1, n)
        w = n * (n - 1) / n
        h1 = ((s * (sim_tt - dd)).exp() * mask).sum(0) / w
        h2 = ((s * (sim_im - dd)).exp() * mask).sum(0) / w
        term1 = (g1 / (u1 + self.eps) + g2 / (u2 + self.eps)).mean()
        term2 = (h1 / (u1 + self.eps) + h2 / (u2 + self.eps)).mean()
        surrogate = 0.5 * (term1 + term2)
        coefficient = self.rho + 0.5 * (u1.log() + u2.log()).mean()
        return surrogate / s.detach() + coefficient / s


def param_groups(model):
    gain_or_bias, rest, logit = [], [], []
    for name, p in model.named_parameters():
        if "logit_scale" in name:
            logit.append(p)
        elif p.ndim < 2 or "bn" in name or "ln" in name or "bias" in name:
            gain_or_bias.append(p)
        else:
            rest.append(p)
    return [
        {"params": gain_or_bias, "weight_decay": 0.0},
        {"params": rest, "weight_decay": 0.1},
        {"params": logit, "weight_decay": 0.0},
    ]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--config", required=True)
    ap.add_argument("--batch", type=int, required=True)
    ap.add_argument("--steps", type=int, default=7)
    ap.add_argument("--warmup", type=int, default=2)
    ap.add_argument("--threads", type=int, default=1)
    a = ap.parse_args()
    torch.set_num_threads(a.threads)
    torch.manual_seed(0)
    with open(a.config) as f:
        cfg = json.load(f)
    model = Clip(cfg)
    v, t = cfg["vision_cfg"], cfg["text_cfg"]
    b, size, ctx, vocab = a.batch, v["image_size"], t["context_length"], t["vocab_size"]
    loss_fn = FastClipV3(16 * b)
    opt = torch.optim.AdamW(param_groups(model), lr=2e-3, betas=(0.9, 0.98), eps=1e-6)
    batches = []
    for k in range(4):
        images = torch.randn(b, 3, size, size)
        lengths = torch.randint(3, ctx - 1, (b,))
        tokens = torch.zeros(b, ctx, dtype=torch.long)
        for r in range(b):
            n = int(lengths[r])
            tokens[r, 0] = vocab - 2
            tokens[r, 1:n] = torch.randint(1, vocab - 2, (n - 1,))
            tokens[r, n] = vocab - 1
        batches.append((images, tokens, torch.arange(k * b, (k + 1) * b)))
    wall, cpu = [], []
    for i in range(a.warmup + a.steps):
        images, tokens, idx = batches[i % len(batches)]
        w0, c0 = time.perf_counter(), time.process_time()
        e1 = F.normalize(model.visual(images), dim=-1)
        e2 = F.normalize(model.encode_text(tokens), dim=-1)
        loss = loss_fn(e1, e2, model.logit_scale, idx)
        opt.zero_grad(set_to_none=True)
        loss.backward()
        opt.step()
        with torch.no_grad():
            model.logit_scale.clamp_(0, math.log(100))
        if not math.isfinite(float(loss)):
            raise SystemExit(f"peer: loss is {float(loss)} at step {i}")
        if i >= a.warmup:
            wall.append((time.perf_counter() - w0) * 1000)
            cpu.append((time.process_time() - c0) * 1000)
    print(json.dumps({"torch": torch.__version__, "threads": torch.get_num_threads(), "blas": loaded_blas(), "wallMs": wall, "cpuMs": cpu}))


def loaded_blas():
    """The BLAS library this process actually mapped (Debian's torch calls whatever libblas.so.3 points to)."""
    try:
        with open("/proc/self/maps") as f:
            paths = {line.split()[-1] for line in f if "blas" in line.lower()}
        return ", ".join(sorted(os.path.realpath(p) for p in paths)) or "none mapped"
    except OSError:
        return "unknown"


if __name__ == "__main__":
    sys.exit(main())
