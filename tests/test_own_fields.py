"""Your own fields end to end: the worked example (a diffusion problem on a 24 x 40 grid, 2 channels,
2 named factors, written to HDF5 by examples/diffusion_source.py) through the whole pipeline at the
tiny scale, the same without factors, and a bad file entry stopping the run before any job."""

import json
import re
import shutil

import numpy as np
import pytest
import torch
import yaml
from conftest import REPO, run

from fieldvae.core.dataset_file import load_dataset
from fieldvae.core.io import load_rows

pytestmark = pytest.mark.workflow
SNAKEMAKE = ["snakemake", "--cores", "2", "--config", "scale=tiny"]
EXAMPLE = yaml.safe_load((REPO / "examples/diffusion_source.yaml").read_text())


def scratch(root):
    for name in ("Snakefile", "config.yaml"):
        shutil.copy(REPO / name, root / name)
    for name in ("workflow", "profiles", "envs", "examples"):
        shutil.copytree(REPO / name, root / name)
    run(["python", "examples/diffusion_source.py", "--out", EXAMPLE["datasets"]["diffusion"]["file"]], cwd=root)
    return root


@pytest.fixture(scope="module")
def example(tmp_path_factory):
    """The example as the README runs it: the script writes the file, `own_fields` builds the rest."""
    root = scratch(tmp_path_factory.mktemp("own_fields"))
    run(["snakemake", "own_fields", "--configfile", "examples/diffusion_source.yaml", *SNAKEMAKE[1:]], cwd=root)
    return root


def test_example_builds_models_scores_tables_and_figures(example):
    for experiment in EXAMPLE["experiments"]:
        assert (example / f"figures/{experiment}/overview.pdf").stat().st_size > 0
        assert "on your own fields" in (example / f"tables/{experiment}/summary.md").read_text()
    assert (example / "figures/diffusion_labels/label_sweep.pdf").is_file()
    data, _ = load_dataset(example / "results/tiny/data/diffusion.npz")
    assert data["fields"].shape == (1000, 2, 24, 40) and data["theta"].shape == (1000, 2)
    assert [len(data[k]) for k in ("train_index", "test_index", "labelled_index")] == [512, 256, 128]
    train = data["fields"][data["train_index"]]
    np.testing.assert_allclose(train.mean(axis=(0, 2, 3)), 0, atol=1e-4)  # standardised, and recorded
    assert data["channel_std"].shape == (2,) and data["factor_names"].tolist() == ["source x", "source width"]
    model = torch.load(example / "results/tiny/runs/diffusion/seed0/model.pt", weights_only=True)
    assert {k: model["model_config"][k] for k in ("channels", "height", "width")} == {"channels": 2, "height": 24,
                                                                                     "width": 40}
    assert model["state_dict"]["output_logvar"].shape == (24, 40)
    labelled = json.loads((example / "results/tiny/runs/diffusion_labels/labels2_seed0/metrics.json").read_text())
    assert labelled["scores"]["s_d"] is not None and labelled["scores"]["factor_scores_reason"] is None
    (row,) = load_rows([example / "tables/diffusion/summary.csv"])
    scores = json.loads((example / "results/tiny/runs/diffusion/seed0/metrics.json").read_text())["scores"]
    assert row["runs"] == 1 and row["disentangled_count"] == int(scores["disentangled"])  # scored, and counted


def test_default_target_plans_the_examples_figures_too(example):
    out = run(["snakemake", "--dry-run", "--configfile", "examples/diffusion_source.yaml", *SNAKEMAKE[1:]],
              cwd=example).stdout
    planned = {f for line in re.findall(r"^\s+output: (.+)$", out, flags=re.M) for f in line.split(", ")}
    wanted = {f for line in re.findall(r"^\s+input: (.+)$", out, flags=re.M) for f in line.split(", ")}
    assert "figures/fig14.pdf" in planned and "figures/diffusion_labels/label_sweep.pdf" in wanted
    assert not any("diffusion" in f for f in planned)  # built already: nothing of the example to redo


def test_without_factors_scores_what_it_can_and_plans_no_label_sweep(tmp_path):
    root = scratch(tmp_path)
    config = {"datasets": {"diffusion": {k: v for k, v in EXAMPLE["datasets"]["diffusion"].items()
                                         if k not in ("factors", "factor_names")}},
              "experiments": {"diffusion": EXAMPLE["experiments"]["diffusion"]}}
    (root / "mine.yaml").write_text(yaml.safe_dump(config))
    out = run(["snakemake", "own_fields", "--configfile", "mine.yaml", *SNAKEMAKE[1:]], cwd=root).stdout
    assert "label_sweep" not in out
    metrics = json.loads((root / "results/tiny/runs/diffusion/seed0/metrics.json").read_text())["scores"]
    assert metrics["factor_scores_reason"] == "the dataset has no generating factors"
    assert metrics["s_d"] is None and metrics["over_regularised"] in (True, False) and metrics["rate"] is not None
    assert "n/a (no factors)" in (root / "tables/diffusion/summary.md").read_text()
    assert (root / "figures/diffusion/overview.pdf").is_file()


def test_a_bad_file_entry_stops_before_any_job(tmp_path):
    root = scratch(tmp_path)
    bad = {"datasets": {"diffusion": {**EXAMPLE["datasets"]["diffusion"], "factors": "theta"}}}
    (root / "bad.yaml").write_text(yaml.safe_dump(bad))
    proc = run(["snakemake", "own_fields", "--configfile", "examples/diffusion_source.yaml", "bad.yaml",
                *SNAKEMAKE[1:]], cwd=root, check=False)
    assert proc.returncode != 0
    assert "config key 'datasets.diffusion.factors': data/diffusion_source.h5: no array 'theta'" in proc.stderr
    assert not (root / "results").exists()
