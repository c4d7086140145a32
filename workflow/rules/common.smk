# Names, wildcard constraints and input functions shared by all rules.
import json
import shlex

from fieldvae.core.field_file import split_sizes
from fieldvae.core.fingerprint import code_fingerprint, command_fingerprint, module_string
from fieldvae.figure_command import module_name as figure_module
from fieldvae.paper import objectives_study, plan, protocol_study
from fieldvae.paper import run_ids as runs
from fieldvae.vae.models.priors import prior_module
from fieldvae.vae.objectives import OBJECTIVES
from fieldvae.paper.summary import TABLES, own_table

SCALE = config["scale"]
COMPILE_CACHE = "results/compile_cache"  # Inductor's kernels, shared by every training job of every scale
# Every run comes from the run plan (fieldvae.paper.plan); the protocol study's experiments
# (<experiment>~<protocol>) are in it and train like any other, while the claims, tables and `runs`
# take config["experiments"].
PLAN = plan.Lookup(config)
EXPERIMENTS = plan.experiments(config)
STUDY = config.get("protocol_study")
SCHEDULES = {name: e["schedule"] for name, e in config["experiments"].items()}  # the study's cells look them up
# Datasets read from a user's file (datasets.<name>.file), and the experiments on them: each has its own
# figures and table, figures/<experiment>/*.pdf and tables/<experiment>/summary.* (own_fields.smk).
FILE_DATASETS = [name for name, d in config["datasets"].items() if "file" in d]
DARCY_DATASETS = [name for name in config["datasets"] if name not in FILE_DATASETS]
OWN_EXPERIMENTS = [name for name, e in config["experiments"].items() if e["dataset"] in FILE_DATASETS]


def code(study, command):
    """Fingerprint of the code a rule's command runs: the command's function in
    fieldvae.<study>.cli and everything of the package it imports, computed from the source
    (comments and docstrings aside). Editing that code reruns the rule and what follows."""
    return command_fingerprint(f"fieldvae.{study}.cli", command)


PRIOR_CODE = {prior: code_fingerprint(prior_module(prior)) for prior in {e["prior"] for e in config["experiments"].values()}}


def model_code(command, experiment=None):
    """`code` of a command that runs a trained DenseVAE, plus its experiment's prior: priors are
    loaded by name, so editing one prior reruns only the runs that use it. Both fingerprints are
    computed once, not per job."""
    command_code = code("vae", command)

    def fingerprint(wildcards):
        return f"{command_code}-{PRIOR_CODE[EXPERIMENTS[experiment or wildcards.experiment]['prior']]}"

    return fingerprint


OBJECTIVE_CODE = {name: code_fingerprint(module) for name, module in OBJECTIVES.items() if module}
TRAIN_CODE = model_code("_train")


def train_code(wildcards):
    """model_code of a training job, plus its objective's own module where it has one (objectives are
    loaded by name, so editing one retrains only its runs)."""
    objective = the_run(wildcards).training.get("objective", "paper")
    return TRAIN_CODE(wildcards) + (f"-{OBJECTIVE_CODE[objective]}" if objective in OBJECTIVE_CODE else "")


# The data sets the disentangled decision is calibrated on: every one an experiment trains on.
CALIBRATED_DATASETS = sorted({e["dataset"] for e in config["experiments"].values()})
PUBLISHED_TABLES = ["claims", "verdict_calibration", *TABLES, "lj_anomaly"]


wildcard_constraints:
    scale="|".join(config["scales"]),
    dataset="|".join(config["datasets"]),
    own_experiment="|".join(OWN_EXPERIMENTS) or "(?!)",  # (?!): matches nothing
    own_figure="overview|label_sweep",
    terms=r"\d+",
    first=r"\d+",
    table="|".join(TABLES),
    published="|".join([*PUBLISHED_TABLES, "protocol_study", "objectives_study"]),
    protocol="group|equilibrated",
    gamma=r"\d+(\.\d+)?",
    experiment="|".join(EXPERIMENTS),
    run=runs.PATTERN,


def preset(wildcards):
    """The scale preset (grid and sample counts) that a job is built at."""
    return config["scales"][wildcards.scale]


def n_train(scale, dataset):
    """Training-set size of a dataset at a scale: the scale's for Darcy data, the split's for a file."""
    entry = config["datasets"][dataset]
    return split_sizes(entry)["train"] if "file" in entry else config["scales"][scale]["n_train"]


def kle_file(wildcards):
    terms = config["datasets"][wildcards.dataset]["kle_terms"]
    return f"results/{wildcards.scale}/kle/terms{terms}.npz"


def run_ids(scale, experiment):
    """Every run of an experiment at a scale, by its folder name."""
    return [run.id for run in PLAN.runs(scale, experiment)]


def the_run(wildcards):
    """The planned run a job is about."""
    return PLAN.run(wildcards.scale, wildcards.experiment, wildcards.run)


def training_settings(wildcards):
    """TrainingConfig fields of a run, as JSON."""
    return json.dumps(the_run(wildcards).training)


def model_settings(wildcards):
    """ModelConfig fields of a run, as JSON."""
    return json.dumps(the_run(wildcards).model)


def run_seed(wildcards):
    return the_run(wildcards).seed


def experiment_data(wildcards):
    return f"results/{wildcards.scale}/data/{EXPERIMENTS[wildcards.experiment]['dataset']}.npz"


def theta_option(wildcards):
    """S_KL's reference: a Darcy dataset's p(theta); a file dataset's own training factors (no option)."""
    entry = config["datasets"][EXPERIMENTS[wildcards.experiment]["dataset"]]
    return f"--theta-distribution {entry['theta']}" if "theta" in entry else ""


def run_dirs(scale, experiment, label_count=None):
    """Folders of an experiment's runs; for a label sweep optionally only one label count."""
    runs_ = [run for run in PLAN.runs(scale, experiment) if label_count is None or run.labels == label_count]
    return [f"results/{scale}/runs/{experiment}/{run.id}" for run in runs_]


def landscape_options(wildcards):
    """Command-line options of the landscape commands at a scale."""
    ls = config["scales"][wildcards.scale]["landscape"]
    return f"--points {ls['points']} --latent-samples {ls['latent_samples']} --samples {ls['samples']}"


def direction_chunks(scale, run_dir):
    ls = config["scales"][scale]["landscape"]
    return [f"{run_dir}/directions_{first}.csv" for first in range(0, ls["directions"], ls["chunk"])]


def landscape_dir(scale, index=0):
    """Landscape folder of the standard experiment's run number `index`."""
    return f"results/{scale}/landscape/standard/{run_ids(scale, 'standard')[index]}"


# C11 is about the standard prior N(0, I) (the claim's subject) and figure 10's hierarchical-prior runs
ROTATED = ("standard", "mixture_hierarchical")


def claims_inputs(wildcards):
    """Everything the claims table judges: every experiment's table, the landscape of figures 3 and
    5, and the rotation study of figure 10."""
    run_dir = landscape_dir(wildcards.scale)
    return {
        "tables": [f"results/{wildcards.scale}/tables/{e}.csv" for e in config["experiments"]],
        "lines": f"{run_dir}/lines.csv",
        "directions": direction_chunks(wildcards.scale, run_dir),
        "between": f"results/{wildcards.scale}/landscape/standard/between.csv",
        "rotations": [f"{d}/rotation.csv" for e in ROTATED for d in run_dirs(wildcards.scale, e)],
        "rule_null": f"results/{wildcards.scale}/tables/rule_null.csv",
    }


def table_inputs(wildcards):
    """The per-experiment metrics tables a claims table summarises."""
    wanted = TABLES[wildcards.table]["experiments"] or config["experiments"]
    return [f"results/{wildcards.scale}/tables/{e}.csv" for e in wanted]


def protocol_study_inputs(wildcards):
    """The metrics table of every experiment the study's cells read (the scale's own for a protocol
    without changes), and the benchmark of every training job of them."""
    experiments = protocol_study.cell_experiments(STUDY, SCHEDULES)
    return {
        "tables": [f"results/{wildcards.scale}/tables/{e}.csv" for e in experiments],
        "benchmarks": [
            f"results/{wildcards.scale}/benchmarks/train/{e}/{r}.tsv"
            for e in experiments
            for r in run_ids(wildcards.scale, e)
        ],
    }


def objectives_study_inputs(wildcards):
    """The metrics table of every experiment the objectives study reads (its own arms and the scale's
    runs it compares them with), and the benchmark of every training job of them."""
    experiments = objectives_study.read_experiments(config["objectives_study"])
    return {
        "tables": [f"results/{wildcards.scale}/tables/{e}.csv" for e in experiments],
        "benchmarks": [
            f"results/{wildcards.scale}/benchmarks/train/{e}/{r}.tsv" for e in experiments for r in run_ids(wildcards.scale, e)
        ],
    }


def own_targets():
    """The figures and table of every experiment on a user's own fields; the label sweep's figure only
    for a label sweep."""
    targets = []
    for experiment in OWN_EXPERIMENTS:
        kinds = ["overview", "label_sweep"] if config["experiments"][experiment].get("sweep") == "labels" else ["overview"]
        targets += expand("figures/{experiment}/{kind}.pdf", experiment=experiment, kind=kinds)
        targets += expand("tables/{experiment}/summary.{ext}", experiment=experiment, ext=["csv", "md"])
    return targets


def results_page_inputs(wildcards):
    """The tables the results page shows, the datasets it times the build from, and the benchmark of
    every training job (the protocol study's too, where the page includes it)."""
    experiments = list(config["experiments"])
    inputs = {
        "claims": f"tables/{wildcards.scale}/claims.csv",
        "lj_table": f"tables/{wildcards.scale}/lj_anomaly.md",
        "datasets": expand("results/{scale}/data/{dataset}.npz", scale=wildcards.scale, dataset=config["datasets"]),
    }
    if config["results_page"]["protocol_study"]:
        inputs["protocol_study"] = f"tables/{wildcards.scale}/protocol_study.md"
        experiments += [e for e in protocol_study.cell_experiments(STUDY, SCHEDULES) if e not in experiments]
    inputs["benchmarks"] = [
        f"results/{wildcards.scale}/benchmarks/train/{e}/{r}.tsv" for e in experiments for r in run_ids(wildcards.scale, e)
    ]
    return inputs


def default_targets():
    """Every dataset, figure and table of the configured scale, and its results page; figures and
    tables also under figures/ and tables/ directly."""
    return [
        *expand("results/{scale}/data/{dataset}.npz", scale=SCALE, dataset=config["datasets"]),
        f"results/{SCALE}/RESULTS.md",
        *expand("figures/{figure}.pdf", figure=DEFAULT_FIGURES),
        *expand("tables/{table}.{ext}", table=PUBLISHED_TABLES, ext=["csv", "md"]),
        *own_targets(),
    ]


# The Lennard-Jones study (lj.smk).
LJ = config["lj"]


def lj_gamma_files(scale, protocol, gammas):
    return [f"results/{scale}/lj/samples/{protocol}_gamma{g:g}.npz" for g in gammas]


def lj_training_files(wildcards):
    return lj_gamma_files(wildcards.scale, wildcards.protocol, LJ["gammas"])


def lj_sample_size(wildcards):
    """Configurations per training gamma; the control and unseen gammas are anomaly-sized sets."""
    size = preset(wildcards)["lj"]
    return size["samples"] if float(wildcards.gamma) in LJ["gammas"] else size["anomaly_samples"]


def lj_sweeps(wildcards, sweeps=None):
    """`--sweeps N` where the scale overrides the protocol's sweeps (smoke runs), else the given count."""
    sweeps = preset(wildcards)["lj"].get("sweeps", sweeps)
    return f"--sweeps {sweeps}" if sweeps else ""


def lj_anomaly_files(wildcards):
    """The sampled anomaly sets of a protocol's model (the fake potential and uniform sets are shared)."""
    samples = f"results/{wildcards.scale}/lj/samples"
    protocol = wildcards.protocol
    return {
        f"control gamma {LJ['control_gamma']:g}": f"{samples}/{protocol}_gamma{LJ['control_gamma']:g}.npz",
        f"gamma {LJ['unseen_gamma']:g}": f"{samples}/{protocol}_gamma{LJ['unseen_gamma']:g}.npz",
        "fake potential": f"{samples}/fake.npz",
        "uniform random": f"{samples}/uniform.npz",
    }


def lj_protocol_files(scale, name):
    """`PROTOCOL=FILE` of every protocol's model output `name` (scores.npz, latents.npz)."""
    return {protocol: f"results/{scale}/lj/{protocol}/{name}" for protocol in LJ["protocols"]}
