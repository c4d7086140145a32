"""The one reader of run folders: tables, figures 4 and 14 and the claims all read runs through it."""

import json
import re

import numpy as np
import pytest
from conftest import settings_of

from fieldvae.core.io import save_rows
from fieldvae.paper.runs import gather, run_folder, run_name, scores
from fieldvae.vae.evaluate import run_settings


def _run(root, experiment, run, s_d, epochs=3):
    folder = root / experiment / run
    folder.mkdir(parents=True)
    record = {"run": settings_of(run), "scores": {"s_d": s_d, "s_kl": None}, "provenance": {}}
    (folder / "metrics.json").write_text(json.dumps(record))
    save_rows(folder / "history.csv", [{"epoch": e, "loss": 1.0 / (e + 1), "beta": 0.5} for e in range(epochs)])
    return folder


def test_a_run_folder_reads_as_its_stored_settings_scores_and_history(tmp_path):
    folder = _run(tmp_path, "beta_sweep", "beta10_seed2", 0.25)
    run = run_folder(folder)
    assert (run["experiment"], run["run"], run["s_d"], run["s_kl"]) == ("beta_sweep", "beta10_seed2", 0.25, None)
    assert (run["beta"], run["labels"]) == (10.0, None)
    assert np.array_equal(run["history"]["epoch"], [0, 1, 2])
    labelled = run_folder(_run(tmp_path, "semi_supervised", "labels8_seed0", 0.5))
    assert (labelled["beta"], labelled["labels"]) == (None, 8)


def test_table_rows_are_the_runs_scores_in_order(tmp_path):
    folders = [_run(tmp_path, "mixture", f"seed{i}", 0.1 * i) for i in (1, 0)]
    rows = gather([f / "metrics.json" for f in folders])
    assert rows == [scores(f) for f in folders]
    assert [r["run"] for r in rows] == ["seed1", "seed0"] and rows[0]["s_d"] == pytest.approx(0.1)
    assert run_name(folders[0] / "latents.npz") == "mixture/seed1"


def test_metrics_without_the_runs_settings_are_refused_by_name(tmp_path):
    folder = _run(tmp_path, "standard", "seed0", 0.5)
    (folder / "metrics.json").write_text(json.dumps({"scores": {"s_d": 0.5}}))
    with pytest.raises(ValueError, match="metrics.json: key 'run' missing"):
        scores(folder)


def test_a_folder_without_scores_is_named_in_the_error(tmp_path):
    folder = tmp_path / "standard" / "seed0"
    folder.mkdir(parents=True)
    with pytest.raises(FileNotFoundError, match="metrics.json"):
        scores(folder)


@pytest.mark.parametrize("settings, says", [
    ({"seed": 0, "prior": "standard", "beta": None}, "key 'run' has ['beta', 'prior', 'seed']; expected exactly"),
    ({"seed": 0, "prior": "standard", "beta": None, "labels": None, "experiment": "other"}, "expected exactly"),
    ({"seed": 0, "prior": "standard", "beta": "10", "labels": None}, "key 'run.beta' is '10'; expected a number >= 0"),
    ({"seed": 0, "prior": "standard", "beta": None, "labels": 6.5}, "key 'run.labels' is 6.5; expected a count"),
    ({"seed": -1, "prior": "standard", "beta": None, "labels": None}, "key 'run.seed' is -1; expected a count"),
    ({"seed": 0, "prior": "standard", "beta": float("nan"), "labels": None}, "key 'run.beta' is nan"),
])
def test_stored_settings_are_checked_before_they_decide_a_runs_sweep_value(tmp_path, settings, says):
    folder = _run(tmp_path, "semi_supervised", "labels6_seed0", 0.5)
    (folder / "metrics.json").write_text(json.dumps({"run": settings, "scores": {"s_d": 0.5}}))
    with pytest.raises(ValueError, match=re.escape(says)):
        scores(folder)


def test_a_runs_settings_come_from_its_models_provenance():
    provenance = {"params": {"model_provenance": {"params": {
        "seed": 4, "model": {"prior": "scaled", "n_latent": 2}, "training": {"labels": 6, "epochs": 9}}}}}
    assert run_settings("latents.npz", provenance) == {"seed": 4, "prior": "scaled", "beta": None, "labels": 6}
    with pytest.raises(ValueError, match="latents.npz: no training settings in its provenance"):
        run_settings("latents.npz", {"params": {}})
