"""Datasets: splits, agreement with the solver, determinism, provenance, atomic writes."""

import os
import signal
import socket
import subprocess
import sys
import time

import numpy as np
import pytest
from conftest import REPO, run

from fieldvae.core.dataset_file import load_dataset
from fieldvae.core.io import atomic_path, load_arrays, save_arrays
from fieldvae.darcy.dataset import Split, generate
from fieldvae.darcy.kle import compute_kle, save_kle
from fieldvae.darcy.solver import DarcySolver, well_source


@pytest.fixture(scope="module")
def kle():
    return compute_kle(17, 2)


def test_arrays_splits_and_fields(kle):
    split = Split(6, 5, 3)
    data = generate(kle, "mixture", split, seed=1, log=open(os.devnull, "w"))
    assert data["fields"].shape == (14, 3, 17, 17) and data["fields"].dtype == np.float32
    assert data["theta"].shape == (14, 2) and data["log_k"].shape == (14, 17, 17)
    idx = np.concatenate([data["train_index"], data["test_index"], data["labelled_index"]])
    assert np.array_equal(np.sort(idx), np.arange(14))
    assert len(data["train_index"]) == 6 and len(data["test_index"]) == 5 and len(data["labelled_index"]) == 3
    # log K comes from theta through the KLE, and the fields solve Darcy flow for that K
    assert np.allclose(data["log_k"], kle.log_permeability(data["theta"]), atol=1e-6)
    i = 9
    expected = DarcySolver(17).solve(np.exp(kle.log_permeability(data["theta"][i])[0]), well_source(17))
    assert np.allclose(data["fields"][i], expected, rtol=1e-5, atol=1e-6)


def test_seed_fixes_the_dataset_and_training_sets_are_nested(kle):
    quiet = open(os.devnull, "w")
    a = generate(kle, "standard", Split(8, 4, 0), seed=7, log=quiet)
    b = generate(kle, "standard", Split(8, 4, 0), seed=7, log=quiet)
    c = generate(kle, "standard", Split(8, 4, 0), seed=8, log=quiet)
    assert all(np.array_equal(a[k], b[k]) for k in a)
    assert not np.array_equal(a["theta"], c["theta"])
    # the first 4 training samples are the training set of size 4
    assert np.array_equal(a["train_index"][:4], np.arange(4))


def test_split_rejects_empty_sets():
    with pytest.raises(ValueError, match="at least one training"):
        Split(0, 5, 0)
    with pytest.raises(ValueError, match="n_labelled must be >= 0"):
        Split(5, 5, -1)


def test_cli_writes_dataset_with_provenance(tmp_path, kle):
    save_kle(tmp_path / "kle.npz", kle, {"params": {"grid": 17, "terms": 2}})
    out = tmp_path / "d.npz"
    proc = run(["fieldvae", "dataset", "--kle", tmp_path / "kle.npz", "--theta", "shifted", "--seed", "3",
                "--n-train", "4", "--n-test", "3", "--n-labelled", "2", "--out", out], cwd=tmp_path)
    assert "9/9 samples" in proc.stderr
    arrays, prov = load_dataset(out)
    assert arrays["fields"].shape == (9, 3, 17, 17)
    assert prov["params"]["theta"] == "shifted" and prov["params"]["seed"] == 3
    assert prov["params"]["kle_params"] == {"grid": 17, "terms": 2}
    assert prov["package_version"] == "0.1.0"
    assert len(prov["git_commit"]) == 40 or prov["git_commit"] == "unknown"


def test_failed_write_leaves_nothing(tmp_path):
    target = tmp_path / "result.npz"
    with pytest.raises(RuntimeError):
        with atomic_path(target) as tmp:
            tmp.write_bytes(b"half")
            raise RuntimeError("interrupted")
    assert list(tmp_path.iterdir()) == []


def test_a_killed_writers_temporary_file_is_removed_by_the_next_write(tmp_path):
    """SIGKILL skips every cleanup, leaving `.result.npz.<host>-<pid>.<random>.part`; the next write of
    result.npz removes it once that process is gone, and leaves alone a live writer's file, another
    host's and another output's."""
    gone = subprocess.Popen(["true"])
    gone.wait()
    host = socket.gethostname()
    killed = tmp_path / f".result.npz.{host}-{gone.pid}.abc123.part"
    kept = [tmp_path / f".result.npz.{host}-{os.getpid()}.live.part", tmp_path / ".result.npz.otherhost-1.x.part",
            tmp_path / ".result.npz.csv.xyz.part"]
    for stale in (killed, *kept):
        stale.write_bytes(b"half")
    save_arrays(tmp_path / "result.npz", {"a": np.zeros(2)}, {})
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted([p.name for p in kept] + ["result.npz"])


def test_two_writers_to_one_output_both_finish_and_leave_it_whole(tmp_path):
    """Each writer removes only its own temporary file: two processes writing the same output at once
    both succeed, and the file is one writer's whole output."""
    script = ("import sys, numpy as np; from fieldvae.core.io import save_arrays\n"
              "for i in range(20): save_arrays(sys.argv[1], {'a': np.full(200_000, float(sys.argv[2]))}, {})")
    out = tmp_path / "result.npz"
    writers = [subprocess.Popen([sys.executable, "-c", script, str(out), str(k)], stderr=subprocess.PIPE, text=True)
               for k in (1, 2)]
    for writer in writers:
        assert writer.wait(timeout=120) == 0, writer.stderr.read()
    arrays, _ = load_arrays(out)
    assert np.unique(arrays["a"]).tolist() in ([1.0], [2.0])
    assert [p.name for p in tmp_path.iterdir()] == ["result.npz"]


def test_results_get_the_usual_file_mode(tmp_path):
    old = os.umask(0o022)
    try:
        save_arrays(tmp_path / "r.npz", {"a": np.zeros(2)}, {})
    finally:
        os.umask(old)
    assert (tmp_path / "r.npz").stat().st_mode & 0o777 == 0o644


def test_killed_job_leaves_no_result(tmp_path):
    """kill -9 in the middle of generation: the output file must not exist."""
    save_kle(tmp_path / "kle.npz", compute_kle(65, 2), {"params": {}})
    out = tmp_path / "d.npz"
    cmd = [sys.executable, "-m", "fieldvae.cli", "dataset", "--kle", str(tmp_path / "kle.npz"), "--theta",
           "standard", "--seed", "1", "--n-train", "2000", "--n-test", "1", "--n-labelled", "0", "--out", str(out)]
    proc = subprocess.Popen(cmd, cwd=REPO, stderr=subprocess.PIPE, text=True)
    assert proc.stderr.readline()  # started: the header line is printed before solving
    time.sleep(1.0)
    proc.send_signal(signal.SIGKILL)
    proc.wait(timeout=30)
    assert proc.returncode == -signal.SIGKILL
    assert not out.exists()
    assert all(p.name.startswith(".") for p in tmp_path.iterdir() if p.name != "kle.npz")


def test_load_rejects_files_that_are_not_datasets(tmp_path):
    save_arrays(tmp_path / "x.npz", {"fields": np.zeros(1)}, {"params": {}})
    with pytest.raises(ValueError, match="not a dataset file"):
        load_dataset(tmp_path / "x.npz")
    np.savez(tmp_path / "y.npz", a=np.zeros(1))
    with pytest.raises(ValueError, match="no provenance"):
        load_dataset(tmp_path / "y.npz")
    with pytest.raises(FileNotFoundError, match="no result file"):
        load_dataset(tmp_path / "missing.npz")
