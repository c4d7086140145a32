"""Training throughput of the Lennard-Jones distance-matrix VAE by model size, measured in one run:
samples/s of the shared trainer at `quick`'s filters (the baseline), a middle size and the published
60/50, and what the LJ training of a `quick` build (every protocol) would cost at each.

    python benchmarks/bench_lj_training.py [--threads 2] [--epochs 3]
"""

import argparse
import os
import tempfile
import time
from pathlib import Path

import torch
import yaml

from fieldvae.core.streams import torch_generator
from fieldvae.core.trainer import Trainer
from fieldvae.lj.model import DistanceVAE, LJModelConfig, LJTrainingConfig
from fieldvae.lj.training import DistanceObjective

CONFIG = yaml.safe_load((Path(__file__).resolve().parents[1] / "config.yaml").read_text())
SIZES = {"quick": (16, 16), "middle": (32, 32), "paper": (60, 50)}


def samples_per_s(channels: tuple[int, ...], rows: int, epochs: int) -> float:
    """The shared trainer on `rows` random symmetric matrices (the cost does not depend on their
    values), after one epoch of warm-up."""
    model_cfg = LJModelConfig(channels=channels, n_latent=CONFIG["lj"]["n_latent"])  # 30 particles, as published
    cfg = LJTrainingConfig(**{**CONFIG["lj"]["training"], "epochs": 1})
    x = torch.rand(rows, model_cfg.size, model_cfg.size, generator=torch_generator("benchmark_inputs", 0))
    x = (x + x.transpose(-1, -2)) / 2
    with tempfile.TemporaryDirectory() as run_dir, open(os.devnull, "w") as quiet:
        trainer = Trainer(DistanceVAE(model_cfg), DistanceObjective(x, cfg), cfg, 0, Path(run_dir), {},
                          streams=("lj_minibatch_order", "lj_reparameterisation"), log=quiet)
        trainer.train()
        trainer.schedule, trainer.start_epoch = LJTrainingConfig(**{**CONFIG["lj"]["training"],
                                                                    "epochs": 1 + epochs}), 1
        start = time.perf_counter()
        trainer.train()
        return epochs * rows / (time.perf_counter() - start)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--epochs", type=int, default=3)
    parser.add_argument("--rows", type=int, default=2048)
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    quick = CONFIG["scales"]["quick"]["lj"]
    per_gamma = quick["samples"] * (1 - CONFIG["lj"]["training"]["test_fraction"])
    samples = len(CONFIG["lj"]["protocols"]) * len(CONFIG["lj"]["gammas"]) * per_gamma * quick["epochs"]
    print(f"{args.threads} thread(s); a quick build trains {samples:,.0f} samples "
          f"({len(CONFIG['lj']['protocols'])} protocols x {len(CONFIG['lj']['gammas'])} gammas x {per_gamma:.0f} x "
          f"{quick['epochs']} epochs)")
    baseline = None
    for name, channels in SIZES.items():
        rate = samples_per_s(channels, args.rows, args.epochs)
        baseline = baseline or rate
        print(f"  {name:7s} filters {'/'.join(map(str, channels)):6s} {rate:7.0f} samples/s  {rate / baseline:5.2f}x "
              f"quick's  quick's LJ training at this size: {samples / rate / 60:5.1f} min")


if __name__ == "__main__":
    main()
