# Your own fields: the figures and table of every experiment on a dataset read from a file.
#   snakemake own_fields --configfile my_fields.yaml --cores all


rule own_overview:
    input:
        latents=lambda w: [f"{d}/latents.npz" for d in run_dirs(w.scale, w.own_experiment)],
        scores=lambda w: [f"{d}/metrics.json" for d in run_dirs(w.scale, w.own_experiment)],
    output:
        report(
            "figures/{scale}/{own_experiment}/overview.pdf",
            caption="../report/own_overview.rst",
            category="Your own fields",
            subcategory="{own_experiment}",
        ),
    params:
        inputs=lambda w, input: " ".join(f"--input latents={path}" for path in input.latents),
        title=lambda w: shlex.quote(json.dumps(w.own_experiment)),
        code=f"{FIGURE_COMMAND_CODE}-{code_fingerprint('fieldvae.paper.plotting.overview')}",
    log:
        "results/{scale}/logs/figures/{own_experiment}/overview.log",
    localrule: True
    shell:
        "fieldvae figure overview {params.inputs} --option title={params.title} --out {output} > {log} 2>&1"


rule own_label_sweep:
    input:
        scores=lambda w: [f"{d}/metrics.json" for d in run_dirs(w.scale, w.own_experiment)],
        histories=lambda w: [f"{d}/history.csv" for d in run_dirs(w.scale, w.own_experiment)],
    output:
        report(
            "figures/{scale}/{own_experiment}/label_sweep.pdf",
            caption="../report/own_label_sweep.rst",
            category="Your own fields",
            subcategory="{own_experiment}",
        ),
    params:
        inputs=lambda w, input: " ".join(f"--input runs={path}" for path in input.scores),
        n_unlabelled=lambda w: n_train(w.scale, config["experiments"][w.own_experiment]["dataset"]),
        code=f"{FIGURE_COMMAND_CODE}-{code_fingerprint('fieldvae.paper.plotting.fig14')}",
    log:
        "results/{scale}/logs/figures/{own_experiment}/label_sweep.log",
    localrule: True
    shell:
        "fieldvae figure fig14 {params.inputs} --option n_unlabelled={params.n_unlabelled} --out {output} > {log} 2>&1"


rule own_summary:
    input:
        "results/{scale}/tables/{own_experiment}.csv",
    output:
        csv=report(
            "tables/{scale}/{own_experiment}/summary.csv",
            caption="../report/table.rst",
            category="Your own fields",
            subcategory="{own_experiment}",
        ),
        md="tables/{scale}/{own_experiment}/summary.md",
    params:
        title=lambda w: own_table(w.own_experiment)["title"],
        claim=lambda w: own_table(w.own_experiment, "factors" in config["datasets"][
            config["experiments"][w.own_experiment]["dataset"]])["claim"],
        code=code("paper", "_summarise"),
    log:
        "results/{scale}/logs/tables/{own_experiment}/summary.log",
    localrule: True
    shell:
        "fieldvae summarise --tables {input} --experiment {wildcards.own_experiment} --scale {wildcards.scale}"
        " --csv {output.csv} --md {output.md} > {log} 2>&1"


rule publish_own_figure:
    input:
        f"figures/{SCALE}/{{own_experiment}}/{{own_figure}}.pdf",
    output:
        "figures/{own_experiment}/{own_figure}.pdf",
    log:
        f"results/{SCALE}/logs/figures/{{own_experiment}}/publish_{{own_figure}}.log",
    localrule: True
    shell:
        "cp {input} {output} > {log} 2>&1"


rule publish_own_table:
    input:
        csv=f"tables/{SCALE}/{{own_experiment}}/summary.csv",
        md=f"tables/{SCALE}/{{own_experiment}}/summary.md",
    output:
        csv="tables/{own_experiment}/summary.csv",
        md="tables/{own_experiment}/summary.md",
    log:
        f"results/{SCALE}/logs/tables/{{own_experiment}}/publish_summary.log",
    localrule: True
    shell:
        "(cp {input.csv} {output.csv} && cp {input.md} {output.md}) > {log} 2>&1"


rule own_fields:
    input:
        own_targets(),
