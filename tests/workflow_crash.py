"""The whole workflow under kill -9: build, SIGKILL Snakemake's whole process group at random moments,
do what the README tells a user after a crash (unlock, rerun the same command), and compare every result
with an uninterrupted build's.

Used by tests/test_workflow.py (5 kills in CI); a developer can run it longer on its own:

    python tests/workflow_crash.py --kills 50 --seed 7 --reference <a finished tiny build's folder>

Every kill moment is printed with the seed that drew it, so a failure can be replayed.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import torch

REPO = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
COMPARED = (".npz", ".pt", ".json", ".csv")  # data, models, latents, scores, tables; not logs, figures, timings


def workflow_tree(root: Path) -> Path:
    """A scratch copy of the workflow with its own package source first on PYTHONPATH."""
    root.mkdir(parents=True, exist_ok=True)
    for name in ("Snakefile", "config.yaml"):
        shutil.copy(REPO / name, root / name)
    for name in ("workflow", "profiles", "envs", "src"):
        shutil.copytree(REPO / name, root / name)
    return root


def _env(root: Path) -> dict:
    return {**os.environ, "PATH": f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}", "PYTHONPATH": str(root / "src")}


def build_with_kills(root: Path, command: list[str], kills: int, seed: int, longest: float, log=sys.stderr) -> list[float]:
    """Start `command` in `root`, SIGKILL its process group after a random number of seconds (uniform
    in [1, longest], from `seed`), unlock and start it again, `kills` times; then let it finish.
    Returns the kill moments."""
    moments = np.random.default_rng(seed).uniform(1.0, longest, kills).round(2).tolist()
    for i, moment in enumerate(moments):
        proc = subprocess.Popen(command, cwd=root, env=_env(root), stdout=subprocess.DEVNULL,
                                stderr=subprocess.DEVNULL, start_new_session=True)
        try:
            proc.wait(timeout=moment)
            print(f"kill {i + 1}/{kills} (seed {seed}): the build finished before {moment} s", file=log)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)  # Snakemake and every job it started
            proc.wait()
            print(f"kill {i + 1}/{kills} (seed {seed}): SIGKILL at {moment} s", file=log, flush=True)
        # what a user does after a crash (README, "After a crash"): unlock, then the same command again
        subprocess.run([*command, "--unlock"], cwd=root, env=_env(root), check=True, capture_output=True)
        time.sleep(0.2)
    final = subprocess.run(command, cwd=root, env=_env(root), capture_output=True, text=True)
    if final.returncode != 0:
        raise AssertionError(f"the build after {kills} kills (seed {seed}, moments {moments}) failed:\n{final.stderr}")
    return moments


def results(root: Path) -> dict[str, Path]:
    """The compared result files of a build, by path relative to its folder."""
    found = {}
    for top in ("results", "tables"):
        for path in (root / top).rglob("*"):
            relative = path.relative_to(root)
            if path.suffix in COMPARED and "benchmarks" not in relative.parts and "compile_cache" not in relative.parts:
                found[str(relative)] = path
    return found


def differences(reference: Path, other: Path) -> list[str]:
    """What differs between two builds' results: missing or extra files, and files whose contents
    (arrays, weights, scores, table rows) are not bit-identical; provenance (paths, times) is ignored."""
    a, b = results(reference), results(other)
    problems = [f"missing: {name}" for name in sorted(set(a) - set(b))]
    problems += [f"extra: {name}" for name in sorted(set(b) - set(a))]
    problems += [f"left behind: {p.relative_to(other)}" for top in ("results", "tables")
                 for p in (other / top).rglob("*") if p.name.endswith(".part") or p.name == "checkpoint.pt"]
    for name in sorted(set(a) & set(b)):
        if not _same(a[name], b[name]):
            problems.append(f"differs: {name}")
    return problems


def _same(x: Path, y: Path) -> bool:
    if x.suffix == ".npz":
        with np.load(x) as p, np.load(y) as q:
            keys = set(p.files) - {"provenance"}
            return keys == set(q.files) - {"provenance"} and all(np.array_equal(p[k], q[k], equal_nan=p[k].dtype.kind in "fc") for k in keys)
    if x.suffix == ".pt":
        p, q = (torch.load(f, map_location="cpu", weights_only=True) for f in (x, y))
        weights = [(p.get("state_dict") or {}), (q.get("state_dict") or {})]
        return (weights[0].keys() == weights[1].keys() and all(torch.equal(weights[0][k], weights[1][k]) for k in weights[0])
                and p.get("diverged_epoch") == q.get("diverged_epoch"))
    if x.suffix == ".json":
        p, q = (json.loads(f.read_text()) for f in (x, y))
        return p.get("scores") == q.get("scores")
    return x.read_bytes() == y.read_bytes()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--reference", type=Path, required=True, help="a finished, uninterrupted tiny build")
    parser.add_argument("--kills", type=int, default=20)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--longest", type=float, default=60.0, help="latest kill moment after a start, seconds")
    parser.add_argument("--scratch", type=Path, default=Path("crash-build"))
    args = parser.parse_args()
    root = workflow_tree(args.scratch)
    build_with_kills(root, ["snakemake", "--cores", "2", "--config", "scale=tiny"], args.kills, args.seed, args.longest)
    problems = differences(args.reference, root)
    print("\n".join(problems) or "every result equals the reference build's")
    sys.exit(1 if problems else 0)


if __name__ == "__main__":
    main()
