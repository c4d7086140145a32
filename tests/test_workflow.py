"""The Snakemake workflow on a scratch copy: lint, dry-runs at every scale, the tiny scale end to end,
and a bad configuration stopping the run before any job."""

import re
import shutil

import numpy as np
import pytest

from conftest import REPO, run
from fieldvae.dataset import load_dataset

pytestmark = pytest.mark.workflow
SNAKEMAKE = ["snakemake", "--cores", "2"]


def planned_outputs(cwd, *args, env=None):
    out = run([*SNAKEMAKE, "--dry-run", *args], cwd=cwd, env=env).stdout
    return re.findall(r"^\s+output: (.+)$", out, flags=re.M), out


def planned_rules(cwd, *args, env=None):
    out = run([*SNAKEMAKE, "--dry-run", *args], cwd=cwd, env=env).stdout
    return sorted(set(re.findall(r"^rule (\w+):$", out, flags=re.M)))


def test_lint_is_clean(workflow_copy):
    proc = run(["snakemake", "--lint"], cwd=workflow_copy, check=False)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "good condition" in proc.stdout + proc.stderr


@pytest.mark.parametrize("scale", ["tiny", "quick", "paper"])
def test_dry_run_of_all_at_every_scale(workflow_copy, scale):
    outputs, text = planned_outputs(workflow_copy, "--config", f"scale={scale}")
    files = {f for line in outputs for f in line.split(", ")}
    assert "figures/fig1.pdf" in files and f"figures/{scale}/fig1.pdf" in files
    assert {f"results/{scale}/data/{d}.npz" for d in ["standard", "KLE1000", "mixture"]} <= files
    assert all(f.startswith((f"results/{scale}/", f"figures/{scale}/")) or f == "figures/fig1.pdf" for f in files)
    grid = {"tiny": 33, "quick": 33, "paper": 65}[scale]
    assert f"--grid {grid} --terms 1000" in run([*SNAKEMAKE, "-n", "-p", "--config", f"scale={scale}"], cwd=workflow_copy).stdout


def test_tiny_scale_end_to_end(workflow_copy):
    proc = run([*SNAKEMAKE, "all", "runs", "--config", "scale=tiny"], cwd=workflow_copy)
    figure = workflow_copy / "figures/fig1.pdf"
    assert figure.read_bytes() == (workflow_copy / "figures/tiny/fig1.pdf").read_bytes()
    assert b"package_version" in figure.read_bytes()  # provenance in the PDF metadata
    arrays, prov = load_dataset(workflow_copy / "results/tiny/data/mixture.npz")
    assert arrays["fields"].shape == (80, 3, 33, 33)
    assert prov["params"]["theta"] == "mixture" and prov["params"]["seed"] == 6
    assert prov["params"]["kle_params"]["grid"] == 33 and prov["params"]["kle_params"]["correlation_length"] == 0.1
    assert np.all(np.isfinite(arrays["fields"]))
    # one log per job, with the tool's progress in it
    assert "80/80 samples" in (workflow_copy / "results/tiny/logs/data/mixture.log").read_text()
    assert "leading eigenvalues" in (workflow_copy / "results/tiny/logs/kle/terms1000.log").read_text()
    assert "(100%) done" in proc.stderr
    # every run trained (history per epoch) and encoded; progress in the run's log
    run_dir = workflow_copy / "results/tiny/runs/semi_supervised/labels2_seed0"
    assert len((run_dir / "history.csv").read_text().splitlines()) == 1 + 2
    latents = np.load(run_dir / "latents.npz")
    assert latents["mu_test"].shape == (32, 2) and np.all(np.isfinite(latents["mu_test"]))
    log = (workflow_copy / "results/tiny/logs/train/semi_supervised/labels2_seed0.log").read_text()
    assert "samples/s" in log and "ETA" in log and "prior scaled" in log
    assert (workflow_copy / "results/tiny/runs/beta_sweep/beta10_seed0/latents.npz").exists()
    # scored, and gathered per experiment
    table = (workflow_copy / "results/tiny/tables/beta_sweep.csv").read_text().splitlines()
    assert table[0].startswith("experiment,run,") and "s_d" in table[0] and "s_kl" in table[0]
    assert [row.split(",")[1] for row in table[1:]] == ["beta10_seed0", "beta0.1_seed0"]

    # built: nothing more to do
    outputs, text = planned_outputs(workflow_copy, "all", "runs", "--config", "scale=tiny")
    assert outputs == [] and "Nothing to be done" in text
    # switching scale plans only that scale's results, and the published copy of the figure
    outputs, _ = planned_outputs(workflow_copy, "--config", "scale=quick")
    assert not [f for f in outputs if "tiny" in f] and "figures/fig1.pdf" in outputs
    # a changed dataset parameter reruns that dataset and the figure, nothing else
    config = workflow_copy / "config.yaml"
    config.write_text(config.read_text().replace("theta: standard,   seed: 2", "theta: standard,   seed: 12"))
    outputs, _ = planned_outputs(workflow_copy, "--config", "scale=tiny")
    assert sorted(outputs) == ["figures/fig1.pdf", "figures/tiny/fig1.pdf", "results/tiny/data/KLE10.npz"]
    # a changed training schedule retrains exactly the runs that use it, and re-encodes them
    config.write_text(config.read_text().replace(
        "hierarchical:    {epochs: 2, recon_epochs: 1", "hierarchical:    {epochs: 3, recon_epochs: 1", 1))
    outputs, _ = planned_outputs(workflow_copy, "runs", "--config", "scale=tiny")
    experiments = sorted(set(re.findall(r"results/tiny/(?:runs|tables)/([a-z_]+)", " ".join(outputs))))
    assert experiments == ["mixture_hierarchical", "shifted_hierarchical"]


def test_code_edits_rerun_only_the_steps_that_run_that_code(workflow_copy):
    """The scratch copy gets its own package source, first on PYTHONPATH, to edit."""
    shutil.copytree(REPO / "src", workflow_copy / "src")
    env = {"PYTHONPATH": str(workflow_copy / "src")}
    target = ["results/tiny/tables/standard.csv", "--config", "scale=tiny"]
    run([*SNAKEMAKE, *target], cwd=workflow_copy, env=env)
    assert planned_rules(workflow_copy, *target, env=env) == []

    def edit(module):
        path = workflow_copy / "src/fieldvae" / module
        path.write_text(path.read_text() + "\n# edited\n")

    edit("metrics/sap.py")
    assert planned_rules(workflow_copy, *target, env=env) == ["metrics", "metrics_table"]
    edit("training/trainer.py")
    assert planned_rules(workflow_copy, *target, env=env) == ["encode", "metrics", "metrics_table", "train"]


def test_bad_config_stops_before_any_job(workflow_copy):
    config = workflow_copy / "config.yaml"
    config.write_text(config.read_text().replace("n_test: 32", "n_test: -32").replace("theta: mixture", "theta: mixtrue"))
    proc = run([*SNAKEMAKE, "--config", "scale=tiny"], cwd=workflow_copy, check=False)
    assert proc.returncode != 0
    assert "config key 'scales.tiny.n_test': expected a value >= 1, got -32" in proc.stderr
    assert "config key 'datasets.mixture.theta': expected one of" in proc.stderr
    assert not (workflow_copy / "results").exists()


def test_unknown_scale_on_the_command_line(workflow_copy):
    proc = run([*SNAKEMAKE, "-n", "--config", "scale=huge"], cwd=workflow_copy, check=False)
    assert proc.returncode != 0
    assert "config key 'scale': expected one of the defined scales tiny, quick, paper, got 'huge'" in proc.stdout + proc.stderr
