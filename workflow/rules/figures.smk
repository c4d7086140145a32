# Figures: rendered per scale under figures/<scale>/, and the configured scale's copy under figures/.
# Plotting is light: every figure rule is a local rule (on a cluster it runs where Snakemake runs).


rule fig1:
    input:
        lambda w: expand(
            "results/{scale}/data/{dataset}.npz",
            scale=w.scale,
            dataset=config["figures"]["fig1"]["datasets"],
        ),
    output:
        report(
            "figures/{scale}/fig1.pdf",
            caption="../report/fig1.rst",
            category="Figures",
            subcategory="{scale} scale",
        ),
    params:
        sample=config["figures"]["fig1"]["sample"],
        code=code("paper", "_fig1"),
    log:
        "results/{scale}/logs/figures/fig1.log",
    localrule: True
    shell:
        "fieldvae figure fig1 --datasets {input} --sample {params.sample} --out {output} > {log} 2>&1"


rule overview_figure:
    input:
        overview_runs,
    output:
        report(
            "figures/{scale}/{overview}.pdf",
            caption="../report/overview.rst",
            category="Figures",
            subcategory="{scale} scale",
        ),
    params:
        title=lambda w: OVERVIEWS[w.overview][1],
        description=lambda w: OVERVIEWS[w.overview][2],
        number=lambda w: w.overview[3:],
        code=code("paper", "_overview"),
    log:
        "results/{scale}/logs/figures/{overview}.log",
    localrule: True
    shell:
        "fieldvae figure overview --latents {input} --title {params.title:q} --out {output} > {log} 2>&1"


rule fig3:
    input:
        lines=lambda w: f"{landscape_dir(w.scale)}/lines.csv",
        directions=lambda w: direction_chunks(w.scale, landscape_dir(w.scale)),
    output:
        report("figures/{scale}/fig3.pdf", caption="../report/fig3.rst", category="Figures", subcategory="{scale} scale"),
    params:
        code=code("paper", "_fig3"),
    log:
        "results/{scale}/logs/figures/fig3.log",
    localrule: True
    shell:
        "fieldvae figure fig3 --lines {input.lines} --directions {input.directions} --out {output} > {log} 2>&1"


rule fig5:
    input:
        "results/{scale}/landscape/standard/between.csv",
    output:
        report("figures/{scale}/fig5.pdf", caption="../report/fig5.rst", category="Figures", subcategory="{scale} scale"),
    params:
        code=code("paper", "_fig5"),
    log:
        "results/{scale}/logs/figures/fig5.log",
    localrule: True
    shell:
        "fieldvae figure fig5 --between {input} --out {output} > {log} 2>&1"


rule fig4:
    input:
        lambda w: expand(
            "{run}/{name}",
            run=[*run_dirs(w.scale, "standard")[:1], *run_dirs(w.scale, "beta_sweep")],
            name=["history.csv", "metrics.json"],
        ),
    output:
        report("figures/{scale}/fig4.pdf", caption="../report/fig4.rst", category="Figures", subcategory="{scale} scale"),
    params:
        reference=lambda w: run_dirs(w.scale, "standard")[0],
        sweep=lambda w: run_dirs(w.scale, "beta_sweep"),
        code=code("paper", "_fig4"),
    log:
        "results/{scale}/logs/figures/fig4.log",
    localrule: True
    shell:
        "fieldvae figure fig4 --reference {params.reference} --sweep {params.sweep} --out {output} > {log} 2>&1"


rule fig7:
    input:
        lambda w: Path(run_dirs(w.scale, "standard")[0], "latents.npz"),
    output:
        report("figures/{scale}/fig7.pdf", caption="../report/fig7.rst", category="Figures", subcategory="{scale} scale"),
    params:
        code=code("paper", "_fig7"),
    log:
        "results/{scale}/logs/figures/fig7.log",
    localrule: True
    shell:
        "fieldvae figure fig7 --latents {input} --out {output} > {log} 2>&1"


rule rotation:
    input:
        model="results/{scale}/runs/{experiment}/{run}/model.pt",
        data=experiment_data,
    output:
        "results/{scale}/runs/{experiment}/{run}/rotation.csv",
    params:
        code=model_code("_rotate"),
    log:
        "results/{scale}/logs/rotation/{experiment}/{run}.log",
    shell:
        "fieldvae rotate --model {input.model} --data {input.data} --out {output} > {log} 2>&1"


rule fig10:
    input:
        lambda w: [f"{d}/rotation.csv" for d in run_dirs(w.scale, "mixture_hierarchical")],
    output:
        report("figures/{scale}/fig10.pdf", caption="../report/fig10.rst", category="Figures", subcategory="{scale} scale"),
    params:
        code=code("paper", "_fig10"),
    log:
        "results/{scale}/logs/figures/fig10.log",
    localrule: True
    shell:
        "fieldvae figure fig10 --rotations {input} --out {output} > {log} 2>&1"


rule rule_calibration:
    input:
        lambda w: expand("results/{scale}/data/{dataset}.npz", scale=w.scale, dataset=CALIBRATED_DATASETS),
    output:
        csv="results/{scale}/tables/rule_calibration.csv",
        null="results/{scale}/tables/rule_null.csv",
        md="results/{scale}/tables/rule_calibration.md",
    params:
        trials=lambda w: preset(w)["rule_calibration"]["trials"],
        null_codes=lambda w: preset(w)["rule_calibration"]["null_codes"],
        code=code("paper", "_rule_calibration"),
    log:
        "results/{scale}/logs/tables/rule_calibration.log",
    shell:
        "fieldvae rule-calibration --datasets {input} --trials {params.trials} --null-codes {params.null_codes}"
        " --scale {wildcards.scale} --csv {output.csv} --null-csv {output.null} --md {output.md} > {log} 2>&1"


rule rule_calibration_figure:
    input:
        "results/{scale}/tables/rule_calibration.csv",
    output:
        report(
            "figures/{scale}/rule_calibration.pdf",
            caption="../report/rule_calibration.rst",
            category="Figures",
            subcategory="{scale} scale",
        ),
    params:
        code=code("paper", "_rule_calibration_figure"),
    log:
        "results/{scale}/logs/figures/rule_calibration.log",
    localrule: True
    shell:
        "fieldvae figure rule_calibration --curves {input} --out {output} > {log} 2>&1"


rule fig13:
    input:
        "results/{scale}/tables/mixture.csv",
        "results/{scale}/tables/mixture_hierarchical.csv",
    output:
        report("figures/{scale}/fig13.pdf", caption="../report/fig13.rst", category="Figures", subcategory="{scale} scale"),
    params:
        code=code("paper", "_fig13"),
    log:
        "results/{scale}/logs/figures/fig13.log",
    localrule: True
    shell:
        "fieldvae figure fig13 --tables {input} --out {output} > {log} 2>&1"


rule fig14:
    input:
        lambda w: expand("{run}/{name}", run=run_dirs(w.scale, "semi_supervised"), name=["history.csv", "metrics.json"]),
    output:
        report("figures/{scale}/fig14.pdf", caption="../report/fig14.rst", category="Figures", subcategory="{scale} scale"),
    params:
        runs=lambda w: run_dirs(w.scale, "semi_supervised"),
        n_unlabelled=lambda w: config["scales"][w.scale]["n_train"],
        code=code("paper", "_fig14"),
    log:
        "results/{scale}/logs/figures/fig14.log",
    localrule: True
    shell:
        "fieldvae figure fig14 --runs {params.runs} --n-unlabelled {params.n_unlabelled} --out {output} > {log} 2>&1"


rule publish_figure:
    input:
        f"figures/{SCALE}/{{figure}}.pdf",
    output:
        "figures/{figure}.pdf",
    log:
        f"results/{SCALE}/logs/figures/publish_{{figure}}.log",
    localrule: True
    shell:
        "cp {input} {output} > {log} 2>&1"
