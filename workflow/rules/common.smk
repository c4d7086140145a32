# Names, wildcard constraints and input functions shared by all rules.

SCALE = config["scale"]
FIGURES = ["fig1"]


wildcard_constraints:
    scale="|".join(config["scales"]),
    dataset="|".join(config["datasets"]),
    terms=r"\d+",
    figure="|".join(FIGURES),


def preset(wildcards):
    """The scale preset (grid and sample counts) that a job is built at."""
    return config["scales"][wildcards.scale]


def kle_file(wildcards):
    terms = config["datasets"][wildcards.dataset]["kle_terms"]
    return f"results/{wildcards.scale}/kle/terms{terms}.npz"


def default_targets():
    """Every dataset and figure of the configured scale, figures also under figures/ directly."""
    return [
        *expand("results/{scale}/data/{dataset}.npz", scale=SCALE, dataset=config["datasets"]),
        *expand("figures/{figure}.pdf", figure=FIGURES),
    ]
