"""Training throughput of DenseVAE: samples/s of one training step (batch 64, 65 x 65 by default) at
1 and 2 threads, for each way of running the step, and the achieved FLOP/s as a fraction of this
machine's convolution peak, measured in the same run.

    python benchmarks/bench_training.py [--grid 65] [--batch 64] [--steps 8]

Variants: eager (the baseline), channels_last memory format, torch.compile of the model, and both.
FLOPs of a step (forward + backward) are counted by torch.utils.flop_counter.
"""

import argparse
import time

import torch
from torch.utils.flop_counter import FlopCounterMode

from fieldvae.darcy.models.config import ModelConfig
from fieldvae.darcy.models.densevae import DenseVAE
from fieldvae.darcy.models.losses import objective


def conv_peak(threads: int) -> float:
    """FLOP/s of a large 3x3 convolution forward pass, a practical peak for this machine."""
    torch.set_num_threads(threads)
    conv = torch.nn.Conv2d(64, 64, 3, padding=1, bias=False)
    x = torch.randn(32, 64, 64, 64)
    flops = 2 * 32 * 64 * 64 * 9 * 64 * 64
    with torch.no_grad():
        conv(x)
        start = time.perf_counter()
        for _ in range(5):
            conv(x)
    return 5 * flops / (time.perf_counter() - start)


def make_step(variant: str, grid: int, batch: int):
    torch.manual_seed(0)
    model = DenseVAE(ModelConfig(grid=grid))
    x = torch.randn(batch, 3, grid, grid)
    if "channels_last" in variant:
        model = model.to(memory_format=torch.channels_last)
        x = x.contiguous(memory_format=torch.channels_last)
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-4)
    run = torch.compile(model) if variant.startswith("compile") else model
    beta = torch.tensor(1e-3)

    def step():
        terms = objective(run, x, beta)
        optimizer.zero_grad(set_to_none=True)
        terms.loss.backward()
        optimizer.step()

    return step


def step_flops(grid: int, batch: int) -> int:
    step = make_step("eager", grid, batch)
    with FlopCounterMode(display=False) as counter:
        step()
    return counter.get_total_flops()


def measure(variant: str, threads: int, grid: int, batch: int, steps: int) -> float:
    torch.set_num_threads(threads)
    step = make_step(variant, grid, batch)
    start = time.perf_counter()
    for _ in range(3):  # warm-up (and compilation)
        step()
    warmup = time.perf_counter() - start
    start = time.perf_counter()
    for _ in range(steps):
        step()
    return steps * batch / (time.perf_counter() - start), warmup


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--grid", type=int, default=65)
    parser.add_argument("--batch", type=int, default=64)
    parser.add_argument("--steps", type=int, default=8)
    parser.add_argument("--variants", nargs="+", default=["eager", "channels_last", "compile", "compile_channels_last"])
    args = parser.parse_args()

    flops = step_flops(args.grid, args.batch)
    print(f"one step at batch {args.batch}, {args.grid} x {args.grid}: {flops / 1e9:.1f} GFLOP (forward + backward)")
    for threads in (1, 2):
        peak = conv_peak(threads)
        print(f"\n{threads} thread(s): convolution peak {peak / 1e9:.1f} GFLOP/s")
        baseline = None
        for variant in args.variants:
            rate, warmup = measure(variant, threads, args.grid, args.batch, args.steps)
            baseline = baseline or rate
            achieved = rate / args.batch * flops
            print(f"  {variant:14s} {rate:7.1f} samples/s  {rate / baseline:5.2f}x eager  "
                  f"{achieved / 1e9:6.1f} GFLOP/s = {achieved / peak:5.1%} of peak  (first 3 steps {warmup:.1f} s)")


if __name__ == "__main__":
    main()
