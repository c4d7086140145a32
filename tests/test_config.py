"""Configuration validation: every mistake is reported with its key path and what was expected."""

import copy

import pytest
from conftest import REPO

from fieldvae.config import ConfigError, load_yaml, validate_config

SCHEMA = REPO / "workflow/schemas/config.schema.yaml"


@pytest.fixture
def config():
    return load_yaml(REPO / "config.yaml")


def test_shipped_config_is_valid(config):
    assert validate_config(config, SCHEMA) is config
    assert config["scale"] == "quick" and config["scales"]["paper"]["grid"] == 65


def edit(path, value):
    """An edit of the config: set (or with value=DELETE, remove) the key at a dotted path."""
    def apply(cfg):
        *parents, last = path.split(".")
        node = cfg
        for part in parents:
            node = node[part]
        if isinstance(node, list):
            node[int(last)] = value
        elif value is DELETE:
            del node[last]
        else:
            node[last] = value
    return apply


DELETE = object()

BAD = {
    "misspelt key": (edit("datasets.mixture.kle_term", 2),
                     "config key 'datasets.mixture': unknown key 'kle_term'; expected only kle_terms, seed, theta"),
    "misspelt top-level key": (edit("dataset", {}), "config: unknown key 'dataset'"),
    "missing key": (edit("darcy.well_width", DELETE), "config key 'darcy': missing key 'well_width'"),
    "wrong type": (edit("scales.quick.n_train", "many"), "config key 'scales.quick.n_train': expected an integer, got 'many'"),
    "float for integer": (edit("scales.paper.grid", 65.5), "config key 'scales.paper.grid': expected an integer, got 65.5"),
    "negative count": (edit("scales.tiny.n_labelled", -4), "config key 'scales.tiny.n_labelled': expected a value >= 0, got -4"),
    "zero test set": (edit("scales.tiny.n_test", 0), "config key 'scales.tiny.n_test': expected a value >= 1, got 0"),
    "non-positive length": (edit("darcy.correlation_length", 0), "config key 'darcy.correlation_length': expected a value > 0, got 0"),
    "unknown theta distribution": (edit("datasets.shifted.theta", "uniform"),
                                   "config key 'datasets.shifted.theta': expected one of standard, shifted, mixture, correlated, got 'uniform'"),
    "unknown prior": (edit("experiments.mixture_hierarchical.prior", "hierarchial"),
                      "config key 'experiments.mixture_hierarchical.prior': expected one of standard, scaled, hierarchical, got 'hierarchial'"),
    "unknown dataset in experiment": (edit("experiments.shifted.dataset", "shifed"),
                                      "config key 'experiments.shifted.dataset': unknown dataset 'shifed'; defined: standard"),
    "unknown dataset in figure": (edit("figures.fig1.datasets.2", "KLE99"),
                                  "config key 'figures.fig1.datasets[2]': expected a Darcy dataset (figure 1 shows permeabilities), got 'KLE99'"),
    "one standard run for figure 5": (edit("scales.quick.experiment_trials", {"standard": 1}),
                                      "config key 'scales.quick.experiment_trials.standard': figure 5 needs at least 2 trials"),
    "figure experiment without its sweep": (edit("experiments.beta_sweep.sweep", "labels"),
                                            "config key 'experiments.beta_sweep': the figures need this experiment with sweep: betas"),
    "unknown scale": (edit("scale", "quik"), "config key 'scale': expected one of the defined scales tiny, quick, paper, got 'quik'"),
    "grid not 2^k+1": (edit("scales.quick.grid", 32), "config key 'scales.quick.grid': expected 2^k + 1 nodes per side (9, 17, 33, 65, ...), got 32"),
    "too many KLE terms for the grid": (edit("scales.tiny.grid", 17),
                                        "config key 'datasets.KLE1000.kle_terms': 1000 terms exceed the 289 nodes of the 17 x 17 grid of scale 'tiny'"),
    "sample beyond dataset": (edit("figures.fig1.sample", 80),
                              "config key 'figures.fig1.sample': expected a sample index below 80, the dataset size of scale 'tiny', got 80"),
    "bad dataset name": (edit("datasets.my-data", {"kle_terms": 2, "theta": "standard", "seed": 1}),
                         "config key 'datasets': expected a name of letters, digits and underscores starting with a letter, got 'my-data'"),
    "trials of an unknown experiment": (edit("scales.quick.experiment_trials", {"mixtures": 4}),
                                        "config key 'scales.quick.experiment_trials.mixtures': unknown experiment"),
    "LJ control gamma outside the training range": (edit("lj.control_gamma", 2.0),
        "config key 'lj.control_gamma': expected a gamma between 0.1 and 1 that is not a training gamma, got 2"),
    "LJ unseen gamma inside the training range": (edit("lj.unseen_gamma", 0.5),
        "config key 'lj.unseen_gamma': expected a gamma outside the training range [0.1, 1], got 0.5"),
    "LJ unknown protocol": (edit("lj.protocols", ["group", "long"]), "config key 'lj.protocols"),
    "protocol study pair of an unknown experiment": (edit("protocol_study.pairs.shifted", ["shifted", "shifted_hp"]),
        "config key 'protocol_study.pairs.shifted': unknown experiment 'shifted_hp'; defined: standard"),
    "protocol study schedule misspelt": (edit("protocol_study.protocols.short_recon", {"plian": {"lr_factor": 0.5},
                                                                                      "hierarchical": {"lr_factor": 0.5}}),
        "config key 'protocol_study.protocols.short_recon': expected every schedule the pairs train with "
        "(hierarchical, plain) named, with changes or {} (its runs are the scale's own), or none ({}: the scale's "
        "own runs), got none for plain"),
    "protocol study starting from an unknown schedule": (
        edit("protocol_study.protocols.same_schedule", {"plain": {"schedule": "slow"}, "hierarchical": {}}),
        "config key 'protocol_study.protocols.same_schedule.plain.schedule': 'slow' is not a schedule of scale "
        "tiny, quick, paper"),
    "two protocols that change nothing": (edit("protocol_study.protocols.again", {"plain": {}, "hierarchical": {}}),
        "config key 'protocol_study.protocols': expected at most one protocol without changes (it reads the "
        "scale's own runs), got scale, again"),
    "two protocol study protocols without changes": (edit("protocol_study.protocols.again", {}),
        "config key 'protocol_study.protocols': expected at most one protocol without changes (it reads the "
        "scale's own runs), got scale, again"),
    "well too wide": (edit("darcy.well_width", 0.5), "config key 'darcy.well_width': expected a value < 0.5, got 0.5"),
}


@pytest.mark.parametrize("case", sorted(BAD))
def test_bad_config_is_reported_with_key_and_expectation(config, case):
    change, message = BAD[case]
    bad = copy.deepcopy(config)
    change(bad)
    with pytest.raises(ConfigError) as err:
        validate_config(bad, SCHEMA)
    assert message in str(err.value)


def test_every_problem_is_reported_at_once(config):
    edit("scales.quick.n_train", -1)(config)
    edit("datasets.mixture.theta", "bimodal")(config)
    edit("darcy.source_strength", "ten")(config)
    with pytest.raises(ConfigError) as err:
        validate_config(config, SCHEMA)
    assert len(err.value.problems) == 3


def test_top_level_must_be_a_mapping(tmp_path):
    (tmp_path / "c.yaml").write_text("- just\n- a list\n")
    with pytest.raises(ConfigError, match="expected a mapping"):
        load_yaml(tmp_path / "c.yaml")
