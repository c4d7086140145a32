"""Every command that reads a file refuses a damaged or foreign one: an error that names the file, the
key and what was expected, exit status 2, no traceback, and nothing left where the output would go."""

import os
import shutil
import subprocess

import numpy as np
import pytest
from conftest import DATASET, MADE, REPO, SAMPLED, run

from fieldvae.core.io import save_arrays

WITH_NAN = DATASET["fields"].copy()
WITH_NAN[5, 1, 2, 3] = np.nan


def dataset(**arrays):
    """The valid dataset with `arrays` replaced (None: removed)."""
    return lambda path, good: save_arrays(path, {k: v for k, v in {**DATASET, **arrays}.items() if v is not None}, MADE)


def truncated(name):
    """The first half of a valid file."""
    return lambda path, good: path.write_bytes(good[name].read_bytes()[: good[name].stat().st_size // 2])


def empty(path, good):
    path.write_bytes(b"")


def metrics_file(text):
    """A run folder whose metrics.json holds `text`; the command gets the file's path."""
    def write(path, good):
        path.mkdir()
        (path / "metrics.json").write_text(text)
    return write


def positions(array):
    return lambda path, good: save_arrays(path, {"positions": array}, SAMPLED)


# The commands, `{bad}` where the bad file goes, `{<name>}` for a good file, `{out}` the output folder.
ENCODE = "encode --model {model.pt} --data {bad} --out {out}/latents.npz"
ENCODE_MODEL = "encode --model {bad} --data {data.npz} --out {out}/latents.npz"
TRAIN = "train --data {bad} --seed 0 --out-dir {out}/run"
METRICS = "metrics --latents {bad} --history {history.csv} --seed 0 --theta-distribution standard --out {out}/m.json"
METRICS_HISTORY = METRICS.replace("{bad}", "{latents.npz}").replace("{history.csv}", "{bad}")
LJ_SCORE = "lj score --model {bad} --data {samples.npz} --seed 0 --out {out}/scores.npz"
LJ_TRAIN = "lj train --data {bad} --seed 0 --out-dir {out}/run"
DATASET_FROM_KLE = ("dataset --kle {bad} --theta mixture --n-train 4 --n-test 2 --n-labelled 2 --seed 0 "
                    "--out {out}/data.npz")
TABLE = "table --metrics {bad}/metrics.json --out {out}/table.csv"

# id: (the bad file: how to write it, or the name of a good file of another kind; the command; what the error says)
CASES = {
    "truncated dataset": (truncated("data.npz"), ENCODE, ["not a readable .npz file"]),
    "empty dataset": (empty, TRAIN, ["not a readable .npz file"]),
    "CSV table as dataset": ("history.csv", ENCODE, ["not a readable .npz file"]),
    "latents as dataset": ("latents.npz", TRAIN,
                           ["not a dataset file: key 'fields' missing", "(latents from `fieldvae encode`?)"]),
    "LJ samples as dataset": ("samples.npz", "rotate --model {model.pt} --data {bad} --out {out}/rotation.csv",
                              ["key 'fields' missing", "(samples from `fieldvae lj sample`?)"]),
    "missing theta": (dataset(theta=None), TRAIN,
                      ["key 'theta' missing (it needs fields, theta, train_index, test_index, labelled_index)"]),
    "NaN in fields": (dataset(fields=WITH_NAN), ENCODE,
                      [f"key 'fields' has non-finite values (1 of {WITH_NAN.size}); expected finite values"]),
    "fields of rank 3": (dataset(fields=DATASET["fields"][:, 0]), "figure fig1 --input datasets={bad} --out {out}/fig1.pdf",
                         ["key 'fields' has shape (12, 17, 17); expected (N, C, H, W)"]),
    "integer fields": (dataset(fields=DATASET["fields"].astype(np.int64)),
                       "landscape lines --model {model.pt} --history {history.csv} --data {bad} --out {out}/lines.csv",
                       ["key 'fields' has dtype int64; expected float32"]),
    "theta rows not matching fields": (dataset(theta=DATASET["theta"][:-1]), TRAIN,
                                       ["key 'theta' has shape (11, 2); expected (12, s)"]),
    "float split indices": (dataset(test_index=np.arange(8.0, 10.0)), ENCODE,
                            ["key 'test_index' has dtype float64, shape (2,); expected a 1-d integer array"]),
    "overlapping train and test": (dataset(test_index=np.arange(6, 10)), TRAIN,
                                   ["key 'train_index' has 2 sample(s) also in test_index: [6, 7]; expected no sample "
                                    "in two of train_index, test_index, labelled_index"]),
    "labelled pool inside the test set": (dataset(labelled_index=np.array([9, 10])), ENCODE,
                                          ["key 'test_index' has 1 sample(s) also in labelled_index: [9]"]),
    "index out of range": (dataset(labelled_index=np.array([10, 12])), TRAIN,
                           ["key 'labelled_index' has indices out of range: [12]; expected indices in [0, 12)"]),
    "LJ model as Darcy model": ("lj_model.pt", ENCODE_MODEL,
                                ["a model from `fieldvae lj train`", "expected a model file from `fieldvae train`"]),
    "dataset as Darcy model": ("data.npz", ENCODE_MODEL,
                               ["not a readable torch file", "expected a model file from `fieldvae train`"]),
    "Darcy model to lj score": ("model.pt", LJ_SCORE, ["not a model file from `fieldvae lj train`: key 'box' missing",
                                                       "(a model from `fieldvae train`?)"]),
    "Darcy model to lj encode": ("model.pt", "lj encode --model {bad} --data {samples.npz} --out {out}/latents.npz",
                                 ["not a model file from `fieldvae lj train`: key 'box' missing"]),
    "empty LJ model": (empty, LJ_SCORE, ["not a readable torch file", "expected a model file from `fieldvae lj train`"]),
    "truncated latents to metrics": (truncated("latents.npz"), METRICS, ["not a readable .npz file"]),
    "empty history to metrics": (empty, METRICS_HISTORY, ["no rows; expected a header line"]),
    "dataset as history to metrics": ("data.npz", METRICS_HISTORY, ["not a readable CSV file"]),
    "positions of wrong shape to lj train": (positions(np.zeros((10, 4, 3))), LJ_TRAIN,
                                             ["key 'positions' has dtype float64, shape (10, 4, 3); expected floating "
                                              "point (configurations, particles, 2)"]),
    "truncated KLE to dataset": (truncated("kle.npz"), DATASET_FROM_KLE, ["not a readable .npz file"]),
    "dataset as KLE": ("data.npz", DATASET_FROM_KLE, ["not a KLE file: key 'values' missing",
                                                      "(a dataset from `fieldvae dataset`?)"]),
    "truncated metrics to table": (metrics_file('{"scores": {"s_d": 0.5'), TABLE,
                                   ["metrics.json: not a readable JSON file", "expected scores from `fieldvae metrics`"]),
    "metrics without scores to table": (metrics_file('{"provenance": {}}'), TABLE,
                                        ["metrics.json: key 'scores' missing; expected scores from `fieldvae metrics`"]),
    "Darcy dataset to lj train": ("data.npz", LJ_TRAIN,
                                  ["not a sample file from `fieldvae lj sample`: key 'positions' missing",
                                   "(a dataset from `fieldvae dataset`?)"]),
}


@pytest.mark.parametrize("case", CASES)
def test_a_bad_input_file_is_refused_by_name(case, good, tmp_path):
    what, command, says = CASES[case]
    if callable(what):
        bad = tmp_path / "bad_input"
        what(bad, good)
    else:
        bad = good[what]
    out = tmp_path / "out"
    argv = command.replace("{bad}", str(bad)).replace("{out}", str(out))
    for name, path in good.items():
        argv = argv.replace(f"{{{name}}}", str(path))
    proc = run(["fieldvae", *argv.split()], cwd=REPO, check=False)
    assert proc.returncode == 2, proc.stderr
    assert "Traceback" not in proc.stderr
    assert f": error: {bad}" in proc.stderr  # the file first (or, for a run folder, a file in it)
    for text in says:
        assert text in proc.stderr
    assert not [p for p in out.rglob("*") if p.is_file()]  # no output, no temporary file


@pytest.fixture
def small_disk(tmp_path):
    """A 64 KiB tmpfs mounted on a folder of tmp_path (root only), unmounted afterwards."""
    if os.geteuid() != 0 or not shutil.which("mount"):
        pytest.skip("mounting a small tmpfs needs root and mount(8)")
    folder = tmp_path / "small"
    folder.mkdir()
    mounted = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=64k", "tmpfs", str(folder)], capture_output=True)
    if mounted.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {mounted.stderr.decode().strip()}")
    try:
        yield folder
    finally:
        subprocess.run(["umount", str(folder)], check=True)


def test_a_full_disk_names_the_output_and_leaves_nothing(small_disk):
    out = small_disk / "uniform.npz"  # 2000 x 30 x 2 float64, about 1 MB, onto 64 KiB
    proc = run(["fieldvae", "lj", "uniform", "--samples", "2000", "--seed", "0", "--out", str(out)], cwd=REPO,
               check=False)
    assert proc.returncode == 2, proc.stderr
    assert "Traceback" not in proc.stderr
    assert f"{out}: no space left on device; nothing written" in proc.stderr
    assert not list(small_disk.iterdir())
