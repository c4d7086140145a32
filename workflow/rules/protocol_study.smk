# The protocol study: the hierarchical prior's effect per training protocol and data set (not part of
# the default target): snakemake figures/protocol_study.pdf --cores all


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


rule protocol_study_figure:
    input:
        "tables/{scale}/protocol_study.csv",
    output:
        report(
            "figures/{scale}/protocol_study.pdf",
            caption="../report/protocol_study.rst",
            category="Protocol study",
            subcategory="{scale} scale",
        ),
    params:
        code=code("paper", "_protocol_study_figure"),
    log:
        "results/{scale}/logs/figures/protocol_study.log",
    localrule: True
    shell:
        "fieldvae figure protocol_study --table {input} --out {output} > {log} 2>&1"


rule protocol_study_angles:
    input:
        tables=lambda w: protocol_study_inputs(w)["tables"],
        rule_null="results/{scale}/tables/rule_null.csv",
    output:
        report(
            "figures/{scale}/protocol_study_angles.pdf",
            caption="../report/protocol_study_angles.rst",
            category="Protocol study",
            subcategory="{scale} scale",
        ),
    params:
        study=json.dumps(STUDY),
        schedules=json.dumps(SCHEDULES),
        code=code("paper", "_protocol_study_angles"),
    log:
        "results/{scale}/logs/figures/protocol_study_angles.log",
    localrule: True
    shell:
        "fieldvae figure protocol_study_angles --study {params.study:q} --schedules {params.schedules:q} --tables {input.tables}"
        " --rule-null {input.rule_null} --out {output}"
        " > {log} 2>&1"
