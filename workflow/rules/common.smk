# Names, wildcard constraints and input functions shared by all rules.
import json
import re

from fieldvae.provenance import code_fingerprint

SCALE = config["scale"]
# Fingerprints of the code each kind of step runs: editing it reruns those steps and what follows.
CODE = {
    "data": code_fingerprint("fieldvae.darcy", "fieldvae.kle", "fieldvae.theta", "fieldvae.dataset"),
    "training": code_fingerprint("fieldvae.models", "fieldvae.training"),
    "encode": code_fingerprint("fieldvae.models", "fieldvae.encode"),
    "metrics": code_fingerprint("fieldvae.metrics", "fieldvae.evaluate", "fieldvae.tables"),
    "figures": code_fingerprint("fieldvae.plotting"),
}
FIGURES = ["fig1"]
# A run of an experiment: its seed, and the sweep value when the experiment sweeps beta or labels.
RUN_PATTERN = r"(?:beta([0-9.e+-]+)_|labels(\d+)_)?seed(\d+)"  # groups: beta, labels, seed
RUN_PREFIX = {"betas": "beta", "labels": "labels"}  # sweep name -> run-id prefix


wildcard_constraints:
    scale="|".join(config["scales"]),
    dataset="|".join(config["datasets"]),
    terms=r"\d+",
    figure="|".join(FIGURES),
    experiment="|".join(config["experiments"]),
    run=RUN_PATTERN,


def preset(wildcards):
    """The scale preset (grid and sample counts) that a job is built at."""
    return config["scales"][wildcards.scale]


def kle_file(wildcards):
    terms = config["datasets"][wildcards.dataset]["kle_terms"]
    return f"results/{wildcards.scale}/kle/terms{terms}.npz"


def run_ids(scale, experiment):
    """Every run of an experiment at a scale: trials x sweep values."""
    preset = config["scales"][scale]
    sweep = config["experiments"][experiment].get("sweep")
    prefixes = [""] if sweep is None else [f"{RUN_PREFIX[sweep]}{v}_" for v in preset["sweeps"][sweep]]
    return [f"{p}seed{seed}" for p in prefixes for seed in range(preset["trials"])]


def training_settings(wildcards):
    """TrainingConfig fields of a run, as JSON: the experiment's schedule plus the run's sweep value."""
    beta, labels, _ = re.fullmatch(RUN_PATTERN, wildcards.run).groups()
    settings = dict(config["scales"][wildcards.scale]["schedules"][config["experiments"][wildcards.experiment]["schedule"]])
    if beta is not None:
        settings["fixed_beta"] = float(beta)
    if labels is not None:
        settings["labels"] = int(labels)
    return json.dumps(settings)


def model_settings(wildcards):
    """ModelConfig fields of a run, as JSON: the shared widths plus the experiment's prior."""
    return json.dumps({**config["model"], "prior": config["experiments"][wildcards.experiment]["prior"]})


def run_seed(wildcards):
    return int(re.fullmatch(RUN_PATTERN, wildcards.run).group(3))


def experiment_data(wildcards):
    return f"results/{wildcards.scale}/data/{config['experiments'][wildcards.experiment]['dataset']}.npz"


def default_targets():
    """Every dataset and figure of the configured scale, figures also under figures/ directly."""
    return [
        *expand("results/{scale}/data/{dataset}.npz", scale=SCALE, dataset=config["datasets"]),
        *expand("figures/{figure}.pdf", figure=FIGURES),
    ]
