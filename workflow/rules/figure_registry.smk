# The figure registry: each figure is one entry of FIGURES (the files it is drawn from, by key, and its
# options) and one plotting module, fieldvae.paper.plotting.<module> or fieldvae.lj.figures.<module>,
# whose from_files draws it and whose CAPTION is its caption in the report. The rule `figure` (figures.smk) draws them
# all with `fieldvae figure`. To add a figure: write its module and add its entry here.


def figure_entry(module, files, options=lambda w: {}, beside=lambda w: [], category="Figures", **caption_fields):
    """A registry entry: the plotting module; files(wildcards) -> {key: [paths]}, its inputs by key;
    options(wildcards) -> {key: value}; beside(wildcards) -> the files the module reads beside its
    inputs (a run folder's scores and history); its category in the report; and the fields its
    CAPTION names besides the scale."""
    return {"module": module, "files": files, "options": options, "beside": beside, "category": category,
            "caption_fields": caption_fields}


def run_files(experiment, *names, first=None):
    """Input function: the given files of every run of an experiment (the first `first` runs only)."""
    return lambda w: [f"{d}/{name}" for d in run_dirs(w.scale, experiment)[:first] for name in names]


FIGURES = {
    "fig1": figure_entry(
        "fig1",
        lambda w: {"datasets": expand("results/{scale}/data/{dataset}.npz", scale=w.scale,
                                      dataset=config["figures"]["fig1"]["datasets"])},
        lambda w: {"sample": config["figures"]["fig1"]["sample"]},
    ),
    "fig3": figure_entry(
        "fig3",
        lambda w: {"lines": [f"{landscape_dir(w.scale)}/lines.csv"],
                   "directions": direction_chunks(w.scale, landscape_dir(w.scale))},
    ),
    "fig4": figure_entry(
        "fig4",
        lambda w: {"reference": run_files("standard", "history.csv", first=1)(w), "sweep": run_files("beta_sweep", "metrics.json")(w)},
        beside=run_files("beta_sweep", "history.csv"),
    ),
    "fig5": figure_entry("fig5", lambda w: {"between": [f"results/{w.scale}/landscape/standard/between.csv"]}),
    "fig7": figure_entry("fig7", lambda w: {"latents": run_files("standard", "latents.npz", first=1)(w)}),
    "fig10": figure_entry("fig10", lambda w: {"rotations": run_files("mixture_hierarchical", "rotation.csv")(w)}),
    "fig13": figure_entry(
        "fig13",
        lambda w: {"tables": [f"results/{w.scale}/tables/{e}.csv" for e in ("mixture", "mixture_hierarchical")]},
    ),
    "fig14": figure_entry(
        "fig14",
        lambda w: {"runs": run_files("semi_supervised", "metrics.json")(w)},
        lambda w: {"n_unlabelled": config["scales"][w.scale]["n_train"]},
        beside=run_files("semi_supervised", "history.csv"),
    ),
    "rule_calibration": figure_entry(
        "rule_calibration", lambda w: {"curves": [f"results/{w.scale}/tables/rule_calibration.csv"]}
    ),
    "protocol_study": figure_entry(
        "protocol_study", lambda w: {"table": [f"tables/{w.scale}/protocol_study.csv"]}, category="Protocol study"
    ),
    "protocol_study_angles": figure_entry(
        "protocol_angles",
        lambda w: {"tables": protocol_study_inputs(w)["tables"], "rule_null": [f"results/{w.scale}/tables/rule_null.csv"]},
        lambda w: {"study": STUDY, "schedules": SCHEDULES},
        category="Protocol study",
    ),
    "objectives_study": figure_entry(
        "objectives_study",
        lambda w: {"table": [f"tables/{w.scale}/objectives_study.csv"]},
        category="Objectives study",
    ),
}
# Figures showing runs at a glance (figures 6, 8, 9, 11, 12, 15): experiment, title, what the caption adds.
OVERVIEWS = {
    "fig6": ("standard", "standard data, standard prior", "Reconstruction is accurate and the latent means track one factor each."),
    "fig8": ("shifted", "shifted data, standard prior", "The paper finds no disentanglement without the hierarchical prior on shifted data."),
    "fig9": ("shifted_hierarchical", "shifted data, hierarchical prior", "The paper finds good disentanglement with the hierarchical prior."),
    "fig11": ("mixture", "mixture data, standard prior", "The paper: none of 50 trials disentangles, 10% over-regularise."),
    "fig12": ("mixture_hierarchical", "mixture data, hierarchical prior", "The paper: about half of 50 trials disentangle, the others sit near a 45 degree rotation."),
    "fig15": ("semi_supervised", "about 1% labels", "The paper: with about 1% labels the aggregated posterior keeps the four modes of p(theta)."),
}


def overview_runs(experiment, figure):
    """The run folders an overview shows: every run of its experiment (figure 15: at the 1% label count)."""
    return lambda w: run_dirs(w.scale, experiment, plan.one_percent_labels(config, w.scale) if figure == "fig15" else None)


for _name, (_experiment, _title, _description) in OVERVIEWS.items():
    FIGURES[_name] = figure_entry(
        "overview",
        lambda w, runs=overview_runs(_experiment, _name): {"latents": [f"{d}/latents.npz" for d in runs(w)]},
        lambda w, title=_title: {"title": title},
        beside=lambda w, runs=overview_runs(_experiment, _name): [f"{d}/metrics.json" for d in runs(w)],
        number=_name[3:], title=_title, description=_description,
    )


def lj_model_files(w, *names):
    """Files of the first sampling protocol's model: its model.pt, the samples it trained on, its latents."""
    folder = f"results/{w.scale}/lj/{LJ['protocols'][0]}"
    files = {"model": [f"{folder}/model/model.pt"], "data": lj_gamma_files(w.scale, LJ["protocols"][0], LJ["gammas"]),
             "latents": [f"{folder}/latents.npz"]}
    return {name: files[name] for name in names}


# The Lennard-Jones study's figures (fieldvae.lj.figures): the samples of every protocol, the first
# protocol's model, the anomaly table of all.
FIGURES |= {
    **{
        name: figure_entry(
            name,
            lambda w: {"data": [f for p in LJ["protocols"] for f in lj_gamma_files(w.scale, p, LJ["gammas"])]},
            category="Lennard-Jones",
        )
        for name in ("lj_samples", "lj_physics")
    },
    "lj_reconstruction": figure_entry(
        "lj_reconstruction", lambda w: lj_model_files(w, "model", "data"), category="Lennard-Jones"
    ),
    "lj_traversal": figure_entry(
        "lj_traversal", lambda w: lj_model_files(w, "model", "data", "latents"), category="Lennard-Jones"
    ),
    "lj_latent": figure_entry("lj_latent", lambda w: lj_model_files(w, "latents"), category="Lennard-Jones"),
    "lj_anomaly": figure_entry(
        "lj_anomaly", lambda w: {"table": [f"tables/{w.scale}/lj_anomaly.csv"]}, category="Lennard-Jones"
    ),
}
DEFAULT_FIGURES = [name for name in FIGURES if FIGURES[name]["category"] in ("Figures", "Lennard-Jones")]


wildcard_constraints:
    paper_figure="|".join(FIGURES),
    figure="|".join(FIGURES),


def figure_files(wildcards):
    """The figure's inputs by key, and what its module reads beside them (`beside`)."""
    entry = FIGURES[wildcards.paper_figure]
    return {**entry["files"](wildcards), "beside": entry["beside"](wildcards)}


def figure_arguments(wildcards):
    """`--input KEY=PATH` of every input of the figure, and `--option KEY=VALUE` of its options."""
    entry = FIGURES[wildcards.paper_figure]
    inputs = [f"--input {key}={shlex.quote(path)}" for key, paths in entry["files"](wildcards).items() for path in paths]
    options = [f"--option {key}={shlex.quote(json.dumps(value))}" for key, value in entry["options"](wildcards).items()]
    return " ".join(inputs + options)


def figure_caption(wildcards):
    entry = FIGURES[wildcards.paper_figure]
    caption = module_string(figure_module(entry["module"]), "CAPTION")
    return caption.format(scale=wildcards.scale, **entry["caption_fields"])


FIGURE_COMMAND_CODE = command_fingerprint("fieldvae.figure_command", "_figure")


def figure_code(wildcards):
    """The figure command's code and its plotting module's: editing one module reruns its figures only."""
    plotting = FIGURES[wildcards.paper_figure]["module"]
    return f"{FIGURE_COMMAND_CODE}-{code_fingerprint(figure_module(plotting))}"
