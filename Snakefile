# Disentangling generative factors of physical fields: every figure of the paper as a target.
#   snakemake --cores all                         every figure at the configured scale
#   snakemake figures/fig1.pdf --cores all        one figure
#   snakemake --cores all --config scale=tiny     another scale, kept apart in results/tiny/
#   snakemake runs --cores all                    train and encode every run of every experiment
from pathlib import Path

from snakemake.utils import min_version

from fieldvae.config import validate_config

min_version("9.0")


configfile: "config.yaml"


validate_config(config, Path(workflow.basedir) / "workflow/schemas/config.schema.yaml", workflow.configfiles)


include: "workflow/rules/common.smk"
include: "workflow/rules/data.smk"
include: "workflow/rules/training.smk"
include: "workflow/rules/tables.smk"
include: "workflow/rules/landscape.smk"
include: "workflow/rules/figure_registry.smk"
include: "workflow/rules/figures.smk"
include: "workflow/rules/lj.smk"
include: "workflow/rules/protocol_study.smk"
include: "workflow/rules/objectives_study.smk"
include: "workflow/rules/own_fields.smk"


rule all:
    default_target: True
    input:
        default_targets(),


# One conda environment for every job (--sdm conda). Snakemake's workflow-level `conda:` puts an
# environment around Snakemake itself, not around its jobs, so the shared default is set here, once.
for _job_rule in workflow.rules:
    if not _job_rule.norun:
        _job_rule.conda_env = str(Path(workflow.basedir, "envs/fieldvae.yaml"))
