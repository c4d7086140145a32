"""The conda environment for cluster users asks for what pyproject.toml asks for, and its post-deploy
script installs this repository's package wherever Snakemake puts the script."""

import re
import shutil
import subprocess
import sys
import tomllib

import yaml
from conftest import REPO

CONDA_NAMES = {"torch": "pytorch"}  # PyPI name -> conda-forge name where they differ


def split(requirement):
    name, spec = re.match(r"^([A-Za-z0-9_.-]+)\s*(.*)$", requirement).groups()
    return name.lower(), spec.replace(" ", "")


def test_conda_env_matches_pyproject():
    project = tomllib.loads((REPO / "pyproject.toml").read_text())["project"]
    wanted = {CONDA_NAMES.get(n, n): s for n, s in map(split, project["dependencies"])}
    env = yaml.safe_load((REPO / "envs/fieldvae.yaml").read_text())
    conda = dict(split(d) for d in env["dependencies"] if isinstance(d, str) and d not in ("pip",))
    assert conda.pop("python") == project["requires-python"]
    assert conda == wanted
    # no relative pip path: conda reads a copy of the file inside .snakemake/conda/
    assert not [d for d in env["dependencies"] if isinstance(d, dict)]


def test_post_deploy_script_installs_the_repository_from_snakemakes_copy(tmp_path):
    """Snakemake copies the script to .snakemake/conda/<hash>.post-deploy.sh and runs it inside the
    new environment from the workflow's directory; here the environment is a fresh venv."""
    env = tmp_path / "env"
    subprocess.run([sys.executable, "-m", "venv", "--system-site-packages", env], check=True)
    copy = tmp_path / ".snakemake/conda/0123abcd.post-deploy.sh"
    copy.parent.mkdir(parents=True)
    shutil.copy(REPO / "envs/fieldvae.post-deploy.sh", copy)
    path = {"PATH": f"{env / 'bin'}:/usr/bin:/bin"}
    subprocess.run(["bash", copy], cwd=REPO, env=path, check=True, capture_output=True)
    where = subprocess.run([env / "bin/python", "-c", "import fieldvae; print(fieldvae.__file__)"], cwd=tmp_path,
                           env=path, check=True, capture_output=True, text=True).stdout.strip()
    assert where == str(REPO / "src/fieldvae/__init__.py")  # editable: the checked-out code
    elsewhere = subprocess.run(["bash", copy], cwd=tmp_path, env=path, capture_output=True, text=True)
    assert elsewhere.returncode == 1 and "run snakemake from the repository root" in elsewhere.stderr
