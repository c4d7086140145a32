# Claims tables: runs summarised per experiment and variant, next to what the paper claims.


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
        code=CODE["summary"],
    log:
        "results/{scale}/logs/tables/claims_{table}.log",
    localrule: True
    conda:
        "../../envs/fieldvae.yaml"
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
    conda:
        "../../envs/fieldvae.yaml"
    shell:
        "(cp {input.csv} {output.csv} && cp {input.md} {output.md}) > {log} 2>&1"
