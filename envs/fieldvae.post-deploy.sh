#!/usr/bin/env bash
# Run by Snakemake inside the new conda environment, from the workflow's directory (the repository
# root, where the Snakefile is): install this repository's package into it, editable, so the jobs run
# the checked-out code and an edit to it reruns what it computes.
set -euo pipefail
if ! grep -q '^name = "fieldvae"' pyproject.toml 2>/dev/null; then
    echo "fieldvae.post-deploy.sh: run snakemake from the repository root (no fieldvae pyproject.toml in $PWD)" >&2
    exit 1
fi
python -m pip install --no-deps --editable .
