import os
import re
import shutil
import signal
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

REPO = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent

# The contents of the valid files of `good`: a small dataset, the provenance of files made here.
MADE = {"params": {}, "created_utc": "test"}
SAMPLED = {"params": {"gamma": 1.0, "box": 10.0}}
N, GRID = 12, 17
RNG = np.random.default_rng(0)
DATASET = {"fields": RNG.normal(size=(N, 3, GRID, GRID)).astype(np.float32), "theta": RNG.normal(size=(N, 2)),
           "log_k": RNG.normal(size=(N, GRID, GRID)).astype(np.float32), "train_index": np.arange(8),
           "test_index": np.arange(8, 10), "labelled_index": np.arange(10, 12)}


def settings_of(name: str) -> dict:
    """The settings a run of this folder name trains with, as the metrics tables carry them (for
    building table rows in tests; the pipeline never reads a name back)."""
    beta, labels, seed = re.fullmatch(r"(?:beta([0-9.e+-]+)_|labels(\d+)_)?seed(\d+)", name).groups()
    return {"seed": int(seed), "prior": "standard", "beta": None if beta is None else float(beta),
            "labels": None if labels is None else int(labels)}


def run(cmd, cwd, timeout=600, check=True, env=None):
    """Run a command with this interpreter's environment first on PATH (so `fieldvae` and
    `snakemake` are the ones under test); return the completed process, output as text."""
    env = {**os.environ, "PATH": f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}", **(env or {})}
    proc = subprocess.run(cmd, cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout)
    if check and proc.returncode != 0:
        raise AssertionError(f"{' '.join(map(str, cmd))} failed ({proc.returncode}):\n{proc.stdout}\n{proc.stderr}")
    return proc


def kill_during(command, line_prefix, cwd=REPO):
    """Start a training command, SIGKILL it once it logs a line starting with `line_prefix`, and
    return the stderr it wrote until then. The kill is real: nothing gets to clean up."""
    env = {**os.environ, "PATH": f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}"}
    proc = subprocess.Popen(command, cwd=cwd, env=env, stderr=subprocess.PIPE, text=True)
    seen = []
    for line in proc.stderr:
        seen.append(line)
        if line.startswith(line_prefix):
            break
    proc.send_signal(signal.SIGKILL)
    proc.wait(timeout=30)
    assert proc.returncode == -signal.SIGKILL, "".join(seen)
    return "".join(seen)


def assert_resumes_bit_for_bit(command, tmp_path, last_resumable: int):
    """Train with command(out) whole; train it again, SIGKILL it once epoch 3 is logged, rerun the same
    command: it resumes after an epoch from 3 to `last_resumable`, and its final weights and history
    equal the whole run's."""
    import torch

    from fieldvae.vae.models.store import load_model

    run(command(tmp_path / "whole"), cwd=REPO)
    kill_during(command(tmp_path / "killed"), "epoch 3 ")
    assert not (tmp_path / "killed/model.pt").exists() and (tmp_path / "killed/checkpoint.pt").exists()
    resumed = run(command(tmp_path / "killed"), cwd=REPO)
    epoch = re.search(r"resuming after epoch (\d+) ", resumed.stderr)
    assert epoch and 3 <= int(epoch.group(1)) <= last_resumable, resumed.stderr
    whole, _ = load_model(tmp_path / "whole/model.pt")
    killed, _ = load_model(tmp_path / "killed/model.pt")
    for (name, x), y in zip(whole.state_dict().items(), killed.state_dict().values()):
        assert torch.equal(x, y), name
    assert (tmp_path / "whole/history.csv").read_text() == (tmp_path / "killed/history.csv").read_text()


@pytest.fixture(scope="module")
def data_file(tmp_path_factory):
    """A small mixture dataset (17 x 17, 96 training samples, a labelled pool of 16)."""
    from fieldvae.core.io import save_arrays
    from fieldvae.darcy.dataset import Split, generate
    from fieldvae.darcy.kle import compute_kle

    path = tmp_path_factory.mktemp("data") / "mixture.npz"
    arrays = generate(compute_kle(17, 2), "mixture", Split(96, 32, 16), seed=0, log=open(os.devnull, "w"))
    save_arrays(path, arrays, {"params": {}, "created_utc": "test"})
    return path


@pytest.fixture
def workflow_copy(tmp_path):
    """A scratch copy of the workflow, so tests never touch the repository's results/."""
    for name in ("Snakefile", "config.yaml"):
        shutil.copy(REPO / name, tmp_path / name)
    for name in ("workflow", "profiles", "envs"):
        shutil.copytree(REPO / name, tmp_path / name)
    return tmp_path


@pytest.fixture(scope="session")
def good(tmp_path_factory):
    """A valid file of each kind the commands read, by name: built directly, the LJ model by one epoch."""
    import torch

    from fieldvae.core.io import save_arrays, save_rows
    from fieldvae.darcy.kle import compute_kle, save_kle
    from fieldvae.lj.model import LJModelConfig, LJTrainingConfig
    from fieldvae.lj.training import train_distance_vae
    from fieldvae.vae.models.config import ModelConfig
    from fieldvae.vae.models.densevae import DenseVAE
    from fieldvae.vae.models.store import save_model

    folder = tmp_path_factory.mktemp("good")
    files = {name: folder / name for name in ("data.npz", "latents.npz", "history.csv", "model.pt", "samples.npz",
                                              "kle.npz")}
    save_arrays(files["data.npz"], DATASET, MADE)
    save_kle(files["kle.npz"], compute_kle(GRID, 2), MADE)
    save_arrays(files["latents.npz"], {f"{a}_{s}": np.zeros((4, 2)) for a in ("mu", "logvar", "theta")
                                       for s in ("train", "test")}, MADE)
    save_rows(files["history.csv"], [{"epoch": e, "loss": 1.0, "rate": 1.0, "beta": 1.0} for e in range(3)])
    save_model(files["model.pt"], DenseVAE(ModelConfig(height=GRID, width=GRID)), {}, MADE)
    save_arrays(files["samples.npz"], {"positions": RNG.uniform(0, 10, (10, 4, 2))}, SAMPLED)
    train_distance_vae([files["samples.npz"]], LJModelConfig(size=4, channels=(2,), n_latent=2),
                       LJTrainingConfig(epochs=1, batch_size=8), 0, folder / "lj", torch.device("cpu"), MADE,
                       log=open(os.devnull, "w"))
    return {**files, "lj_model.pt": folder / "lj" / "model.pt"}
