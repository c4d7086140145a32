"""The one training loop of every study: epochs of shuffled, nearly equal minibatches, a learning
rate schedule over Adam parameter groups, a divergence guard that names the epoch and the terms,
progress with samples/s and ETA, and checkpoints that a rerun resumes from bit for bit, but only
when the same code and settings wrote them.

A study supplies an `Objective`: its training rows, the loss of a batch and whatever it adapts while
training (the paper's beta). An epoch shuffles the rows and splits them into round(n / batch_size)
nearly equal batches, so no batch is a small remainder (which would update BatchNorm statistics from
a handful of rows).

All per-step work stays on the device (epoch sums accumulate there); the host reads the numbers
once per epoch, which is also when a non-finite term is detected.
"""

from __future__ import annotations

import hashlib
import importlib.util
import io
import json
import math
import os
import shutil
import sys
import time
import zipfile
from pathlib import Path
from typing import Protocol

import torch

from fieldvae.core.io import atomic_path, load_torch, load_weights
from fieldvae.core.streams import torch_generator

# The members of a checkpoint file: the fingerprint, read and compared first, then the state.
CHECKPOINT_HEADER, CHECKPOINT_STATE = "fingerprint.json", "state.pt"


class TrainingDiverged(ArithmeticError):
    """A loss term became NaN or infinite; `row` is that epoch's history row. Nothing but the last good
    checkpoint is left behind."""

    def __init__(self, message: str, row: dict):
        super().__init__(message)
        self.row, self.epoch = row, row["epoch"]


class Schedule(Protocol):
    """The settings the loop reads from a study's training configuration."""

    epochs: int
    batch_size: int             # 0: the whole training set in one batch
    checkpoint_every: int       # epochs between checkpoints
    compile: bool               # compile the model's forward pass (torch.compile, Inductor)

    def learning_rate(self, epoch: int) -> float: ...


class Objective:
    """A study's side of training. Subclasses set `terms` (logged per epoch; the first is the loss
    minimised), `rows` (training rows shuffled into batches) and `weight` (rows an epoch's weighted
    sums stand for), and define `step`; the other hooks default to doing nothing."""

    terms: tuple[str, ...]
    rows: int
    weight: int

    def parameter_groups(self, model: torch.nn.Module) -> list[dict]:
        """Adam parameter groups, each with an `lr_factor` relative to the schedule's rate."""
        return [{"params": list(model.parameters()), "lr_factor": 1.0}]

    def start_epoch(self, epoch: int, batches: int) -> None:
        """Called before each epoch."""

    def step(self, model, index: torch.Tensor, generator: torch.Generator) -> tuple[dict, torch.Tensor | int]:
        """Terms of the batch of training rows `index` (tensors, `terms` among them) and the rows
        the batch stands for, its weight in the epoch's averages."""
        raise NotImplementedError

    def after_step(self, terms: dict) -> None:
        """Called after each optimiser step with that step's terms."""

    def columns(self) -> dict[str, float]:
        """Extra per-epoch history columns (the state an objective adapts)."""
        return {}

    def state_dict(self) -> dict:
        return {}

    def load_state_dict(self, state: dict) -> None:
        """Restore what `state_dict` returned."""


def batch_count(rows: int, batch_size: int) -> int:
    """Batches per epoch: the nearest whole number of batches of about batch_size (0: one batch)."""
    return 1 if batch_size == 0 else max(1, round(rows / batch_size))


def pick_device(name: str) -> torch.device:
    """`auto`: CUDA when present, else the CPU; asking for CUDA without one is an error."""
    if name == "auto":
        return torch.device("cuda" if torch.cuda.is_available() else "cpu")
    if name == "cuda" and not torch.cuda.is_available():
        raise ValueError("--device cuda: no CUDA device is available")
    return torch.device(name)


def use_threads(threads: int) -> None:
    """CPU threads for PyTorch's operations (0: keep its default, one per core)."""
    if threads < 0:
        raise ValueError(f"--threads: expected a count >= 0, got {threads}")
    if threads:
        torch.set_num_threads(threads)


def compilation_unavailable(device: torch.device) -> str | None:
    """Why Inductor cannot compile for `device` here (None: it can): it builds C++ on the CPU and
    Triton kernels on CUDA."""
    if device.type == "cpu" and not any(shutil.which(c) for c in ("g++", "c++", "clang++")):
        return "no C++ compiler (g++, c++ or clang++) on PATH"
    if device.type == "cuda" and importlib.util.find_spec("triton") is None:
        return "Triton is not installed"
    return None


def compile_model(model: torch.nn.Module, device: torch.device, cache: Path | None, log=sys.stderr) -> bool:
    """Compile the model's forward pass in place (parameter names and checkpoints stay as they are),
    with Inductor's on-disk caches in `cache`, a folder every job of a build shares, so only the
    first job of a model shape compiles from scratch. Where compilation is not available, say so
    once and stay eager. Returns whether the model was compiled."""
    reason = compilation_unavailable(device)
    if reason:
        print(f"training eagerly: torch.compile is not available here ({reason})", file=log)
        return False
    if cache is not None:
        Path(cache).mkdir(parents=True, exist_ok=True)
        os.environ["TORCHINDUCTOR_CACHE_DIR"] = str(Path(cache).resolve())
    model.compile()
    print(f"compiling the forward pass (Inductor caches in {os.environ.get('TORCHINDUCTOR_CACHE_DIR', 'the default folder')})",
          file=log)
    return True


def _global_rng_states() -> dict:
    """PyTorch's default generators (host and every CUDA device): no draw of ours uses them, but a
    library call might, so a resume restores them too."""
    return {"cpu": torch.get_rng_state(), "cuda": torch.cuda.get_rng_state_all() if torch.cuda.is_available() else []}


def _set_global_rng_states(states: dict) -> None:
    torch.set_rng_state(states["cpu"])
    if states["cuda"] and torch.cuda.is_available():
        torch.cuda.set_rng_state_all(states["cuda"])


class Trainer:
    """Trains `model` on `objective` under `schedule`. `streams` names the random-stream purposes of
    the minibatch order and of the objective's noise; `fingerprint` is everything that determines
    the result (settings, seed, data, code, and whether the model runs compiled): a checkpoint with
    another fingerprint is not resumed.
    `compile_cache` is the folder of the compiled kernels when the schedule compiles."""

    def __init__(self, model: torch.nn.Module, objective: Objective, schedule: Schedule, seed: int, run_dir: Path,
                 fingerprint: dict, streams: tuple[str, str] = ("minibatch_order", "reparameterisation"),
                 device: torch.device | str = "cpu", compile_cache: Path | None = None, log=sys.stderr):
        self.model, self.objective, self.schedule, self.log = model, objective, schedule, log
        self.device = torch.device(device)
        compiled = schedule.compile and compile_model(model, self.device, compile_cache, log)
        self.checkpoint_path = Path(run_dir) / "checkpoint.pt"
        # compiled and eager steps round differently: a run resumes only in the mode it ran in
        mode = {**fingerprint, "compiled": compiled}
        self.fingerprint = hashlib.sha256(json.dumps(mode, sort_keys=True).encode()).hexdigest()
        self.optimizer = torch.optim.Adam(objective.parameter_groups(model))
        # separate streams, so a change in batching cannot shift the noise, nor the other way round
        self.order_generator = torch_generator(streams[0], seed, device=self.device)
        self.noise_generator = torch_generator(streams[1], seed, device=self.device)
        self.history: list[dict] = []
        self.start_epoch = 0
        self.checkpoint_epoch: int | None = None

    def resume(self) -> bool:
        """Continue from the checkpoint of an interrupted run of the same code and settings, if any.
        The checkpoint's fingerprint is read before its tensors, and only tensors and plain containers
        are read at all, so a checkpoint of other code, settings or origin is ignored unread."""
        state = self._read_checkpoint()
        if state is None:
            return False
        try:
            load_weights(self.model, state["model"])
            self.optimizer.load_state_dict(state["optimizer"])  # moves its moments to the parameters' device
            self.order_generator.set_state(state["order_generator"])
            self.noise_generator.set_state(state["noise_generator"])
            _set_global_rng_states(state["global_generators"])
            self.objective.load_state_dict(state["objective"])
            self.history, epoch = state["history"], state["epoch"]
            if not (isinstance(epoch, int) and 0 <= epoch < self.schedule.epochs and isinstance(self.history, list)
                    and len(self.history) == epoch + 1):
                raise ValueError(f"epoch {epoch!r} and a history of {len(self.history)} rows do not match a run of "
                                 f"{self.schedule.epochs} epochs")
        except Exception as err:  # the fingerprint matches, yet the state does not fit: damaged, or crafted
            raise ValueError(f"{self.checkpoint_path}: a checkpoint of this run's code and settings that cannot be "
                             f"restored ({type(err).__name__}: {err}); delete it to start afresh") from err
        self.start_epoch = epoch + 1
        self.checkpoint_epoch = epoch
        print(f"resuming after epoch {epoch} from {self.checkpoint_path}", file=self.log)
        return True

    def _read_checkpoint(self) -> dict | None:
        """The state in the checkpoint file if this code and these settings wrote it, else None (said)."""
        path = self.checkpoint_path
        if not path.exists():
            return None
        try:
            with zipfile.ZipFile(path) as archive:
                header = json.loads(archive.read(CHECKPOINT_HEADER))
                if not isinstance(header, dict) or header.get("fingerprint") != self.fingerprint:
                    print(f"ignoring {path}: written by other code or settings; starting afresh", file=self.log)
                    return None
                return load_torch(path, "a checkpoint of this run", source=io.BytesIO(archive.read(CHECKPOINT_STATE)))
        except (zipfile.BadZipFile, KeyError, ValueError, OSError) as err:
            print(f"ignoring {path}: not a checkpoint written by this code ({str(err).splitlines()[0]}); "
                  "starting afresh", file=self.log)
            return None

    def checkpoint(self, epoch: int) -> None:
        """Write the state after `epoch`: a zip of the fingerprint (JSON, read first on resume) and
        the state (tensors and plain containers only, so reading it runs no code)."""
        state = {"epoch": epoch, "model": self.model.state_dict(), "optimizer": self.optimizer.state_dict(),
                 "order_generator": self.order_generator.get_state(), "noise_generator": self.noise_generator.get_state(),
                 "global_generators": _global_rng_states(), "objective": self.objective.state_dict(),
                 "history": self.history}
        buffer = io.BytesIO()
        torch.save(state, buffer)
        with atomic_path(self.checkpoint_path) as tmp, zipfile.ZipFile(tmp, "w") as archive:
            archive.writestr(CHECKPOINT_HEADER, json.dumps({"fingerprint": self.fingerprint, "epoch": epoch}))
            archive.writestr(CHECKPOINT_STATE, buffer.getvalue())
        self.checkpoint_epoch = epoch

    def train(self) -> list[dict]:
        schedule, objective = self.schedule, self.objective
        batches = batch_count(objective.rows, schedule.batch_size)
        start = time.perf_counter()
        for epoch in range(self.start_epoch, schedule.epochs):
            lr = schedule.learning_rate(epoch)
            for group in self.optimizer.param_groups:
                group["lr"] = lr * group["lr_factor"]
            objective.start_epoch(epoch, batches)
            sums = self._epoch(batches)
            row = {"epoch": epoch, **{k: v / objective.weight for k, v in zip(objective.terms, sums)},
                   **objective.columns(), "lr": lr}
            bad = [k for k in objective.terms if not math.isfinite(row[k])]
            if bad:
                kept = (f"the last good checkpoint (epoch {self.checkpoint_epoch}) is kept at {self.checkpoint_path}"
                        if self.checkpoint_epoch is not None else "no checkpoint was written yet")
                terms = ", ".join(f"{k}={v:.4g}" for k, v in row.items() if k not in ("epoch", "lr"))
                raise TrainingDiverged(f"epoch {epoch}: non-finite {', '.join(bad)} ({terms}); {kept}", row)
            self.history.append(row)
            rate = (epoch + 1 - self.start_epoch) * objective.weight / (time.perf_counter() - start)
            if epoch == schedule.epochs - 1 or (epoch + 1) % schedule.checkpoint_every == 0:
                self.checkpoint(epoch)
            shown = " ".join(f"{k} {v:.4g}" for k, v in row.items() if k != "epoch")
            print(f"epoch {epoch} ({epoch + 1}/{schedule.epochs}) {shown} {rate:.0f} samples/s "
                  f"ETA {(schedule.epochs - epoch - 1) * objective.weight / rate:.0f} s", file=self.log, flush=True)
        return self.history

    def _epoch(self, batches: int) -> list[float]:
        """One pass over the training rows; sums of the terms weighted by the rows they stand for."""
        self.model.train()
        order = torch.randperm(self.objective.rows, generator=self.order_generator, device=self.device)
        sums = torch.zeros(len(self.objective.terms), device=self.device)
        for index in torch.tensor_split(order, batches):
            terms, weight = self.objective.step(self.model, index, self.noise_generator)
            self.optimizer.zero_grad(set_to_none=True)
            terms[self.objective.terms[0]].backward()
            self.optimizer.step()
            self.objective.after_step(terms)
            sums += torch.stack([terms[k] for k in self.objective.terms]).detach() * weight
        return sums.tolist()
