"""The Snakemake workflow on scratch copies: lint, dry-runs at every scale, the tiny scale end to end,
reruns limited to what an edit touches, and a bad configuration stopping the run before any job."""

import contextlib
import re
import shutil
import zipfile

import numpy as np
import pytest
import workflow_crash
import yaml
from conftest import REPO, run

from fieldvae.core.dataset_file import load_dataset
from fieldvae.core.io import load_rows

pytestmark = pytest.mark.workflow
SNAKEMAKE = ["snakemake", "--cores", "2"]
LJ_FIGURES = ["lj_samples", "lj_physics", "lj_reconstruction", "lj_traversal", "lj_latent", "lj_anomaly"]
FIGURE_RULES = ["figure", "publish_figure"]


def dry_run(cwd, *args, env=None):
    """(planned output files, planned rule names, text) of a dry-run."""
    out = run([*SNAKEMAKE, "--dry-run", *args], cwd=cwd, env=env).stdout
    files = [f for line in re.findall(r"^\s+output: (.+)$", out, flags=re.M) for f in line.split(", ")]
    rules = set(re.findall(r"^rule (\w+):$", out, flags=re.M)) - {"all", "runs"}  # targets, no work
    return files, sorted(rules), out


@contextlib.contextmanager
def edited(path, old, new):
    """Replace `old` by `new` in a file for the duration of the block."""
    original = path.read_text()
    assert old in original, f"{old!r} not in {path}"
    path.write_text(original.replace(old, new, 1))
    try:
        yield
    finally:
        path.write_text(original)


def test_lint_is_clean(workflow_copy):
    proc = run(["snakemake", "--lint"], cwd=workflow_copy, check=False)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "good condition" in proc.stdout + proc.stderr


@pytest.mark.parametrize("scale", ["tiny", "quick", "paper"])
def test_dry_run_of_all_at_every_scale(workflow_copy, scale):
    files, rules, _ = dry_run(workflow_copy, "--config", f"scale={scale}")
    assert {"figures/fig1.pdf", "figures/fig14.pdf", "tables/summary.md", f"figures/{scale}/fig12.pdf"} <= set(files)
    assert {f"results/{scale}/data/{d}.npz" for d in ["standard", "KLE1000", "mixture"]} <= set(files)
    assert all(f.startswith((f"results/{scale}/", f"figures/{scale}/", f"tables/{scale}/"))
               or re.fullmatch(r"(figures|tables)/\w+\.(pdf|csv|md)", f) for f in files)
    assert {"train", "encode", "metrics", "claims", "claims_table", "rule_calibration", "results_page",
            *FIGURE_RULES} <= set(rules)
    grid = {"tiny": 33, "quick": 33, "paper": 65}[scale]
    assert f"--grid {grid} --terms 1000" in run([*SNAKEMAKE, "-n", "-p", "--config", f"scale={scale}"], cwd=workflow_copy).stdout


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    """A scratch copy with its own package source (first on PYTHONPATH, so it can be edited), with
    everything of the tiny scale built."""
    root = tmp_path_factory.mktemp("workflow")
    for name in ("Snakefile", "config.yaml"):
        shutil.copy(REPO / name, root / name)
    for name in ("workflow", "profiles", "envs", "src"):
        shutil.copytree(REPO / name, root / name)
    env = {"PYTHONPATH": str(root / "src")}
    proc = run([*SNAKEMAKE, "--config", "scale=tiny"], cwd=root, env=env)
    return root, env, proc


def plan(built, *args):
    root, env, _ = built
    return dry_run(root, "--config", "scale=tiny", *args, env=env)


def test_tiny_scale_end_to_end(built):
    root, _, proc = built
    assert "(100%) done" in proc.stderr
    for number in (1, *range(3, 16)):
        figure = root / f"figures/fig{number}.pdf"
        assert figure.read_bytes() == (root / f"figures/tiny/fig{number}.pdf").read_bytes()
        assert b"package_version" in figure.read_bytes()  # provenance in the PDF metadata
    arrays, prov = load_dataset(root / "results/tiny/data/mixture.npz")
    assert arrays["fields"].shape == (80, 3, 33, 33) and np.all(np.isfinite(arrays["fields"]))
    assert prov["params"]["theta"] == "mixture" and prov["params"]["seed"] == 6
    assert prov["params"]["kle_params"]["grid"] == 33 and prov["params"]["kle_params"]["correlation_length"] == 0.1
    # one log per job, with the tool's progress in it
    assert "80/80 samples" in (root / "results/tiny/logs/data/mixture.log").read_text()
    assert "leading eigenvalues" in (root / "results/tiny/logs/kle/terms1000.log").read_text()
    log = (root / "results/tiny/logs/train/semi_supervised/labels2_seed0.log").read_text()
    assert "samples/s" in log and "ETA" in log and "prior scaled" in log
    # every run trained (history per epoch), encoded, scored, gathered
    run_dir = root / "results/tiny/runs/semi_supervised/labels2_seed0"
    assert len((run_dir / "history.csv").read_text().splitlines()) == 1 + 2
    latents = np.load(run_dir / "latents.npz")
    assert latents["mu_test"].shape == (32, 2) and latents["reconstruction_examples"].shape == (4, 3, 33, 33)
    table = (root / "results/tiny/tables/beta_sweep.csv").read_text().splitlines()
    assert [row.split(",")[1] for row in table[1:]] == ["beta10_seed0", "beta0.1_seed0"]
    directions = (root / "results/tiny/landscape/standard/seed0/directions_2.csv").read_text().splitlines()
    assert directions[0] == "direction,alpha,loss" and {row.split(",")[0] for row in directions[1:]} == {"2", "3"}
    # the claims judged, and the summary tables with the paper's claim next to them
    claims = (root / "tables/claims.md").read_text()
    assert "scale `tiny`" in claims and all(f"| C{i} |" in claims for i in (1, 4, 7, 12, "14a"))
    assert "undecidable at 1 trial" in claims  # one trial decides nothing, and the table says so
    calibration = (root / "tables/verdict_calibration.md").read_text()
    assert "scale `tiny`" in calibration and "| C12 |" in calibration
    # the results page, written by a rule from those tables: every claim with the verdict the table has
    page = (root / "results/tiny/RESULTS.md").read_text()
    assert all(f"| {row['id']} | {row['claim']} |" in page and f"| {row['verdict']} |" in page
               for row in load_rows([root / "tables/claims.csv"]))
    assert "## Lennard-Jones anomaly detection" in page and "core-minutes in 10 runs" in page
    summary = (root / "tables/summary.md").read_text()
    assert "scale `tiny`" in summary and "The paper claims:" in summary and "| mixture_hierarchical |" in summary
    assert "many beta between 5 and 100" in (root / "tables/betas.md").read_text()
    # the Lennard-Jones study: samples, model, scores, table, figures
    for name in LJ_FIGURES:
        assert (root / f"figures/{name}.pdf").read_bytes() == (root / f"figures/tiny/{name}.pdf").read_bytes()
    assert "40/40 replicas" in (root / "results/tiny/logs/lj/sample_group_gamma0.4.log").read_text()
    assert len((root / "results/tiny/lj/group/model/history.csv").read_text().splitlines()) == 1 + 2
    anomaly = (root / "tables/lj_anomaly.md").read_text()
    for row in ["| control gamma 0.55 | 20 |", "| gamma 3 | 20 |", "| fake potential | 20 |", "| uniform random | 20 |",
                "| displaced 0.2 |", "| displaced 0.01 |", "| blacked-out 6x6 |"]:
        assert row in anomaly
    assert plan(built)[0] == []  # built: nothing more to do


def test_no_figure_prints_text_over_text(built):
    """Every figure is checked as it is saved (fieldvae.core.style.overlapping_texts) and names any two
    texts of one axes drawn over each other in its log; at tiny, none does."""
    logs = sorted((built[0] / "results/tiny/logs/figures").glob("*.log"))
    assert len(logs) >= 20 and all("wrote figures/tiny/" in log.read_text() for log in logs if "publish" not in log.name)
    assert [line for log in logs for line in log.read_text().splitlines() if "overlapping text" in line] == []


def test_killed_workflow_rebuilds_every_result_bit_identical(built, tmp_path):
    """kill -9 of Snakemake and all its jobs at 5 random moments, each followed by what the README says
    to do (unlock, rerun): every dataset, model, latents file, score and table equals the uninterrupted
    build's, and no partial file or checkpoint is left. The kill moments are printed for a replay with
    tests/workflow_crash.py."""
    root = workflow_crash.workflow_tree(tmp_path / "crashed")
    moments = workflow_crash.build_with_kills(root, [*SNAKEMAKE, "--config", "scale=tiny"], kills=5, seed=2026,
                                              longest=40.0)
    print(f"kill moments (seed 2026): {moments}")
    assert workflow_crash.differences(built[0], root) == []


def test_report_holds_every_figure_and_table_with_caption_and_scale(built):
    root, env, _ = built
    run(["snakemake", "--report", "report.html", "--config", "scale=tiny"], cwd=root, env=env)
    html = (root / "report.html").read_text()
    names = set(re.findall(r'"name": "((?:fig\d+|claims|summary|labels|betas|lj_\w+)\.(?:pdf|csv))"', html))
    assert names == ({f"fig{n}.pdf" for n in (1, *range(3, 16))} | {f"{name}.pdf" for name in LJ_FIGURES}
                     | {"claims.csv", "summary.csv", "labels.csv", "betas.csv", "lj_anomaly.csv"})
    assert html.count("tiny</tt>") == 28 and html.count("The paper claims:") == 3
    assert "Verdict calibration" in html and "The results page of the build" in html
    assert "The disentangled rule on synthetic codes of known angle" in html


def test_switching_scale_plans_only_that_scale(built):
    files, _, _ = plan(built, "scale=quick")
    assert files and not [f for f in files if "tiny" in f]


def test_dataset_parameter_reruns_that_dataset_and_its_figure(built):
    config = built[0] / "config.yaml"
    with edited(config, "theta: standard,   seed: 2", "theta: standard,   seed: 12"):
        files, _, _ = plan(built)
    # and the results page, which times the build from the datasets
    assert sorted(files) == ["figures/fig1.pdf", "figures/tiny/fig1.pdf", "results/tiny/RESULTS.md",
                             "results/tiny/data/KLE10.npz"]


@contextlib.contextmanager
def code_edited(built, *modules):
    """A statement added to each module (a change of code, not of comments) for the block."""
    with contextlib.ExitStack() as stack:
        for module in modules:
            path = built[0] / "src" / (module.replace(".", "/") + ".py")
            stack.enter_context(edited(path, "\nfrom __future__ import annotations\n",
                                       "\nfrom __future__ import annotations\n\nEDITED = True\n"))
        yield


def planned_figures(files):
    return sorted(f.split("/")[-1].removesuffix(".pdf") for f in files if f.startswith("figures/tiny/"))


def test_comments_and_docstrings_rerun_nothing(built):
    root = built[0] / "src/fieldvae"
    with (edited(root / "core/trainer.py", '"""The one training loop', '"""Reworded. The one training loop'),
          edited(root / "core/metrics/s_d.py", "\nimport ", "\n# a new comment\nimport "),
          edited(root / "vae/models/priors/hierarchical.py", "\n\nfrom __future__", "\n\n\nfrom __future__")):
        files, rules, out = plan(built)
    assert files == [] and rules == [], out


def test_plotting_code_reruns_that_figure_only(built):
    with code_edited(built, "fieldvae.paper.plotting.fig4"):
        files, rules, _ = plan(built)
    assert rules == ["figure", "publish_figure"] and planned_figures(files) == ["fig4"]


NEW_FIGURE = '''"""A figure added by a test: S_D of every run of the standard experiment."""

from __future__ import annotations

import matplotlib.pyplot as plt

from fieldvae.core import style
from fieldvae.core.io import load_rows

CAPTION = """**The added figure** (scale ``{scale}``): S_D of every run of the standard experiment."""


def from_files(files: dict, options: dict) -> plt.Figure:
    style.apply()
    fig, ax = plt.subplots(figsize=(3, 2))
    ax.plot([row["s_d"] for row in load_rows(files["table"])], "o")
    ax.set_ylabel("$S_D$")
    return fig
'''
NEW_ENTRY = '    "fig_added": figure_entry("fig_added", lambda w: {"table": [f"results/{w.scale}/tables/standard.csv"]}),\n'


def test_a_figure_is_one_registry_entry_and_one_module(built):
    """A figure added with one entry of the registry and one plotting module builds, is captioned in
    the report from its module, and is all an edit of that module reruns."""
    root, env, _ = built
    module = root / "src/fieldvae/paper/plotting/fig_added.py"
    module.write_text(NEW_FIGURE)
    try:
        with edited(root / "workflow/rules/figure_registry.smk", "FIGURES = {\n", "FIGURES = {\n" + NEW_ENTRY):
            run([*SNAKEMAKE, "figures/fig_added.pdf", "--config", "scale=tiny"], cwd=root, env=env)
            assert (root / "figures/tiny/fig_added.pdf").stat().st_size > 1000
            assert plan(built)[1] == []
            run(["snakemake", "figures/fig_added.pdf", "--report", "added.zip", "--config", "scale=tiny"], cwd=root, env=env)
            with zipfile.ZipFile(root / "added.zip") as report:
                text = " ".join(report.read(name).decode(errors="replace") for name in report.namelist()
                                if name.endswith((".html", ".js")))
            assert "The added figure" in text and "S_D of every run of the standard experiment" in text
            with code_edited(built, "fieldvae.paper.plotting.fig_added"):
                files, rules, _ = plan(built)
            assert rules == ["figure", "publish_figure"] and planned_figures(files) == ["fig_added"]
    finally:
        module.unlink()


S_D_FIGURES = ["fig10", "fig11", "fig12", "fig13", "fig14", "fig15", "fig4", "fig5", "fig6", "fig8", "fig9"]


def test_s_d_code_reruns_metrics_tables_and_the_figures_showing_it_only(built):
    with code_edited(built, "fieldvae.core.metrics.s_d"):
        files, rules, _ = plan(built)
    assert {"metrics", "metrics_table", "claims", "claims_table", "rotation", "landscape_between"} <= set(rules)
    assert not {"train", "encode", "landscape_lines", "landscape_directions"} & set(rules)
    assert not [r for r in rules if r.startswith("lj_")]
    assert planned_figures(files) == S_D_FIGURES  # not fig1, fig3 or fig7, which do not show S_D


def test_one_priors_code_retrains_only_its_runs(built):
    with code_edited(built, "fieldvae.vae.models.priors.hierarchical"):
        files, rules, _ = plan(built)
    trained = sorted({f.split("/")[3] for f in files if f.endswith("model.pt")})
    assert trained == ["mixture_hierarchical", "shifted_hierarchical"]
    assert "landscape_lines" not in rules and "lj_train" not in rules  # the landscape is of a standard-prior run


def test_landscape_protocol_reruns_figures_3_and_5_only(built):
    with code_edited(built, "fieldvae.vae.landscape"):
        files, rules, _ = plan(built)
    assert {"landscape_lines", "landscape_directions", "landscape_between", "claims"} <= set(rules)
    assert "train" not in rules and "metrics" not in rules
    assert planned_figures(files) == ["fig3", "fig5"]


def test_anomaly_set_construction_reruns_lj_scores_table_and_anomaly_figure_only(built):
    with code_edited(built, "fieldvae.lj.anomaly_sets"):
        files, rules, _ = plan(built)
    # the uniform configurations are an anomaly set too (fieldvae.lj.anomaly_sets.uniform_configurations)
    assert rules == ["figure", "lj_score", "lj_table", "lj_uniform", "publish_figure", "publish_table", "results_page"]
    assert planned_figures(files) == ["lj_anomaly"]


def test_lj_sampler_code_resamples_and_retrains_lj_only(built):
    with code_edited(built, "fieldvae.lj.sampler"):
        rules = plan(built)[1]
    assert set(rules) == {"lj_sample", "lj_fake", "lj_train", "lj_encode", "lj_score", "lj_table",
                          "figure", "publish_figure", "publish_table", "results_page"}


def test_shared_trainer_code_retrains_both_studies(built):
    with code_edited(built, "fieldvae.core.trainer"):
        files, rules, _ = plan(built)
    assert {"train", "encode", "metrics", "rotation", "landscape_lines", "landscape_directions",
            "landscape_between", "lj_train"} <= set(rules) and "dataset" not in rules and "kle" not in rules
    assert sum(f.endswith("model.pt") for f in files) == 12  # every run, and the LJ model of each protocol


def test_shared_schedule_reruns_the_experiments_that_use_it(built):
    config = built[0] / "config.yaml"
    with edited(config, "hierarchical:    {epochs: 2, recon_epochs: 1", "hierarchical:    {epochs: 3, recon_epochs: 1"):
        files, _, _ = plan(built)
    trained = sorted({f.split("/")[3] for f in files if f.endswith("model.pt")})
    assert trained == ["mixture_hierarchical", "shifted_hierarchical"]


def test_one_experiments_hyperparameter_reruns_only_that_experiment(built):
    config = built[0] / "config.yaml"
    with edited(config, "schedule: plain}         # fig 11", "schedule: plain, training: {beta0: 1.0e-9}}  # fig 11"):
        files, _, _ = plan(built)
    assert sorted({f for f in files if "/runs/" in f}) == [
        f"results/tiny/runs/mixture/seed0/{name}" for name in ("history.csv", "latents.npz", "metrics.json", "model.pt")]


def test_adding_a_seed_trains_only_the_new_seed(built):
    config = built[0] / "config.yaml"
    with edited(config, "trials: 1 ", "trials: 2 "):
        files, _, _ = plan(built)
    models = [f for f in files if f.endswith("model.pt")]
    assert len(models) == 8 and all("seed1" in f for f in models)  # standard has 2 trials already


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


def test_experiments_the_figures_need_are_checked(workflow_copy):
    config = workflow_copy / "config.yaml"
    config.write_text(config.read_text().replace("  beta_sweep: ", "  beta_sweeps: "))
    proc = run([*SNAKEMAKE, "-n"], cwd=workflow_copy, check=False)
    assert proc.returncode != 0
    assert "config key 'experiments.beta_sweep': the figures need this experiment with sweep: betas" in proc.stdout + proc.stderr


def test_protocol_study_builds_its_table_and_figure_apart_from_the_default_target(built):
    """The study's experiments train under their protocols and its table tests each cell (one seed
    and one pair here; the study proper is 10 seeds of two pairs)."""
    root, env, _ = built
    config = root / "config.yaml"
    with (edited(config, "  trials: 10\n  pairs:", "  trials: 1\n  pairs:"),
          edited(config, "    shifted: [shifted, shifted_hierarchical]\n", "")):
        run([*SNAKEMAKE, "figures/protocol_study.pdf", "figures/protocol_study_angles.pdf", "tables/protocol_study.md",
             "--config", "scale=tiny"], cwd=root, env=env)
    rows = load_rows([root / "tables/tiny/protocol_study.csv"])
    assert [(r["protocol"], r["data"]) for r in rows] == [
        (p, "mixture") for p in ("scale", "short_recon", "paper_phases", "long_recon_2x", "same_schedule")]
    assert all(r["standard_n"] == r["hierarchical_n"] == 1 and r["core_minutes"] > 0 for r in rows)
    assert not (root / "results/tiny/runs/mixture~scale").exists()  # the `scale` cell reads tiny's own runs
    history = load_rows([root / "results/tiny/runs/mixture~long_recon_2x/seed0/history.csv"])
    assert len(history) == 4  # tiny's 2 plain epochs, twice
    # same_schedule: the standard prior trains the hierarchical schedule; the hierarchical prior's runs are tiny's own
    assert (root / "results/tiny/runs/mixture~same_schedule/seed0/model.pt").exists()
    assert not (root / "results/tiny/runs/mixture_hierarchical~same_schedule").exists()
    assert (root / "figures/protocol_study.pdf").stat().st_size > 0
    log = (root / "results/tiny/logs/figures/protocol_study_angles.log").read_text()
    assert "mixture, hierarchical:" in log and (root / "figures/protocol_study_angles.pdf").stat().st_size > 0
    assert plan(built)[1] == []  # the default target does not include the study


def test_objectives_study_builds_its_table_and_figure_apart_from_the_default_target(built):
    """Every objective of the study trains at its weights (one seed at tiny), and its table tests each
    arm against the hierarchical prior; the default target does not include it."""
    root, env, _ = built
    run([*SNAKEMAKE, "figures/objectives_study.pdf", "tables/objectives_study.md", "--config", "scale=tiny"],
        cwd=root, env=env)
    rows = load_rows([root / "tables/tiny/objectives_study.csv"])
    study = yaml.safe_load((root / "config.yaml").read_text())["objectives_study"]
    arms = [f"{o} {w:g}" for o, weights in study["weights"].items() for w in weights]
    assert [r["arm"] for r in rows if r["data"] == "mixture"] == ["standard prior", "hierarchical prior", *arms]
    assert all(r["runs"] == 1 for r in rows)
    history = load_rows([root / "results/tiny/runs/mixture~factorvae6/seed0/history.csv"])
    assert all(h["penalty"] != 0 for h in history)
    md = (root / "tables/tiny/objectives_study.md").read_text()
    assert md.startswith("# Objectives study (tiny scale)\n\nOn mixture data, ") and "undecidable at 1 vs 1 trials" in md
    assert (root / "figures/objectives_study.pdf").stat().st_size > 0
    assert plan(built)[1] == []
