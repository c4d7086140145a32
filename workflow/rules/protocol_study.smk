# The protocol study: the hierarchical prior's effect per training protocol and data set (not part of
# the default target): snakemake figures/protocol_study.pdf --cores all. Its two figures,
# protocol_study and protocol_study_angles, are in the figure registry (figure_registry.smk).


rule protocol_study:
    input:
        unpack(protocol_study_inputs),
    output:
        csv=report(
            "tables/{scale}/protocol_study.csv",
            caption="../report/protocol_study.rst",
            category="Protocol study",
            subcategory="{scale} scale",
        ),
        md="tables/{scale}/protocol_study.md",
    params:
        study=json.dumps(STUDY),
        schedules=json.dumps(SCHEDULES),
        code=code("paper", "_protocol_study"),
    log:
        "results/{scale}/logs/tables/protocol_study.log",
    localrule: True
    shell:
        "fieldvae protocol-study --study {params.study:q} --schedules {params.schedules:q}"
        " --tables {input.tables} --benchmarks {input.benchmarks}"
        " --scale {wildcards.scale} --csv {output.csv} --md {output.md} > {log} 2>&1"
