#!/usr/bin/env python3
"""The SMT training step written as a user would in an evening with PyTorch in Python: the
yardstick scorelab-bench prints beside its own figure (run when python3 can import torch, e.g.
Debian's python3-torch). Same shapes as the bench: swiss roll, batch 256, generator MLP 2x128
(leaky ReLU 0.2), alpha- and sigma-conditioned score MLP 3xW behind EDM's preconditioning,
K = 5 score updates per generator update, AdamW with gradient clipping, generator EMA.

    python3 smt_step.py --width 128 --seconds 3      prints "gen_steps_per_s <figure>"
"""
import argparse
import math
import time

import torch
from torch import nn
from torch.nn import functional as F

SIGMA_DATA = 0.5
SIGMA_MIN, SIGMA_MAX = 0.01, 5.0


def swiss_roll(n):
    t = 1.5 * math.pi * (1 + 2 * torch.rand(n, 1))
    x = torch.cat([t * torch.cos(t), t * torch.sin(t)], 1) / 7.5
    return x + 0.05 * torch.randn(n, 2)


def fourier(u, freqs):
    phase = u * freqs
    return torch.cat([torch.cos(phase), torch.sin(phase)], 1)


class ScoreMLP(nn.Module):
    def __init__(self, width, layers=3, features=16):
        super().__init__()
        self.register_buffer("f_sigma", torch.randn(1, features) * 2 * math.pi * 2.0)
        self.register_buffer("f_alpha", torch.randn(1, features) * 2 * math.pi * 16.0)
        self.sigma_proj = nn.Linear(2 * features, width)
        self.alpha_proj = nn.Linear(2 * features, width)
        self.inp = nn.Linear(2, width)
        self.hidden = nn.ModuleList(nn.Linear(width, width) for _ in range(layers - 1))
        self.out = nn.Linear(width, 2)

    def denoise(self, x, sigma, alpha):
        var = sigma ** 2 + SIGMA_DATA ** 2
        c_in = var.rsqrt()
        cond = self.sigma_proj(fourier(sigma.log() / 4, self.f_sigma))
        cond = cond + self.alpha_proj(fourier(alpha - 0.5, self.f_alpha))
        h = F.silu(self.inp(x * c_in) + F.silu(cond))
        for layer in self.hidden:
            h = F.silu(layer(h))
        return SIGMA_DATA ** 2 / var * x + sigma * SIGMA_DATA * c_in * self.out(h)


class Generator(nn.Module):
    def __init__(self, width=128, layers=2):
        super().__init__()
        dims = [2] + [width] * layers + [2]
        self.layers = nn.ModuleList(nn.Linear(a, b) for a, b in zip(dims[:-1], dims[1:]))

    def forward(self, z):
        h = z
        for layer in self.layers[:-1]:
            h = F.leaky_relu(layer(h), 0.2)
        return self.layers[-1](h)


def sigmas(n):
    u = torch.rand(n, 1)
    return torch.exp(math.log(SIGMA_MIN) + u * (math.log(SIGMA_MAX) - math.log(SIGMA_MIN)))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--width", type=int, default=128)
    ap.add_argument("--seconds", type=float, default=3.0)
    ap.add_argument("--batch", type=int, default=256)
    ap.add_argument("--k", type=int, default=5)
    args = ap.parse_args()
    torch.set_num_threads(1)
    torch.manual_seed(0)
    b = args.batch
    score, gen, ema = ScoreMLP(args.width), Generator(), Generator()
    ema.load_state_dict(gen.state_dict())
    opt_s = torch.optim.AdamW(score.parameters(), lr=1e-3)
    opt_g = torch.optim.AdamW(gen.parameters(), lr=1e-4)

    def step():
        for _ in range(args.k):
            x_r = swiss_roll(b)
            with torch.no_grad():
                x_f = gen(torch.randn(b, 2))
            sigma, alpha = sigmas(b), torch.rand(b, 1)
            x = torch.cat([x_r, x_f])
            s2, a2 = torch.cat([sigma, sigma]), torch.cat([alpha, alpha])
            x_t = x + s2 * torch.randn_like(x)
            weight = torch.cat([alpha, 1 - alpha]) * (1 / s2 ** 2 + 1 / SIGMA_DATA ** 2)
            loss = (weight * (score.denoise(x_t, s2, a2) - x).square().mean(1, True)).sum() / b
            opt_s.zero_grad()
            loss.backward()
            nn.utils.clip_grad_norm_(score.parameters(), 10.0)
            opt_s.step()
        x = gen(torch.randn(b, 2))
        sigma, alpha = sigmas(b), torch.rand(b, 1)
        x_t = x.detach() + sigma * torch.randn_like(x)
        with torch.no_grad():
            a3 = torch.cat([torch.zeros_like(alpha), alpha, torch.ones_like(alpha)])
            den = score.denoise(torch.cat([x_t] * 3), torch.cat([sigma] * 3), a3)
            p0, pa, p1 = (torch.cat([x.detach()] * 3) - den).chunk(3)
            w = p1.abs().mean(1, True) * ((pa - p0).square().mean(1, True)
                                          / ((p1 - p0).square().mean(1, True) + 1e-6)).sqrt()
            direction = (pa - p0) / w.clamp_min(1e-12)
        loss = 0.5 * (x - (x - direction).detach()).square().mean()
        opt_g.zero_grad()
        loss.backward()
        nn.utils.clip_grad_norm_(gen.parameters(), 10.0)
        opt_g.step()
        with torch.no_grad():
            for pe, p in zip(ema.parameters(), gen.parameters()):
                pe.lerp_(p, 1 - 0.999)
        return loss

    for _ in range(10):
        step()
    n, t0 = 0, time.perf_counter()
    while time.perf_counter() - t0 < args.seconds:
        for _ in range(10):
            loss = step()
        n += 10
        loss.item()
    print(f"gen_steps_per_s {n / (time.perf_counter() - t0):.2f}")


if __name__ == "__main__":
    main()
