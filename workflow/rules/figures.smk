# Figures: rendered per scale under figures/<scale>/, and the configured scale's copy under figures/.
# The rule `figure` draws every figure of the registry (figure_registry.smk). Plotting is light: the
# figure rules are local rules (on a cluster they run where Snakemake runs).


rule figure:
    input:
        unpack(figure_files),
    output:
        report(
            "figures/{scale}/{paper_figure}.pdf",
            caption="../report/figure.rst",
            category=lambda w: FIGURES[w.paper_figure]["category"],
            subcategory="{scale} scale",
        ),
    params:
        arguments=figure_arguments,
        plotting=lambda w: FIGURES[w.paper_figure]["module"],
        caption=figure_caption,
        code=figure_code,
    log:
        "results/{scale}/logs/figures/{paper_figure}.log",
    localrule: True
    shell:
        "fieldvae figure {params.plotting} {params.arguments} --out {output} > {log} 2>&1"


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
