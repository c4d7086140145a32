# Claims tables: the paper's claims with verdicts; runs summarised per experiment and variant.


rule claims:
    input:
        unpack(claims_inputs),
    output:
        csv=report(
            "tables/{scale}/claims.csv",
            caption="../report/claims.rst",
            category="Claims",
            subcategory="{scale} scale",
        ),
        md="tables/{scale}/claims.md",
        calibration_csv=report(
            "tables/{scale}/verdict_calibration.csv",
            caption="../report/verdict_calibration.rst",
            category="Claims",
            subcategory="{scale} scale",
        ),
        calibration_md="tables/{scale}/verdict_calibration.md",
    params:
        n_train=lambda w: config["scales"][w.scale]["n_train"],
        code=code("paper", "_claims"),
    log:
        "results/{scale}/logs/tables/claims.log",
    localrule: True
    shell:
        "fieldvae claims --tables {input.tables} --n-train {params.n_train} --lines {input.lines}"
        " --directions {input.directions} --between {input.between} --rotations {input.rotations}"
        " --rule-null {input.rule_null}"
        " --scale {wildcards.scale} --csv {output.csv} --md {output.md} --calibration-csv {output.calibration_csv}"
        " --calibration-md {output.calibration_md} > {log} 2>&1"


rule claims_table:
    input:
        table_inputs,
    output:
        csv=report(
            "tables/{scale}/{table}.csv",
            caption="../report/table.rst",
            category="Tables",
            subcategory="{scale} scale",
        ),
        md="tables/{scale}/{table}.md",
    params:
        claim=lambda w: TABLES[w.table]["claim"],
        title=lambda w: TABLES[w.table]["title"],
        code=code("paper", "_summarise"),
    log:
        "results/{scale}/logs/tables/claims_{table}.log",
    localrule: True
    shell:
        "fieldvae summarise --tables {input} --table {wildcards.table} --scale {wildcards.scale}"
        " --csv {output.csv} --md {output.md} > {log} 2>&1"


rule publish_table:
    input:
        csv=f"tables/{SCALE}/{{published}}.csv",
        md=f"tables/{SCALE}/{{published}}.md",
    output:
        csv="tables/{published}.csv",
        md="tables/{published}.md",
    log:
        f"results/{SCALE}/logs/tables/publish_{{published}}.log",
    localrule: True
    shell:
        "(cp {input.csv} {output.csv} && cp {input.md} {output.md}) > {log} 2>&1"


rule results_page:
    input:
        unpack(results_page_inputs),
    output:
        report("results/{scale}/RESULTS.md", caption="../report/results_page.rst", category="Results"),
    params:
        protocol_study=lambda w, input: f"--protocol-study {input.protocol_study}" if "protocol_study" in input.keys() else "",
        code=code("paper", "_results_page"),
    log:
        "results/{scale}/logs/tables/results_page.log",
    localrule: True
    shell:
        "fieldvae results-page --scale {wildcards.scale} --claims {input.claims} --lj-table {input.lj_table}"
        " {params.protocol_study} --datasets {input.datasets} --benchmarks {input.benchmarks} --out {output}"
        " > {log} 2>&1"
