"""The GPU check: what a machine with a CUDA device needs to tell us, in one JSON report, in at most
8 minutes. Prepared without a GPU; the test suite runs its reduced CPU mode so it cannot rot.

    python benchmarks/gpu_check.py --out gpu_check.json        # CUDA: 65 x 65, the paper's size
    python benchmarks/gpu_check.py --cpu --out cpu_check.json  # reduced: 17 x 17, seconds

The report holds:
- `cuda_tests`: the test suite's CUDA paths (`pytest -m cuda`): passed, failed, skipped;
- `agreement`: 20 optimiser steps of DenseVAE from the same weights on the same batches with the
  same reparameterisation noise (drawn on the host), on the CPU and on the device (TF32 off): the
  largest relative difference of the losses and of the weights, against TOLERANCE; and whether two
  device runs are bit-identical, with PyTorch's defaults and with deterministic algorithms;
- `throughput`: samples/s and peak memory of the shared trainer (`fieldvae.core.trainer`) on one
  process, per variant: `fp32` (TF32 off), `default` (PyTorch's defaults), `tf32`, `bf16` autocast,
  `compile` (torch.compile, a cold Inductor cache: its compile seconds are reported apart) and
  `deterministic` (deterministic algorithms on, or the error that says which operation has none);
- `sharing`: aggregate samples/s of K training processes on the one device (K = 1, 4, 16, 32): how
  many runs a cluster job should pack onto a GPU.

In CPU mode the "device" is the CPU at 2 threads against a 1-thread reference, K is 1 and 2, and
`compile` is left out (tests/test_compile.py covers it; it costs a minute on a CPU).
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import torch

from fieldvae.core.streams import torch_generator
from fieldvae.core.trainer import Trainer
from fieldvae.vae.models.config import ModelConfig
from fieldvae.vae.models.densevae import DenseVAE
from fieldvae.vae.models.losses import objective
from fieldvae.vae.training.config import TrainingConfig
from fieldvae.vae.training.method import TrainingData, TrainingMethod

REPO = Path(__file__).resolve().parents[1]
TOLERANCE = 1e-3  # relative, after 20 steps: float32 kernels that sum in another order, not another result
SIZES = {  # grid, batch, training samples per process, seconds a throughput measurement aims at, K
    "cuda": {"grid": 65, "batch": 64, "samples": 2048, "seconds": 12.0, "processes": (1, 4, 16, 32)},
    "cpu": {"grid": 17, "batch": 16, "samples": 64, "seconds": 1.0, "processes": (1, 2)},
}
VARIANTS = {"cuda": ("fp32", "default", "tf32", "bf16", "compile", "deterministic"),
            "cpu": ("fp32", "default", "tf32", "bf16", "deterministic")}


def set_precision(variant: str) -> None:
    """PyTorch's global numerics for a variant (TF32 on Ampere and later; deterministic algorithms)."""
    tf32 = {"fp32": False, "tf32": True}.get(variant)
    if tf32 is not None:
        torch.backends.cuda.matmul.allow_tf32 = tf32
        torch.backends.cudnn.allow_tf32 = tf32
    if variant == "deterministic":
        torch.use_deterministic_algorithms(True)
        torch.backends.cudnn.benchmark = False


class HostNoise(torch.nn.Module):
    """DenseVAE with its reparameterisation noise drawn on the host, so a CPU and a GPU run see the
    same draws (each device's own generator gives other numbers for the same seed)."""

    def __init__(self, vae: DenseVAE, seed: int):
        super().__init__()
        self.vae, self.prior, self.host = vae, vae.prior, torch_generator("reparameterisation", seed)

    @property
    def output_logvar(self):
        return self.vae.output_logvar

    def forward(self, x, generator=None):
        mu, logvar = self.vae.encode(x)
        eps = torch.randn(mu.shape, generator=self.host).to(mu.device)
        z = mu + eps * torch.exp(0.5 * logvar)
        return self.vae.decode(z), z, mu, logvar


def twenty_steps(device: torch.device, grid: int, batch: int, seed: int = 0) -> tuple[list[float], torch.Tensor]:
    """Losses and final weights (flat, on the host) of 20 Adam steps from the seed's initialisation."""
    vae = DenseVAE(ModelConfig(height=grid, width=grid), torch_generator("initialisation", seed)).to(device)
    model = HostNoise(vae, seed)
    data = torch.randn(20 * batch, 3, grid, grid, generator=torch_generator("benchmark_inputs", seed))
    optimizer = torch.optim.Adam(vae.parameters(), lr=1e-3)
    losses = []
    for x in data.split(batch):
        loss = objective(model, x.to(device), 1e-3).loss
        optimizer.zero_grad(set_to_none=True)
        loss.backward()
        optimizer.step()
        losses.append(loss.item())
    return losses, torch.cat([p.detach().cpu().flatten() for p in vae.parameters()])


def relative(a: torch.Tensor, b: torch.Tensor) -> float:
    return float((a - b).abs().max() / b.abs().max())


def agreement(device: torch.device, size: dict) -> dict:
    """CPU (1 thread) against `device`, TF32 off; repeatability on the device."""
    set_precision("fp32")
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    cpu_losses, cpu_weights = twenty_steps(torch.device("cpu"), size["grid"], size["batch"])
    torch.set_num_threads(threads)
    losses, weights = twenty_steps(device, size["grid"], size["batch"])
    again = twenty_steps(device, size["grid"], size["batch"])[1]
    torch.use_deterministic_algorithms(True)
    try:
        first, second = (twenty_steps(device, size["grid"], size["batch"])[1] for _ in range(2))
        deterministic = bool(torch.equal(first, second))
    except RuntimeError as err:  # an operation without a deterministic implementation names itself
        deterministic = f"error: {str(err).splitlines()[0]}"
    finally:
        torch.use_deterministic_algorithms(False)
    loss_diff = relative(torch.tensor(losses), torch.tensor(cpu_losses))
    weight_diff = relative(weights, cpu_weights)
    return {"reference": "cpu, 1 thread, float32", "device": f"{device}, {threads} threads" if device.type == "cpu"
            else torch.cuda.get_device_name(device), "steps": 20, "tolerance": TOLERANCE,
            "loss_relative_difference": loss_diff, "weight_relative_difference": weight_diff,
            "within_tolerance": max(loss_diff, weight_diff) <= TOLERANCE,
            "repeatable_by_default": bool(torch.equal(weights, again)),
            "repeatable_with_deterministic_algorithms": deterministic}


def worker(variant: str, device: torch.device, size: dict, epochs: int) -> dict:
    """One training process: the shared trainer on random fields, one epoch of warm-up (compilation,
    cuDNN's choices), then "ready" on stdout; after a line on stdin, `epochs` timed epochs."""
    set_precision(variant)
    grid, n = size["grid"], size["samples"]
    x = torch.randn(n, 3, grid, grid, generator=torch_generator("benchmark_inputs", 0))
    data = TrainingData(x.to(device).contiguous(memory_format=torch.channels_last))
    cfg = TrainingConfig(epochs=1, recon_epochs=1, lr=((0, 5e-4),), batch_size=size["batch"],
                         checkpoint_every=10**6, compile=variant == "compile")
    model = DenseVAE(ModelConfig(height=grid, width=grid), torch_generator("initialisation", 0))
    model = model.to(device, memory_format=torch.channels_last)
    with tempfile.TemporaryDirectory() as run_dir, open(os.devnull, "w") as quiet:
        trainer = Trainer(model, TrainingMethod(data, cfg), cfg, 0, Path(run_dir), {}, device=device,
                          compile_cache=Path(run_dir) / "inductor", log=quiet)
        autocast = torch.autocast(device.type, dtype=torch.bfloat16, enabled=variant == "bf16")
        start = time.perf_counter()
        with autocast:
            trainer.train()
        warmup = time.perf_counter() - start
        print("ready", flush=True)
        sys.stdin.readline()
        if device.type == "cuda":
            torch.cuda.reset_peak_memory_stats(device)
        trainer.schedule, trainer.start_epoch = dataclasses.replace(cfg, epochs=1 + epochs), 1
        start = time.perf_counter()
        with autocast:
            trainer.train()  # reads its numbers back every epoch: the time includes the device's work
        seconds = time.perf_counter() - start
    peak = (torch.cuda.max_memory_allocated(device) if device.type == "cuda"
            else resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024)
    return {"samples": epochs * n, "seconds": seconds, "end": time.time(), "warmup_seconds": warmup,
            "peak_memory_mb": peak / 2**20}


def processes(variant: str, k: int, epochs: int, args) -> dict:
    """`k` worker processes started together; their aggregate samples/s, or the error of one."""
    command = [sys.executable, __file__, "--worker", variant, "--epochs", str(epochs)] + (["--cpu"] if args.cpu else [])
    env = {**os.environ, "OMP_NUM_THREADS": "1" if args.cpu and k > 1 else os.environ.get("OMP_NUM_THREADS", "2")}
    procs = [subprocess.Popen(command, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                              text=True, env=env) for _ in range(k)]
    if not all(p.stdout.readline().strip() == "ready" for p in procs):
        errors = [p.communicate()[1].strip().splitlines()[-1:] for p in procs]
        return {"error": next((e[0] for e in errors if e), "a worker stopped before it was ready")}
    start = time.time()
    for p in procs:
        p.stdin.write("go\n")
        p.stdin.flush()
    outputs = [p.communicate() for p in procs]
    if any(p.returncode for p in procs):
        return {"error": next(err.strip().splitlines()[-1] for (_, err), p in zip(outputs, procs) if p.returncode)}
    runs = [json.loads(out.splitlines()[-1]) for out, _ in outputs]
    return {"processes": k, "samples_per_s": sum(r["samples"] for r in runs) / (max(r["end"] for r in runs) - start),
            "per_process_samples_per_s": [r["samples"] / r["seconds"] for r in runs],
            "warmup_seconds": max(r["warmup_seconds"] for r in runs),
            "peak_memory_mb": max(r["peak_memory_mb"] for r in runs)}


def cuda_tests() -> dict:
    """The test suite's CUDA paths: counts of `pytest -m cuda`."""
    report = Path(tempfile.mkdtemp()) / "junit.xml"
    proc = subprocess.run([sys.executable, "-m", "pytest", "-q", "-m", "cuda", "-p", "no:cacheprovider",
                           f"--junitxml={report}", str(REPO / "tests")], capture_output=True, text=True, cwd=REPO)
    import xml.etree.ElementTree as ElementTree

    suite = ElementTree.parse(report).getroot().find("testsuite")
    counts = {key: int(suite.get(key, 0)) for key in ("tests", "failures", "errors", "skipped")}
    failed = [case.get("name") for case in suite.iter("testcase")
              if case.find("failure") is not None or case.find("error") is not None]
    return {**counts, "failed": failed, "exit_code": proc.returncode}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cpu", action="store_true", help="reduced CPU mode (no GPU needed)")
    parser.add_argument("--out", type=Path, default=Path("gpu_check.json"))
    parser.add_argument("--worker", help=argparse.SUPPRESS)  # internal: one training process
    parser.add_argument("--epochs", type=int, default=1, help=argparse.SUPPRESS)
    args = parser.parse_args()
    mode = "cpu" if args.cpu else "cuda"
    if mode == "cuda" and not torch.cuda.is_available():
        sys.exit("gpu_check: no CUDA device here; --cpu runs the reduced CPU mode")
    device, size = torch.device(mode), SIZES[mode]
    if args.worker:
        print(json.dumps(worker(args.worker, device, size, args.epochs)))
        return

    started = time.perf_counter()
    report = {"mode": mode, "torch": torch.__version__, "sizes": size, "cuda_tests": cuda_tests()}
    print(f"cuda tests: {report['cuda_tests']}", flush=True)
    report["agreement"] = agreement(device, size)
    print(f"agreement: {report['agreement']}", flush=True)
    base = processes("default", 1, 1, args)
    if "error" in base:
        sys.exit(f"gpu_check: one training process failed: {base['error']}")
    epochs = lambda k: max(1, round(size["seconds"] * base["samples_per_s"] / (k * size["samples"])))  # noqa: E731
    report["throughput"] = {}
    for variant in VARIANTS[mode]:
        report["throughput"][variant] = processes(variant, 1, epochs(1), args)
        print(f"{variant}: {report['throughput'][variant]}", flush=True)
    report["sharing"] = [processes("default", k, epochs(k), args) for k in size["processes"]]
    for row in report["sharing"]:
        print(f"sharing: {row}", flush=True)
    report["seconds"] = time.perf_counter() - started
    args.out.write_text(json.dumps(report, indent=1))
    print(f"wrote {args.out} after {report['seconds']:.0f} s")


if __name__ == "__main__":
    main()
