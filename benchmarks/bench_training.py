"""Training throughput of DenseVAE: samples/s of one training step (batch 64, 65 x 65 by default) at
1 and 2 threads, for each way of running the step, and the achieved FLOP/s as a fraction of this
machine's convolution peak, measured in the same run; then what compilation costs and gains per run.

    python benchmarks/bench_training.py [--grid 65] [--batch 64] [--steps 8] [--scale quick]

Variants: eager (the baseline), channels_last memory format (what the trainer uses), torch.compile of
the model (in place, as the trainer compiles it, with the reparameterisation noise drawn from a
generator), and both. FLOPs of a step (forward + backward) are counted by torch.utils.flop_counter.

Compilation: the first steps of a fresh process with a cold and with a warm Inductor cache, each
against an eager process's first steps; the net gain of a training run of each schedule of the
scale (config.yaml) is its samples times the time per sample saved, less the warm compilation.
"""

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import torch
import yaml
from torch.utils.flop_counter import FlopCounterMode

from fieldvae.core.streams import torch_generator
from fieldvae.vae.models.config import ModelConfig
from fieldvae.vae.models.densevae import DenseVAE
from fieldvae.vae.models.losses import objective

CONFIG = Path(__file__).resolve().parents[1] / "config.yaml"


def conv_peak(threads: int) -> float:
    """FLOP/s of a large 3x3 convolution forward pass, a practical peak for this machine."""
    torch.set_num_threads(threads)
    conv = torch.nn.Conv2d(64, 64, 3, padding=1, bias=False)
    x = torch.randn(32, 64, 64, 64, generator=torch_generator("benchmark_inputs", 1))
    flops = 2 * 32 * 64 * 64 * 9 * 64 * 64
    with torch.no_grad():
        conv(x)
        start = time.perf_counter()
        for _ in range(5):
            conv(x)
    return 5 * flops / (time.perf_counter() - start)


def make_step(variant: str, grid: int, batch: int):
    inputs = torch_generator("benchmark_inputs", 0)
    model = DenseVAE(ModelConfig(height=grid, width=grid), inputs)
    x = torch.randn(batch, 3, grid, grid, generator=inputs)
    if "channels_last" in variant:
        model = model.to(memory_format=torch.channels_last)
        x = x.contiguous(memory_format=torch.channels_last)
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-4)
    if variant.startswith("compile"):
        model.compile()
    beta = torch.tensor(1e-3)
    noise = inputs

    def step():
        terms = objective(model, x, beta, generator=noise)
        optimizer.zero_grad(set_to_none=True)
        terms.loss.backward()
        optimizer.step()

    return step


def step_flops(grid: int, batch: int) -> int:
    step = make_step("eager", grid, batch)
    with FlopCounterMode(display=False) as counter:
        step()
    return counter.get_total_flops()


def measure(variant: str, threads: int, grid: int, batch: int, steps: int) -> tuple[float, float]:
    """(samples/s after warm-up, seconds of the first 3 steps)."""
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


def in_fresh_process(variant: str, args, cache: str) -> tuple[float, float]:
    """`measure` in a new interpreter (nothing compiled in memory) with the given Inductor cache."""
    command = [sys.executable, __file__, "--grid", str(args.grid), "--batch", str(args.batch), "--steps",
               str(args.steps), "--one", variant]
    out = subprocess.run(command, env={**os.environ, "TORCHINDUCTOR_CACHE_DIR": cache},
                         capture_output=True, text=True, check=True).stdout
    return tuple(json.loads(out.splitlines()[-1]))


def compilation(args) -> None:
    """Compilation seconds with a cold and a warm cache, and the net gain per training run."""
    with tempfile.TemporaryDirectory() as cache:
        eager_rate, eager_first = in_fresh_process("channels_last", args, cache)
        _, cold_first = in_fresh_process("compile_channels_last", args, cache)
        rate, warm_first = in_fresh_process("compile_channels_last", args, cache)
    warm = warm_first - eager_first
    print(f"\ncompilation, 1 thread: {cold_first - eager_first:.1f} s with a cold cache, {warm:.1f} s with a warm "
          f"one; channels_last {eager_rate:.0f} samples/s, compiled {rate:.0f} ({rate / eager_rate:.2f}x)")
    preset = yaml.safe_load(CONFIG.read_text())["scales"][args.scale]
    for name, schedule in preset["schedules"].items():
        samples = schedule["epochs"] * preset["n_train"]
        gain = samples / eager_rate - samples / rate - warm
        print(f"  {args.scale} {name} run ({samples:,} samples): eager {samples / eager_rate:.0f} s, "
              f"compiled {samples / rate + warm:.0f} s with a warm cache: net gain {gain:+.0f} s")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--grid", type=int, default=65)
    parser.add_argument("--batch", type=int, default=64)
    parser.add_argument("--steps", type=int, default=8)
    parser.add_argument("--scale", default="quick", help="the scale whose schedules the net gain is computed for")
    parser.add_argument("--variants", nargs="+", default=["eager", "channels_last", "compile", "compile_channels_last"])
    parser.add_argument("--one", help=argparse.SUPPRESS)  # internal: measure one variant, print JSON
    parser.add_argument("--threads", type=int, default=1, help=argparse.SUPPRESS)  # of --one
    args = parser.parse_args()
    if args.one:
        print(json.dumps(measure(args.one, args.threads, args.grid, args.batch, args.steps)))
        return

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
    compilation(args)


if __name__ == "__main__":
    main()
