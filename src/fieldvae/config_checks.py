"""The checks across keys of config.yaml that a JSON schema cannot state (a grid of 2^k + 1 nodes,
experiments that name defined datasets and schedules, what the figures need, a file dataset's arrays,
...), run by fieldvae.config.validate_config after the schema, before any job starts."""

from __future__ import annotations

# A generated dataset is held in memory whole, by the job that writes it and by every training job.
MAX_DATASET_BYTES = 4 * 2**30


def cross_check(config: dict) -> list[str]:
    """Every problem across keys of a configuration the schema has passed, each naming its key."""
    problems = []
    scales = config["scales"]
    if config["scale"] not in scales:
        problems.append(f"config key 'scale': expected one of the defined scales {', '.join(scales)}, got {config['scale']!r}")
    problems += _cross_check_grids(config) + _cross_check_experiments(config) + _cross_check_scales(config)
    if "protocol_study" in config:
        problems += _cross_check_protocol_study(config["protocol_study"], config["experiments"], config["scales"])
    if "objectives_study" in config:
        problems += _cross_check_objectives_study(config["objectives_study"], config["experiments"], scales)
    return problems + _cross_check_figures(config) + _cross_check_files(config) + _cross_check_lj(config["lj"], scales)


def _cross_check_grids(config: dict) -> list[str]:
    """Each scale's grid, and what its size allows: KLE terms, dataset bytes, figure 1's sample."""
    problems = []
    datasets = config["datasets"]
    for name, preset in config["scales"].items():
        n = preset["grid"]
        if (n - 1) & (n - 2):
            problems.append(f"config key 'scales.{name}.grid': expected 2^k + 1 nodes per side (9, 17, 33, 65, ...), got {n}")
            continue
        for dname, d in datasets.items():
            if "kle_terms" in d and d["kle_terms"] > n * n:
                problems.append(f"config key 'datasets.{dname}.kle_terms': {d['kle_terms']} terms exceed the "
                                f"{n * n} nodes of the {n} x {n} grid of scale '{name}'")
        total = preset["n_train"] + preset["n_test"] + preset["n_labelled"]
        dataset_bytes = total * 4 * n * n * 4  # float32 p, u_x, u_y and log K per sample
        if dataset_bytes > MAX_DATASET_BYTES:
            problems.append(f"config key 'scales.{name}.n_train': {total} samples (n_train + n_test + n_labelled) on "
                            f"the {n} x {n} grid take {dataset_bytes // 2**30} GiB a dataset; expected at most "
                            f"{MAX_DATASET_BYTES // 2**30} GiB")
        if config["figures"]["fig1"]["sample"] >= total:
            problems.append(f"config key 'figures.fig1.sample': expected a sample index below {total}, "
                            f"the dataset size of scale '{name}', got {config['figures']['fig1']['sample']}")
    return problems


def _cross_check_experiments(config: dict) -> list[str]:
    """Experiments name defined datasets and schedules; the model's widths fit together."""
    problems = []
    datasets, scales = config["datasets"], config["scales"]
    for name, e in config["experiments"].items():
        if e["dataset"] not in datasets:
            problems.append(f"config key 'experiments.{name}.dataset': unknown dataset {e['dataset']!r}; "
                            f"defined: {', '.join(datasets)}")
        for sname, preset in scales.items():
            if e["schedule"] not in preset["schedules"]:
                problems.append(f"config key 'experiments.{name}.schedule': schedule {e['schedule']!r} is not defined "
                                f"for scale '{sname}' (defined: {', '.join(preset['schedules'])})")
    model = config["model"]
    if len(model["blocks"]) % 2 == 0:
        problems.append(f"config key 'model.blocks': expected an odd number of block sizes (k encoder blocks, then "
                        f"k + 1 decoder blocks), got {model['blocks']}")
    if len(model["prior_variances"]) != model["n_latent"]:
        problems.append(f"config key 'model.prior_variances': expected {model['n_latent']} values "
                        f"(one per latent, n_latent), got {len(model['prior_variances'])}")
    return problems


def _cross_check_scales(config: dict) -> list[str]:
    """Within each scale: trials of defined experiments, landscape and label counts within the data,
    schedules that start at epoch 0 with at most `epochs` reconstruction epochs."""
    problems = []
    for name, preset in config["scales"].items():
        for experiment in preset.get("experiment_trials", {}):
            if experiment not in config["experiments"]:
                problems.append(f"config key 'scales.{name}.experiment_trials.{experiment}': unknown experiment; "
                                f"defined: {', '.join(config['experiments'])}")
        if preset["landscape"]["samples"] > preset["n_train"]:
            problems.append(f"config key 'scales.{name}.landscape.samples': expected at most n_train "
                            f"({preset['n_train']}), got {preset['landscape']['samples']}")
        for label_count in preset["sweeps"]["labels"]:
            if label_count > preset["n_labelled"]:
                problems.append(f"config key 'scales.{name}.sweeps.labels': {label_count} labels exceed the "
                                f"labelled pool of {preset['n_labelled']} samples")
        for sched_name, sched in preset["schedules"].items():
            if sched["recon_epochs"] > sched["epochs"]:
                problems.append(f"config key 'scales.{name}.schedules.{sched_name}.recon_epochs': expected at most "
                                f"epochs ({sched['epochs']}), got {sched['recon_epochs']}")
            if sched["lr"][0][0] != 0:
                problems.append(f"config key 'scales.{name}.schedules.{sched_name}.lr': the first entry must start "
                                f"at epoch 0, got {sched['lr'][0][0]}")
    return problems


def _cross_check_figures(config: dict) -> list[str]:
    """What the paper's figures need: Darcy datasets for figure 1, two standard runs for figure 5, and
    the experiments they are drawn from (fieldvae.paper.plan.FIGURE_EXPERIMENTS) with their sweeps."""
    from fieldvae.paper.plan import FIGURE_EXPERIMENTS

    problems = []
    datasets = config["datasets"]
    for i, d in enumerate(config["figures"]["fig1"]["datasets"]):
        if d not in datasets or "file" in datasets[d]:
            problems.append(f"config key 'figures.fig1.datasets[{i}]': expected a Darcy dataset (figure 1 shows "
                            f"permeabilities), got {d!r}; defined: {', '.join(n for n in datasets if 'file' not in datasets[n])}")
    for name, preset in config["scales"].items():
        if preset.get("experiment_trials", {}).get("standard", preset["trials"]) < 2:
            problems.append(f"config key 'scales.{name}.experiment_trials.standard': figure 5 needs at least 2 trials")
    for name, sweep in FIGURE_EXPERIMENTS.items():
        if name not in config["experiments"] or config["experiments"][name].get("sweep") != sweep:
            problems.append(f"config key 'experiments.{name}': the figures need this experiment"
                            + (f" with sweep: {sweep}" if sweep else " (without a sweep)"))
    return problems


def _cross_check_protocol_study(study: dict, experiments: dict, scales: dict) -> list[str]:
    """The pairs name defined experiments; a protocol names every schedule they train with (changes,
    or {}: that schedule's runs are the scale's own) or none, only one changes nothing, and a
    `schedule` to start from is a schedule of every scale."""
    problems = []
    names = [name for pair in study["pairs"].values() for name in pair]
    for data, pair in study["pairs"].items():
        for name in pair:
            if name not in experiments:
                problems.append(f"config key 'protocol_study.pairs.{data}': unknown experiment {name!r}; "
                                f"defined: {', '.join(experiments)}")
    schedules = sorted({experiments[name]["schedule"] for name in names if name in experiments})
    for protocol, changes in study["protocols"].items():
        unchanged = [s for s in schedules if s not in changes]
        if changes and unchanged:
            problems.append(f"config key 'protocol_study.protocols.{protocol}': expected every schedule the pairs "
                            f"train with ({', '.join(schedules)}) named, with changes or {{}} (its runs are the "
                            f"scale's own), or none ({{}}: the scale's own runs), got none for {', '.join(unchanged)}")
    for protocol, changes in study["protocols"].items():
        for name, change in changes.items():
            missing = [scale for scale, preset in scales.items() if change.get("schedule", name) not in preset["schedules"]]
            if missing:
                problems.append(f"config key 'protocol_study.protocols.{protocol}.{name}.schedule': "
                                f"{change.get('schedule', name)!r} is not a schedule of scale {', '.join(missing)}")
    unchanged_protocols = [protocol for protocol, changes in study["protocols"].items() if not any(changes.values())]
    if len(unchanged_protocols) > 1:
        problems.append(f"config key 'protocol_study.protocols': expected at most one protocol without changes "
                        f"(it reads the scale's own runs), got {', '.join(unchanged_protocols)}")
    return problems


def _cross_check_files(config: dict) -> list[str]:
    """Every dataset read from a file, against the file's header (its fields are not read): keys,
    ranks, counts, the split, and the factor count a semi-supervised experiment on it needs."""
    from fieldvae.core.field_file import problems, split_sizes

    found = []
    for name, entry in config["datasets"].items():
        if "file" not in entry:
            continue
        labelled = [e for e in config["experiments"].values() if e["dataset"] == name and e.get("sweep") == "labels"]
        entry_problems = problems(entry, f"config key 'datasets.{name}.", config["model"]["n_latent"] if labelled else None)
        found += entry_problems
        if labelled and not entry_problems and config["scale"] in config["scales"]:
            most, pool = max(config["scales"][config["scale"]]["sweeps"]["labels"]), split_sizes(entry)["labelled"]
            if most > pool:
                found.append(f"config key 'datasets.{name}.split': the label sweep of scale '{config['scale']}' asks for "
                             f"{most} labels; the labelled pool of {entry['file']} has {pool}")
    return found


def _cross_check_lj(lj: dict, scales: dict) -> list[str]:
    """The control gamma must be unseen but inside the training range, the unseen gamma outside it."""
    problems = []
    low, high = min(lj["gammas"]), max(lj["gammas"])
    if not low < lj["control_gamma"] < high or lj["control_gamma"] in lj["gammas"]:
        problems.append(f"config key 'lj.control_gamma': expected a gamma between {low:g} and {high:g} that is not "
                        f"a training gamma, got {lj['control_gamma']:g}")
    if low <= lj["unseen_gamma"] <= high:
        problems.append(f"config key 'lj.unseen_gamma': expected a gamma outside the training range "
                        f"[{low:g}, {high:g}], got {lj['unseen_gamma']:g}")
    if lj["blackout_block"] > 30:
        problems.append(f"config key 'lj.blackout_block': expected at most 30 (the matrix size), got {lj['blackout_block']}")
    for name, preset in scales.items():
        if round(lj["training"]["test_fraction"] * preset["lj"]["samples"]) < 1:
            problems.append(f"config key 'scales.{name}.lj.samples': too few configurations to hold out "
                            f"test_fraction {lj['training']['test_fraction']} of them")
    return problems


def _cross_check_objectives_study(study: dict, experiments: dict, scales: dict) -> list[str]:
    """Trials for every scale; `data` and `also` name defined experiments, each with its hierarchical
    prior's experiment; a best weight for every objective when `also` is given."""
    key = "config key 'objectives_study"
    problems = [f"{key}.trials': expected a count for scale '{name}', got none" for name in scales
                if name not in study["trials"]]
    for role in ("data", "also"):
        name = study.get(role)
        if name is None:
            continue
        if name not in experiments:
            problems.append(f"{key}.{role}': unknown experiment {name!r}; defined: {', '.join(experiments)}")
        contrast = study["hierarchical"].get(name)
        if contrast not in experiments:
            problems.append(f"{key}.hierarchical.{name}': expected the hierarchical-prior experiment to compare "
                            f"{name} with, got {contrast!r}")
    missing = [o for o in study["weights"] if o not in study["best"]]
    if study.get("also") and missing:
        problems.append(f"{key}.best': expected a weight for {', '.join(missing)} (trained on {study['also']})")
    return problems
