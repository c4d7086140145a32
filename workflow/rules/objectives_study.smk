# The objectives study: other objectives against the paper's priors (not part of the default target):
# snakemake figures/objectives_study.pdf tables/objectives_study.md --cores all. Its figure is in the
# figure registry (figure_registry.smk).


rule objectives_study:
    input:
        unpack(objectives_study_inputs),
    output:
        csv=report(
            "tables/{scale}/objectives_study.csv",
            caption="../report/objectives_study.rst",
            category="Objectives study",
            subcategory="{scale} scale",
        ),
        md="tables/{scale}/objectives_study.md",
    params:
        study=json.dumps(config.get("objectives_study")),
        code=code("paper", "_objectives_study"),
    log:
        "results/{scale}/logs/tables/objectives_study.log",
    localrule: True
    shell:
        "fieldvae objectives-study --study {params.study:q} --tables {input.tables} --benchmarks {input.benchmarks}"
        " --scale {wildcards.scale} --csv {output.csv} --md {output.md} > {log} 2>&1"
