"""The SLURM profile against a real one-node SLURM (tests/slurm/local-slurm): the tiny scale up to
figure 1 and one trained, scored model goes through sbatch, one submission per trained model (its
latents and scores ride along), training asks for a GPU, and every output equals that of a local run
with the same seeds; the profile's batching switch makes one submission of several trained models."""

import json
import os
import re
import shutil
import subprocess
import time

import numpy as np
import pytest
import torch
from conftest import REPO, run

from fieldvae.core.io import load_arrays

pytestmark = [pytest.mark.workflow, pytest.mark.slurm]
LOCAL_SLURM = REPO / "tests" / "slurm" / "local-slurm"
RUN = "results/tiny/runs/standard/seed0"
TARGETS = ["figures/tiny/fig1.pdf", f"{RUN}/metrics.json"]
SUBMITTED = {"kle", "dataset", "model"}  # rules, and the group of a trained model (train, encode, metrics)
DAEMONS = ("munged", "slurmctld", "slurmd")


def alive(pid):
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


@pytest.fixture(scope="module")
def cluster(tmp_path_factory):
    """A running one-node SLURM; its daemons are stopped by their PIDs afterwards, pass or fail."""
    if os.geteuid() != 0:
        pytest.skip("starting SLURM daemons needs root (CI runs as root)")
    state = tmp_path_factory.mktemp("slurm")
    pids = {}
    try:
        proc = subprocess.run([LOCAL_SLURM, "start", state], capture_output=True, text=True, timeout=120)
        pids = {name: int((state / f"{name}.pid").read_text()) for name in DAEMONS
                if (state / f"{name}.pid").exists()}
        assert proc.returncode == 0, f"local-slurm start failed:\n{proc.stdout}\n{proc.stderr}"
        yield state
    finally:
        subprocess.run([LOCAL_SLURM, "stop", state], capture_output=True, timeout=60)
        for pid in pids.values():
            if alive(pid):
                os.kill(pid, 9)
        time.sleep(0.5)
        assert not [name for name, pid in pids.items() if alive(pid)], "a SLURM daemon outlived the test"


def workflow_tree(path):
    """A copy of the repository's workflow files (Snakefile, rules, config, profiles), not its results."""
    files = subprocess.run(["git", "ls-files", "--cached", "--others", "--exclude-standard", "Snakefile", "config.yaml", "workflow", "profiles", "envs"],
                           cwd=REPO, capture_output=True, text=True, check=True).stdout.split()
    for name in files:
        (path / name).parent.mkdir(parents=True, exist_ok=True)
        (path / name).write_bytes((REPO / name).read_bytes())
    return path


@pytest.fixture(scope="module")
def on_slurm(cluster, tmp_path_factory):
    """The tiny targets built through the SLURM profile; (workflow directory, Snakemake's output)."""
    cwd = workflow_tree(tmp_path_factory.mktemp("on_slurm"))
    # This cluster has no accounting database (no sacct, no accounts): status through squeue.
    proc = run(["timeout", "-s", "INT", "900", "snakemake", *TARGETS, "--workflow-profile", "profiles/slurm",
                "--config", "scale=tiny", "--slurm-status-command", "squeue", "--slurm-no-account",
                "--slurm-init-seconds-before-status-checks", "2"],
               cwd=cwd, env={"SLURM_CONF": str(cluster / "slurm.conf")}, timeout=960)
    return cwd, proc.stdout + proc.stderr


@pytest.fixture(scope="module")
def local(tmp_path_factory):
    """The same targets built locally, with the threads the profile gives training (inside a SLURM job
    Snakemake caps them at the node's cores, as `--cores all` does here)."""
    cwd = workflow_tree(tmp_path_factory.mktemp("local"))
    run(["snakemake", *TARGETS, "--cores", "all", "--set-threads", "train=4", "--config", "scale=tiny"], cwd=cwd)
    return cwd


def slurm_jobs(log):
    """{SLURM job id: rule, or group for a group job} from Snakemake's submission messages."""
    pattern = r"submitted with SLURM jobid (\d+) \(log: \S+/(rule|group)_([^/\s]+)/"
    return {int(job): (name.split("_")[0] if kind == "group" else name) for job, kind, name in re.findall(pattern, log)}


def planned_jobs(cwd):
    """{rule: count} of the jobs a dry run plans for the test's targets from scratch."""
    out = run(["snakemake", *TARGETS, "-n", "--config", "scale=tiny", "--cores", "1", "--forceall"], cwd=cwd).stdout
    table = out[out.index("Job stats:"):].split("\n\n")[0]
    return {m[0]: int(m[1]) for m in re.findall(r"^(\w+)\s+(\d+)$", table, flags=re.M) if m[0] != "total"}


def scheduler_record(cluster, job):
    """slurmctld's record of a job, as a dict of scontrol's fields."""
    out = subprocess.run(["scontrol", "show", "job", "--oneliner", str(job)], capture_output=True, text=True,
                         env={**os.environ, "SLURM_CONF": str(cluster / "slurm.conf")}, check=True).stdout
    return dict(field.split("=", 1) for field in out.split() if "=" in field)


def test_jobs_went_through_sbatch(cluster, on_slurm):
    cwd, log = on_slurm
    jobs = slurm_jobs(log)
    assert set(jobs.values()) == SUBMITTED, log
    assert "fig1" not in jobs.values()  # plots are local rules
    planned = planned_jobs(cwd)
    # one submission per data job and one per trained model, not one per rule instance
    assert len(jobs) == planned["kle"] + planned["dataset"] + planned["train"], (planned, jobs)
    assert planned["encode"] == planned["metrics"] == planned["train"] == 1
    completed = (cluster / "jobcomp.log").read_text()
    for job, rule in jobs.items():
        record = scheduler_record(cluster, job)
        assert record["JobState"] == "COMPLETED", record
        assert record["Comment"].startswith(f"rule_{rule}_wildcards_tiny" if rule != "model" else "rule_"), record
        assert record["WorkDir"] == str(cwd)
        assert re.search(rf"^JobId={job} .*JobState=COMPLETED", completed, flags=re.M)


def test_training_asked_for_a_gpu(cluster, on_slurm):
    jobs = slurm_jobs(on_slurm[1])
    for job, rule in jobs.items():
        gpus = scheduler_record(cluster, job).get("TresPerJob", "")
        assert (gpus == "gres:gpu:1") == (rule == "model"), (rule, gpus)


def same_settings(a, b):
    """Equal recorded parameters, leaving out the nested records of when inputs were made."""
    def settings(params):
        return {k: v for k, v in params.items() if not k.endswith("provenance")}
    return settings(a) == settings(b)


def test_outputs_equal_a_local_run(on_slurm, local):
    cwd, _ = on_slurm
    for name in ["data/standard.npz", "data/KLE1000.npz", "runs/standard/seed0/latents.npz"]:
        (a, made_a), (b, made_b) = (load_arrays(d / "results/tiny" / name) for d in (cwd, local))
        assert a.keys() == b.keys()
        assert same_settings(made_a["params"], made_b["params"])
        for key in a:
            np.testing.assert_array_equal(a[key], b[key], err_msg=f"{name}: {key}")
    a, b = (torch.load(d / RUN / "model.pt", map_location="cpu", weights_only=True) for d in (cwd, local))
    assert a["training_config"] == b["training_config"]
    assert all(torch.equal(a["state_dict"][k], b["state_dict"][k]) for k in a["state_dict"])
    a, b = (json.loads((d / RUN / "metrics.json").read_text()) for d in (cwd, local))
    assert a["scores"] == b["scores"]
    assert (cwd / "figures/tiny/fig1.pdf").stat().st_size > 10_000


def test_batched_training_is_one_submission_holding_one_gpu(cluster, on_slurm, tmp_path):
    """The profile's batching switch: two trained models of the beta sweep in one sbatch job."""
    cwd = workflow_tree(tmp_path)
    shutil.copytree(on_slurm[0] / "results/tiny/data", cwd / "results/tiny/data")
    profile = cwd / "profiles/slurm/config.yaml"
    switch = ["group-components:", "set-resource-scopes:", "resources:"]
    text = profile.read_text()
    for key in switch:
        assert f"\n# {key} " in text, f"{key} not in the profile's batching switch"
        text = text.replace(f"\n# {key} ", f"\n{key} ")
    profile.write_text(text)
    models = [f"results/tiny/runs/beta_sweep/{run}/model.pt" for run in ("beta10_seed0", "beta0.1_seed0")]
    proc = run(["timeout", "-s", "INT", "600", "snakemake", *models, "--workflow-profile", "profiles/slurm",
                "--config", "scale=tiny", "--slurm-status-command", "squeue", "--slurm-no-account",
                "--slurm-init-seconds-before-status-checks", "2", "--rerun-triggers", "mtime"],
               cwd=cwd, env={"SLURM_CONF": str(cluster / "slurm.conf")}, timeout=660)
    jobs = re.findall(r"submitted with SLURM jobid (\d+) \(log: \S+/group_model", proc.stdout + proc.stderr)
    assert len(jobs) == 1, proc.stdout + proc.stderr
    record = scheduler_record(cluster, jobs[0])
    assert record["JobState"] == "COMPLETED" and record["TresPerJob"] == "gres:gpu:1", record
    assert record["TimeLimit"] == "1-00:00:00"  # two 720-minute runs in series
    assert all((cwd / model).stat().st_size > 0 for model in models)
