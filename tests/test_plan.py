"""The run plan is the one place the configuration becomes runs: every experiment's trials times its
sweep, each run with the settings it trains with, looked up by the workflow's wildcards."""

import copy
import json

import pytest
from conftest import REPO

from fieldvae.config import load_yaml
from fieldvae.paper import plan

CONFIG = load_yaml(REPO / "config.yaml")


def test_every_experiment_has_its_trials_times_its_sweep():
    quick = CONFIG["scales"]["quick"]
    runs = [r for r in plan.plan(CONFIG, "quick") if r.experiment in CONFIG["experiments"]]
    for name, experiment in CONFIG["experiments"].items():
        values = quick["sweeps"][experiment["sweep"]] if "sweep" in experiment else [None]
        trials = quick.get("experiment_trials", {}).get(name, quick["trials"])
        assert len([r for r in runs if r.experiment == name]) == len(values) * trials, name
    assert len({(r.experiment, r.id) for r in runs}) == len(runs)


def test_a_run_trains_with_its_own_sweep_value_and_schedule():
    lookup = plan.Lookup(CONFIG)
    beta = lookup.run("quick", "beta_sweep", "beta0.1_seed2")
    assert (beta.beta, beta.labels, beta.seed, beta.prior) == (0.1, None, 2, "standard")
    assert beta.training["fixed_beta"] == 0.1 and "labels" not in beta.training
    assert beta.training["epochs"] == CONFIG["scales"]["quick"]["schedules"]["plain"]["epochs"]
    labelled = lookup.run("quick", "semi_supervised", "labels6_seed0")
    assert labelled.labels == 6 and labelled.training["labels"] == 6 and "fixed_beta" not in labelled.training
    assert labelled.model == {**CONFIG["model"], "prior": "scaled"}
    with pytest.raises(ValueError, match="no run beta_sweep/beta7_seed0 in the plan of scale 'quick'"):
        lookup.run("quick", "beta_sweep", "beta7_seed0")


def test_protocol_study_runs_train_the_protocols_schedule():
    runs = [r for r in plan.plan(CONFIG, "quick") if r.protocol == "same_schedule"]
    assert runs and all(r.training["epochs"] == CONFIG["scales"]["quick"]["schedules"]["hierarchical"]["epochs"]
                        for r in runs if r.prior == "standard")
    assert len({r.seed for r in runs}) == CONFIG["protocol_study"]["trials"]


def test_the_one_percent_label_count_and_its_error():
    assert plan.one_percent_labels(CONFIG, "quick") == 6
    config = copy.deepcopy(CONFIG)
    config["scales"]["quick"]["sweeps"]["labels"] = [1, 4]
    with pytest.raises(ValueError, match=r"config key 'scales.quick.sweeps.labels': figure 15 needs a label count"):
        plan.one_percent_labels(config, "quick")


def test_training_settings_are_the_strings_the_runs_were_trained_with():
    """The rule train passes these as JSON; a change of the string retrains the run, so it is pinned."""
    lookup = plan.Lookup(CONFIG)
    assert json.dumps(lookup.run("quick", "beta_sweep", "beta10_seed0").training) == (
        '{"epochs": 180, "recon_epochs": 112, "lr": [[0, 0.002]], "batch_size": 64, "logvar_lr_factor": 10, '
        '"checkpoint_every": 10, "fixed_beta": 10.0, "compile": false}')
    assert json.dumps(lookup.run("quick", "semi_supervised", "labels6_seed1").training) == (
        '{"epochs": 180, "recon_epochs": 60, "lr": [[0, 0.002]], "batch_size": 64, "logvar_lr_factor": 10, '
        '"checkpoint_every": 10, "labels": 6, "compile": false}')
