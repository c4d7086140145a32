# Darcy data: KLE eigenpairs once per (scale, terms), then one dataset file per configured dataset;
# a dataset from a user's file is imported into the same format (checked, split, standardised).


rule kle:
    output:
        "results/{scale}/kle/terms{terms}.npz",
    params:
        grid=lambda w: preset(w)["grid"],
        length=config["darcy"]["correlation_length"],
        code=code("darcy", "_kle"),
    log:
        "results/{scale}/logs/kle/terms{terms}.log",
    threads: 4
    shell:
        "fieldvae kle --grid {params.grid} --terms {wildcards.terms}"
        " --correlation-length {params.length} --out {output} > {log} 2>&1"


rule dataset:
    wildcard_constraints:
        dataset="|".join(DARCY_DATASETS) or "(?!)",
    input:
        kle=kle_file,
    output:
        "results/{scale}/data/{dataset}.npz",
    params:
        theta=lambda w: config["datasets"][w.dataset]["theta"],
        seed=lambda w: config["datasets"][w.dataset]["seed"],
        n_train=lambda w: preset(w)["n_train"],
        n_test=lambda w: preset(w)["n_test"],
        n_labelled=lambda w: preset(w)["n_labelled"],
        source=config["darcy"]["source_strength"],
        well=config["darcy"]["well_width"],
        code=code("darcy", "_dataset"),
    log:
        "results/{scale}/logs/data/{dataset}.log",
    shell:
        "fieldvae dataset --kle {input.kle} --theta {params.theta} --seed {params.seed}"
        " --n-train {params.n_train} --n-test {params.n_test} --n-labelled {params.n_labelled}"
        " --source-strength {params.source} --well-width {params.well} --out {output} > {log} 2>&1"


rule import_fields:
    wildcard_constraints:
        dataset="|".join(FILE_DATASETS) or "(?!)",
    input:
        lambda w: config["datasets"][w.dataset]["file"],
    output:
        "results/{scale}/data/{dataset}.npz",
    params:
        entry=lambda w: json.dumps(config["datasets"][w.dataset]),
        seed=lambda w: config["datasets"][w.dataset]["seed"],
        code=code("vae", "_import_fields"),
    log:
        "results/{scale}/logs/data/{dataset}.log",
    shell:
        "fieldvae import-fields --entry {params.entry:q} --seed {params.seed} --out {output} > {log} 2>&1"
