import os
import shutil
import signal
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent


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
