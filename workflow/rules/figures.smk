# Figures: rendered per scale under figures/<scale>/, and the configured scale's copy under figures/.


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
        code=CODE["figures"],
    log:
        "results/{scale}/logs/figures/fig1.log",
    conda:
        "../../envs/fieldvae.yaml"
    shell:
        "fieldvae figure fig1 --datasets {input} --sample {params.sample} --out {output} > {log} 2>&1"


rule publish_figure:
    input:
        f"figures/{SCALE}/{{figure}}.pdf",
    output:
        "figures/{figure}.pdf",
    log:
        f"results/{SCALE}/logs/figures/publish_{{figure}}.log",
    localrule: True
    conda:
        "../../envs/fieldvae.yaml"
    shell:
        "cp {input} {output} > {log} 2>&1"
