"""The headline figure: one fixed slice of the real workflow built from scratch, its wall time and
jobs per minute, beside this machine's convolution peak measured in the same run, so a build time can
be compared across machines (they differ by 2-3x).

    python benchmarks/bench_dag.py [--target figures/fig14.pdf] [--scale quick] [--cores 2]

The workflow (Snakefile, config, rules, profiles, envs) is copied into a scratch folder, so the
build starts from nothing and leaves the repository's results alone; the package is the installed one.
"""

import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench_training import conv_peak

REPO = Path(__file__).resolve().parents[1]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--target", default="figures/fig14.pdf")
    parser.add_argument("--scale", default="quick")
    parser.add_argument("--cores", type=int, default=2)
    parser.add_argument("--keep", type=Path, help="build here and keep it (default: a temporary folder)")
    args = parser.parse_args()
    peak = conv_peak(1)
    with tempfile.TemporaryDirectory() as scratch:
        root = args.keep or Path(scratch)
        root.mkdir(parents=True, exist_ok=True)
        for name in ("Snakefile", "config.yaml"):
            shutil.copy(REPO / name, root / name)
        for name in ("workflow", "profiles", "envs"):
            shutil.copytree(REPO / name, root / name, dirs_exist_ok=True)
        bin_dir = Path(sys.executable).parent  # this environment's snakemake and fieldvae
        env = {**os.environ, "PATH": f"{bin_dir}{os.pathsep}{os.environ.get('PATH', '')}"}
        start = time.perf_counter()
        proc = subprocess.run(["snakemake", args.target, "--cores", str(args.cores), "--config", f"scale={args.scale}"],
                              cwd=root, env=env, capture_output=True, text=True)
        seconds = time.perf_counter() - start
    if proc.returncode:
        sys.exit(f"the build failed:\n{proc.stderr[-3000:]}")
    jobs = int(re.findall(r"(\d+) of (\d+) steps \(100%\) done", proc.stderr)[-1][1])
    print(f"{args.target} at {args.scale}, {args.cores} cores, from scratch: {seconds / 60:.1f} min, {jobs} jobs "
          f"({jobs / seconds * 60:.1f} jobs/min); convolution peak of this machine, 1 thread: {peak / 1e9:.1f} GFLOP/s")


if __name__ == "__main__":
    main()
