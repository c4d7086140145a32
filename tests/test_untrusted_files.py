"""Safe with any file it is handed. Crafted pickles planted as a model, an LJ model, a checkpoint and an
npz member never run (the marker file they would create never appears), and a standing fuzz suite
(Hypothesis) feeds malformed configurations, field files, model files, checkpoints and command lines
to the real commands: each ends in exit status 2 and error lines that name the culprit, with no
traceback, nothing half-written and no marker."""

import builtins
import contextlib
import io
import json
import math
import os
import re
import zipfile
from pathlib import Path

import h5py
import numpy as np
import pytest
import torch
import yaml
from conftest import DATASET, MADE, REPO, run
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from fieldvae.cli import main
from fieldvae.config import load_yaml
from fieldvae.core.dataset_file import load_dataset
from fieldvae.core.trainer import (CHECKPOINT_HEADER, CHECKPOINT_STATE,
                                   Objective, Trainer)


def fuzz(cases: int) -> settings:
    """Hypothesis' settings for `cases` inputs, the same ones every run (derandomised: CI stays reproducible)."""
    return settings(max_examples=cases, deadline=None, derandomize=True, database=None,
                    suppress_health_check=list(HealthCheck))
ERROR = re.compile(r"^fieldvae( [\w-]+)*: error: ")


class Payload:
    """Unpickling it calls open(marker, "w"): the file appears if, and only if, the pickle ran."""

    def __init__(self, marker: Path):
        self.marker = str(marker)

    def __reduce__(self):
        return builtins.open, (self.marker, "w")


def call(*argv) -> tuple[int, str]:
    """Run `fieldvae argv` in this process: exit status and what it wrote to stderr."""
    err = io.StringIO()
    with contextlib.redirect_stderr(err), contextlib.redirect_stdout(io.StringIO()):
        try:
            code = main([str(a) for a in argv])
        except SystemExit as exit:  # argparse's usage errors
            code = exit.code
    return code, err.getvalue()


def refused(code: int, stderr: str, culprit: str) -> list[str]:
    """The error lines of a refusal that names `culprit`; fails unless it is exactly that."""
    assert code == 2, stderr
    assert "Traceback" not in stderr, stderr
    lines = [line for line in stderr.splitlines() if ERROR.match(line)]
    assert lines and lines == stderr.splitlines()[-len(lines):], stderr  # the error lines end the output
    assert all(culprit in line for line in lines), stderr
    return lines


def leftovers(folder: Path) -> list[Path]:
    return [p for p in folder.rglob("*") if p.is_file()] if folder.exists() else []


# --- crafted pickles ----------------------------------------------------------------------------------

def torch_payload(path: Path, marker: Path, record: dict | None = None) -> None:
    """A torch file whose record hides a payload among plausible keys."""
    torch.save({**(record or {}), "model_config": Payload(marker), "state_dict": {}}, path)


def npz_payload(path: Path, marker: Path, key: str = "fields") -> None:
    """An npz whose member `key` is a pickled object array, the rest a valid dataset."""
    np.savez(path, **{**DATASET, key: np.array([Payload(marker)], dtype=object)}, provenance=np.array(json.dumps(MADE)))


MODEL_READERS = {
    "encode": "encode --model {bad} --data {data.npz} --out {out}/latents.npz",
    "rotate": "rotate --model {bad} --data {data.npz} --out {out}/rotation.csv",
    "landscape lines": "landscape lines --model {bad} --history {history.csv} --data {data.npz} --samples 4 --out {out}/l.csv",
    "landscape between": ("landscape between --model {model.pt} --other {bad} --history {history.csv} "
                          "--data {data.npz} --samples 4 --out {out}/b.csv"),
    "lj encode": "lj encode --model {bad} --data {samples.npz} --out {out}/latents.npz",
    "lj score": "lj score --model {bad} --data {samples.npz} --seed 0 --out {out}/scores.npz",
}
NPZ_READERS = {
    "encode": ("encode --model {model.pt} --data {bad} --out {out}/latents.npz", "fields"),
    "train": ("train --data {bad} --seed 0 --out-dir {out}/run", "fields"),
    "metrics": ("metrics --latents {bad} --history {history.csv} --seed 0 --out {out}/m.json", "mu_train"),
    "dataset": ("dataset --kle {bad} --theta standard --n-train 2 --n-test 1 --n-labelled 0 --seed 0 "
                "--out {out}/d.npz", "values"),
    "lj train": ("lj train --data {bad} --seed 0 --out-dir {out}/run", "positions"),
    "figure fig1": ("figure fig1 --input datasets={bad} --out {out}/fig1.pdf", "fields"),
}


def command(template: str, bad: Path, out: Path, good: dict) -> list[str]:
    argv = template.replace("{bad}", str(bad)).replace("{out}", str(out))
    for name, path in good.items():
        argv = argv.replace(f"{{{name}}}", str(path))
    return argv.split()


@pytest.mark.parametrize("reader", MODEL_READERS)
def test_a_crafted_model_file_runs_no_code(reader, good, tmp_path):
    bad, marker, out = tmp_path / "model.pt", tmp_path / "marker", tmp_path / "out"
    torch_payload(bad, marker, {"box": 1.0, "gammas": [], "test_index": [], "training_config": {}, "provenance": {}})
    lines = refused(*call(*command(MODEL_READERS[reader], bad, out, good)), str(bad))
    assert "only code could rebuild" in lines[0]
    assert not marker.exists() and not leftovers(out)


@pytest.mark.parametrize("reader", NPZ_READERS)
def test_a_pickled_npz_member_runs_no_code(reader, good, tmp_path):
    template, key = NPZ_READERS[reader]
    bad, marker, out = tmp_path / "input.npz", tmp_path / "marker", tmp_path / "out"
    npz_payload(bad, marker, key)
    lines = refused(*call(*command(template, bad, out, good)), str(bad))
    assert f"array '{key}.npy' holds Python objects" in lines[0]
    assert not marker.exists() and not leftovers(out)


def test_a_pickled_member_of_a_users_field_file_runs_no_code(tmp_path):
    bad, marker = tmp_path / "mine.npz", tmp_path / "marker"
    np.savez(bad, fields=np.zeros((4, 1, 3, 3)), factors=np.array([Payload(marker)], dtype=object))
    entry = json.dumps({"file": str(bad), "factors": "factors", "seed": 0})
    refused(*call("import-fields", "--entry", entry, "--seed", 0, "--out", tmp_path / "out.npz"), str(bad))
    assert not marker.exists() and not (tmp_path / "out.npz").exists()


TRAIN = {"epochs": 4, "recon_epochs": 1, "lr": [[0, 0.002], [2, 1.0e9]], "batch_size": 16, "checkpoint_every": 1}


@pytest.mark.parametrize("kind", ["plain torch file", "checkpoint whose fingerprint matches"])
def test_a_crafted_checkpoint_is_ignored_unrun(kind, data_file, tmp_path):
    """A checkpoint planted in a run folder: a plain torch pickle is not a checkpoint of this code; one
    with the run's own fingerprint (copied from a real checkpoint) has its state refused unread. Either
    way training starts afresh, says which file it ignored, and the payload never runs."""
    marker, folder = tmp_path / "marker", tmp_path / "run"
    argv = ["fieldvae", "train", "--data", str(data_file), "--training", json.dumps(TRAIN), "--seed", "0",
            "--threads", "1", "--out-dir", str(folder)]
    checkpoint = folder / "checkpoint.pt"
    if kind == "plain torch file":
        folder.mkdir()
        torch.save({"fingerprint": Payload(marker), "epoch": 0}, checkpoint)
    else:
        run(argv, cwd=REPO)  # diverges at epoch 2, keeping the checkpoint of epoch 1
        with zipfile.ZipFile(checkpoint) as archive:
            header = archive.read(CHECKPOINT_HEADER)
        state = io.BytesIO()
        torch.save({"epoch": Payload(marker)}, state)
        with zipfile.ZipFile(checkpoint, "w") as archive:
            archive.writestr(CHECKPOINT_HEADER, header)
            archive.writestr(CHECKPOINT_STATE, state.getvalue())
    log = run(argv, cwd=REPO).stderr
    assert f"ignoring {checkpoint}: " in log and "starting afresh" in log
    assert "recorded as a run that diverged in epoch 2" in log  # trained again from epoch 0
    assert not marker.exists()


def test_a_crafted_lj_checkpoint_is_ignored_unrun(good, tmp_path):
    marker, folder = tmp_path / "marker", tmp_path / "run"
    folder.mkdir()
    torch.save({"fingerprint": Payload(marker)}, folder / "checkpoint.pt")
    log = run(["fieldvae", "lj", "train", "--data", str(good["samples.npz"]), "--model",
               '{"size": 4, "channels": [2], "n_latent": 2}', "--training", '{"epochs": 1, "batch_size": 8}',
               "--seed", "0", "--out-dir", str(folder)], cwd=REPO).stderr
    assert f"ignoring {folder / 'checkpoint.pt'}: not a checkpoint written by this code" in log
    assert not marker.exists() and (folder / "model.pt").exists()


def test_a_yaml_tag_or_template_runs_no_code(tmp_path):
    marker = tmp_path / "marker"
    text = (REPO / "config.yaml").read_text()
    for name, changed in {"tag": text.replace("scale: quick", f'scale: !!python/object/apply:builtins.open ["{marker}", "w"]'),
                          "yte": f"__use_yte__: true\n{text}"}.items():
        path = tmp_path / f"{name}.yaml"
        path.write_text(changed)
        refused(*call("check-config", path), str(path))
    assert not marker.exists()


def test_debug_shows_the_traceback(good, tmp_path):
    bad = tmp_path / "model.pt"
    bad.write_bytes(b"not a model")
    argv = command(MODEL_READERS["encode"], bad, tmp_path / "out", good)
    assert "Traceback" not in call(*argv)[1]
    code, stderr = call("--debug", *argv)
    assert code == 2 and "Traceback" in stderr and ERROR.match(stderr.splitlines()[-1])


def _config(tmp_path, text: str) -> list:
    path = tmp_path / "config.yaml"
    path.write_text(text)
    return ["check-config", path, "--schema", REPO / "workflow/schemas/config.schema.yaml"]


def _npz_with_header(tmp_path, header: bytes) -> Path:
    path = tmp_path / "mine.npz"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("fields.npy", b"\x93NUMPY\x01\x00" + len(header).to_bytes(2, "little") + header)
    return path


def _nan_model(tmp_path, good) -> Path:
    record = torch.load(good["model.pt"], weights_only=True)
    record["state_dict"] = {k: v * math.nan if v.is_floating_point() else v for k, v in record["state_dict"].items()}
    torch.save(record, tmp_path / "model.pt")
    return tmp_path / "model.pt"


# Inputs a reviewer found mishandled (a hang, tracebacks, silent acceptance), each now refused by name.
REVIEWED = {
    "YAML alias bomb": (lambda tmp, good: _config(tmp, 'a: &a ["x", "x"]\nb: &b [*a, *a]\nc: [*b, *b]\n'),
                        "alias *a found"),
    "float grid": (lambda tmp, good: _config(tmp, CONFIG_TEXT.replace("grid: 65", "grid: 65.0")),
                   "config key 'scales.paper.grid': expected an integer, got 65.0"),
    "400-digit count": (lambda tmp, good: _config(tmp, CONFIG_TEXT.replace("n_train: 512", "n_train: 1" + "0" * 400)),
                        "config key 'scales.paper.n_train': expected a value <= 1000000000"),
    "npz header of Python text": (lambda tmp, good: ["import-fields", "--entry", json.dumps(
        {"file": str(_npz_with_header(tmp, b'{__import__("os")}\n')), "seed": 0}), "--seed", 0, "--out", tmp / "o.npz"],
        "not a readable .npz file"),
    "entry without a file": (lambda tmp, good: ["import-fields", "--entry", '{"fields": "f"}', "--seed", 0, "--out",
                                                tmp / "o.npz"], "--entry key 'file': missing"),
    "entry of wrong types": (lambda tmp, good: ["import-fields", "--entry", json.dumps(
        {"file": "x.npz", "standardise": "no"}), "--seed", 0, "--out", tmp / "o.npz"],
        "--entry key 'standardise': expected true or false, got 'no'"),
    "output that is a folder": (lambda tmp, good: ["dataset", "--kle", good["kle.npz"], "--theta", "standard",
                                                   "--n-train", 2, "--n-test", 1, "--n-labelled", 0, "--seed", 0,
                                                   "--out", tmp], "a folder; expected the path of the file to write"),
    "model with NaN weights": (lambda tmp, good: command(MODEL_READERS["encode"], _nan_model(tmp, good), tmp / "out",
                                                         good), "have non-finite values"),
    "huge latent count": (lambda tmp, good: ["train", "--data", good["data.npz"], "--model", '{"n_latent": 1000000000}',
                                             "--seed", 0, "--out-dir", tmp / "run"],
                          "n_latent: expected an integer from 1 to 1024, got 1000000000"),
    "an epoch count that trains forever": (lambda tmp, good: ["train", "--data", good["data.npz"], "--training",
                                                              '{"epochs": 100000000000000000000}', "--seed", 0,
                                                              "--out-dir", tmp / "run"],
                                           "epochs: expected an integer from 1 to 10,000,000"),
    "a size that comes from the data": (lambda tmp, good: ["train", "--data", good["data.npz"], "--model",
                                                           '{"height": 9}', "--seed", 0, "--out-dir", tmp / "run"],
                                        "key 'height' comes from the data (17 in"),
    "NaN on the command line": (lambda tmp, good: ["kle", "--grid", 17, "--terms", 2, "--correlation-length", "nan",
                                                   "--out", tmp / "k.npz"],
                                "argument --correlation-length: expected a finite number, got 'nan'"),
    "a 5000-digit JSON number": (lambda tmp, good: ["import-fields", "--entry", '{"seed": 1' + "0" * 5000 + "}",
                                                    "--seed", 0, "--out", tmp / "o.npz"], "not valid JSON (Exceeds"),
    "a missing schema": (lambda tmp, good: ["check-config", REPO / "config.yaml", "--schema", tmp / "none.yaml"],
                         "no schema file"),
}


@pytest.mark.parametrize("probe", REVIEWED)
def test_reviewed_inputs_are_refused_by_name(probe, good, tmp_path):
    make, says = REVIEWED[probe]
    code, stderr = call(*make(tmp_path, good))
    assert says in refused(code, stderr, "")[0], stderr


# --- the fuzz suite: configurations ---------------------------------------------------------------------

CONFIG_TEXT = (REPO / "config.yaml").read_text()
CONFIG = load_yaml(REPO / "config.yaml")


def _leaves(node, path=()):
    """Paths of every number in the configuration, and of every mapping."""
    if isinstance(node, dict):
        yield "mapping", path
        for k, v in node.items():
            yield from _leaves(v, (*path, k))
    elif isinstance(node, list):
        for i, v in enumerate(node):
            yield from _leaves(v, (*path, i))
    elif isinstance(node, (int, float)) and not isinstance(node, bool):
        yield "number", path


NUMBERS = [p for kind, p in _leaves(CONFIG) if kind == "number"]
MAPPINGS = [p for kind, p in _leaves(CONFIG) if kind == "mapping"]
# Every number of the configuration is a count, a seed or a positive quantity: none of these is valid.
BAD_NUMBERS = [math.nan, math.inf, -math.inf, -1, -0.5, "text", None, True, [1], {"a": 1}, 2**64 + 0.5]
DUPLICABLE = [i for i, line in enumerate(CONFIG_TEXT.splitlines()) if re.match(r"^\s*[A-Za-z_]\w*:\s*[^\s#]", line)]


def _edited(path, value) -> dict:
    config = json.loads(json.dumps(CONFIG))  # a deep copy
    node = config
    for key in path[:-1]:
        node = node[key]
    node[path[-1]] = value
    return config


@st.composite
def bad_configs(draw) -> str:
    """The text of a configuration with one defect: a bad number, an unknown key, a key given twice,
    a Python tag, or bytes that are not UTF-8."""
    kind = draw(st.sampled_from(["number", "unknown key", "duplicate", "tag", "bytes"]))
    if kind == "number":
        return yaml.safe_dump(_edited(draw(st.sampled_from(NUMBERS)), draw(st.sampled_from(BAD_NUMBERS))))
    if kind == "unknown key":
        path = draw(st.sampled_from(MAPPINGS))
        config = json.loads(json.dumps(CONFIG))
        node = config
        for key in path:
            node = node[key]
        node["zz_unknown"] = "junk"
        return yaml.safe_dump(config)
    lines = CONFIG_TEXT.splitlines(keepends=True)
    if kind == "duplicate":
        i = draw(st.sampled_from(DUPLICABLE))
        return "".join(lines[: i + 1] + [lines[i]] + lines[i + 1:])
    if kind == "tag":
        i = draw(st.sampled_from(DUPLICABLE))
        key = lines[i].split(":")[0]
        return "".join(lines[:i] + [f'{key}: !!python/object/apply:builtins.open ["MARKER", "w"]\n'] + lines[i + 1:])
    at = draw(st.integers(0, len(CONFIG_TEXT)))
    return CONFIG_TEXT[:at] + "\udcff" + CONFIG_TEXT[at:]  # written with surrogateescape: a lone 0xff byte


@fuzz(70)
@given(text=bad_configs())
def test_fuzz_configurations(text, tmp_path_factory):
    folder = tmp_path_factory.mktemp("config")
    path = folder / "config.yaml"
    path.write_bytes(text.replace("MARKER", str(folder / "marker")).encode("utf-8", "surrogateescape"))
    code, stderr = call("check-config", path, "--schema", REPO / "workflow/schemas/config.schema.yaml")
    lines = refused(code, stderr, "")
    assert all(re.search(f"config key '|: error: config: |{re.escape(str(path))}", line) for line in lines), stderr
    assert not (folder / "marker").exists()


# --- the fuzz suite: a user's field files ------------------------------------------------------------------

@st.composite
def field_files(draw, folder: Path) -> tuple[dict, Path]:
    """A file of fields (.npz or HDF5) and its datasets entry, each part possibly malformed: empty or
    odd shapes, dtypes that are not numbers, non-finite or huge values, factors that do not match,
    split indices out of range, repeated, overlapping or of the wrong dtype."""
    n, c, h, w = (draw(st.integers(0, k)) for k in (7, 2, 4, 4))
    dtype = draw(st.sampled_from(["float32", "float64", "int16", "bool", "complex64", "U2"]))
    scale = draw(st.sampled_from([1.0, 1e-200, 1e200, 1e300]))
    rng = np.random.default_rng(draw(st.integers(0, 2**16)))
    fields = rng.normal(size=(n, c, h, w)) * (scale if dtype == "float64" else 1.0)
    if draw(st.booleans()) and fields.size:
        fields.flat[draw(st.integers(0, fields.size - 1))] = draw(st.sampled_from([np.nan, np.inf, 1e308]))
    arrays = {"fields": fields.astype(dtype)}
    entry = {"seed": 0}
    if draw(st.booleans()):
        arrays["factors"] = rng.normal(size=(draw(st.sampled_from([n, max(n - 1, 0)])), draw(st.integers(0, 2))))
        entry["factors"] = "factors"
    split = draw(st.sampled_from(["default", "counts", "indices"]))
    if split == "counts":
        entry["split"] = {k: draw(st.integers(0, 8)) for k in ("n_train", "n_test")}
    if split == "indices":
        for part in ("train", "test"):
            index = rng.integers(-1, n + 2, size=draw(st.integers(0, 4)))
            arrays[f"{part}_index"] = index.astype(draw(st.sampled_from(["int64", "float64"])))
        entry["split"] = {"train": "train_index", "test": "test_index"}
    path = folder / f"mine{draw(st.sampled_from(['.npz', '.h5']))}"
    if path.suffix == ".npz":
        np.savez(path, **arrays)
    else:
        with h5py.File(path, "w") as f:
            for key, value in arrays.items():
                f[key] = value.astype("S2") if value.dtype.kind == "U" else value
    return {"file": str(path), **entry}, path


@fuzz(70)
@given(data=st.data())
def test_fuzz_field_files(data, tmp_path_factory):
    """Either refused by name, with nothing written, or imported whole: finite, standardised fields."""
    folder = tmp_path_factory.mktemp("fields")
    entry, path = data.draw(field_files(folder))
    out = folder / "out" / "dataset.npz"
    code, stderr = call("import-fields", "--entry", json.dumps(entry), "--seed", 0, "--out", out)
    if code != 0:
        lines = refused(code, stderr, "")
        assert all(str(path) in line or "--entry key '" in line for line in lines), stderr
        assert not leftovers(folder / "out")
        return
    arrays, _ = load_dataset(out)
    train = arrays["fields"][arrays["train_index"]].astype(np.float64)
    spread = train.std(axis=(0, 2, 3))
    assert np.isfinite(arrays["fields"]).all()
    assert np.all((np.abs(spread - 1) < 1e-3) | (spread == 0)), spread  # standardised, or a constant channel


# --- the fuzz suite: model files --------------------------------------------------------------------------

def _plain():
    """Plain containers of numbers, text and tensors, as a torch file may hold them."""
    leaf = st.one_of(st.none(), st.booleans(), st.integers(-2**70, 2**70), st.floats(), st.text(max_size=5),
                     st.builds(torch.zeros, st.integers(0, 3)))
    return st.recursive(leaf, lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=12), inner,
                                                                                          max_size=4), max_leaves=8)


@st.composite
def bad_model_files(draw, good_model: bytes) -> bytes:
    """The bytes of a file given as a model: random bytes, a cut or flipped copy of a good one, a
    torch file of random plain content, or the good record with one part broken."""
    kind = draw(st.sampled_from(["bytes", "cut", "flipped", "random record", "broken record"]))
    if kind == "bytes":
        return draw(st.binary(max_size=200))
    if kind == "cut":
        return good_model[: draw(st.integers(0, len(good_model) - 1))]
    if kind == "flipped":
        data = bytearray(good_model)
        for at in draw(st.lists(st.integers(0, len(data) - 1), min_size=1, max_size=8)):
            data[at] ^= 0xFF
        return bytes(data)
    buffer = io.BytesIO()
    if kind == "random record":
        torch.save(draw(_plain()), buffer)
        return buffer.getvalue()
    record = torch.load(io.BytesIO(good_model), weights_only=True)
    part = draw(st.sampled_from(["model_config", "state_dict", "training_config", "provenance"]))
    how = draw(st.sampled_from(["missing", "junk", "wrong shape"]))
    if how == "missing":
        del record[part]
    elif how == "junk" or part != "state_dict":
        record[part] = draw(_plain().filter(lambda v: not isinstance(v, dict) or part == "state_dict"))
    else:
        key = draw(st.sampled_from(sorted(record[part])))
        record[part][key] = torch.zeros(draw(st.integers(0, 3)), 5)
    torch.save(record, buffer)
    return buffer.getvalue()


@fuzz(60)
@given(data=st.data())
def test_fuzz_model_files(data, good, tmp_path_factory):
    folder = tmp_path_factory.mktemp("model")
    bad, out = folder / "model.pt", folder / "out"
    bad.write_bytes(data.draw(bad_model_files(good["model.pt"].read_bytes())))
    code, stderr = call(*command(MODEL_READERS["encode"], bad, out, good))
    if code == 0:  # a flipped byte may land where nothing reads it (zip padding, an unused name)
        assert torch.load(bad, weights_only=True)["state_dict"].keys() == torch.load(good["model.pt"])["state_dict"].keys()
        return
    assert len(refused(code, stderr, str(bad))) == 1
    assert not leftovers(out)


# --- the fuzz suite: checkpoints ----------------------------------------------------------------------------

class Counting(Objective):
    """The smallest objective: the mean square of a linear model's output."""

    terms = ("loss",)
    rows = weight = 4

    def step(self, model, index, generator):
        return {"loss": model(torch.ones(len(index), 2)).pow(2).mean()}, len(index)


class Schedule:
    epochs, batch_size, checkpoint_every, compile = 2, 0, 1, False

    def learning_rate(self, epoch):
        return 0.1


@st.composite
def bad_checkpoints(draw) -> bytes:
    """A checkpoint file's bytes: random, a plain torch file, or a zip whose header or state is wrong."""
    kind = draw(st.sampled_from(["bytes", "torch file", "header", "state"]))
    buffer = io.BytesIO()
    if kind == "bytes":
        return draw(st.binary(max_size=200))
    if kind == "torch file":
        torch.save(draw(_plain()), buffer)
        return buffer.getvalue()
    with zipfile.ZipFile(buffer, "w") as archive:
        if kind == "header":
            archive.writestr(CHECKPOINT_HEADER, draw(st.binary(max_size=40) | st.just(b'{"fingerprint": 1}')))
        else:
            archive.writestr(CHECKPOINT_HEADER, json.dumps({"fingerprint": "FINGERPRINT"}))
            state = io.BytesIO()
            torch.save(draw(_plain()), state)
            archive.writestr(CHECKPOINT_STATE, draw(st.binary(max_size=100) | st.just(state.getvalue())))
    return buffer.getvalue()


@fuzz(40)
@given(content=bad_checkpoints())
def test_fuzz_checkpoints(content, tmp_path_factory):
    """A damaged or foreign checkpoint is ignored (said, naming it), or, when it carries the run's own
    fingerprint yet cannot be restored, refused with an error naming it; never anything else."""
    folder = tmp_path_factory.mktemp("checkpoint")
    log = io.StringIO()
    trainer = Trainer(torch.nn.Linear(2, 1), Counting(), Schedule(), 0, folder, {"run": 1}, log=log)
    (folder / "checkpoint.pt").write_bytes(content.replace(b"FINGERPRINT", trainer.fingerprint.encode()))
    try:
        resumed = trainer.resume()
    except ValueError as err:
        assert str(err).startswith(f"{folder / 'checkpoint.pt'}: a checkpoint of this run's code and settings")
        return
    assert not resumed and f"ignoring {folder / 'checkpoint.pt'}: " in log.getvalue()
    assert len(trainer.train()) == 2  # and training goes on afresh


def test_a_checkpoint_of_this_run_with_non_finite_weights_is_refused(tmp_path):
    """Written by this run's code and settings, yet damaged: not resumed as if good, nor taken for a divergence."""
    trainer = Trainer(torch.nn.Linear(2, 1), Counting(), Schedule(), 0, tmp_path, {"run": 1}, log=io.StringIO())
    with torch.no_grad():
        trainer.model.weight.fill_(math.nan)
    trainer.checkpoint(0)
    fresh = Trainer(torch.nn.Linear(2, 1), Counting(), Schedule(), 0, tmp_path, {"run": 1}, log=io.StringIO())
    with pytest.raises(ValueError, match="checkpoint.pt: a checkpoint of this run's code and settings that cannot be "
                                         "restored .*weights 'weight' have non-finite values"):
        fresh.resume()


# --- the fuzz suite: command lines -----------------------------------------------------------------------------

COMMAND_LINES = [
    "encode --model {model.pt} --data {data.npz} --out {out}/latents.npz",
    "metrics --latents {latents.npz} --history {history.csv} --seed 0 --out {out}/m.json",
    "rotate --model {model.pt} --data {data.npz} --angles 0 45 --seed 0 --out {out}/rotation.csv",
    "lj encode --model {lj_model.pt} --data {samples.npz} --out {out}/latents.npz",
    "figure fig1 --input datasets={data.npz} --option sample=0 --out {out}/fig1.pdf",
    "figure fig7 --input latents={latents.npz} --out {out}/fig7.pdf",
    "table --metrics {out}/metrics.json --out {out}/table.csv",
    "dataset --kle {kle.npz} --theta standard --n-train 2 --n-test 1 --n-labelled 0 --seed 0 --out {out}/d.npz",
]
TOKENS = st.one_of(st.text(max_size=10), st.integers(-1000, 1000).map(str), st.sampled_from(["nan", "-inf", "1e999", ""]))


@fuzz(40)
@given(line=st.sampled_from(COMMAND_LINES), data=st.data())
def test_fuzz_command_lines(line, data, good, tmp_path_factory):
    """One argument of a working command line replaced by junk: it still works, or it is refused with
    error lines, exit status 2, and nothing written."""
    folder = tmp_path_factory.mktemp("cli")
    argv = command(line, Path("unused"), folder / "out", good)
    at = data.draw(st.integers(1, len(argv) - 1))
    argv[at] = data.draw(TOKENS)
    cwd = os.getcwd()
    os.chdir(folder)  # a junk output name lands here
    try:
        code, stderr = call(*argv)
    finally:
        os.chdir(cwd)
    assert "Traceback" not in stderr and "unexpected" not in stderr, stderr
    if code != 0:
        assert code == 2 and ERROR.match(stderr.splitlines()[-1]), stderr
        assert not [p for p in folder.rglob("*.part")]
