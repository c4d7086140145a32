"""Two training jobs of one thread each side by side, against one job of two threads, on a 2-core
machine: which arrangement trains more samples per second in all (the workflow's default for the
`train` rule's threads follows it). Both arrangements are measured in the same run, each job in a
fresh process, with the trainer's step (channels-last, eager).

    python benchmarks/bench_threads.py [--grid 33] [--steps 200]
"""

import argparse
import json
import subprocess
import sys
from pathlib import Path

BENCH = Path(__file__).with_name("bench_training.py")


def start(threads: int, args) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, str(BENCH), "--grid", str(args.grid), "--steps", str(args.steps),
                             "--one", "channels_last", "--threads", str(threads)], stdout=subprocess.PIPE, text=True)


def rate(proc: subprocess.Popen) -> float:
    out, _ = proc.communicate()
    if proc.returncode:
        raise RuntimeError(f"benchmark job failed ({proc.returncode})")
    return json.loads(out.splitlines()[-1])[0]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--grid", type=int, default=33)
    parser.add_argument("--steps", type=int, default=200, help="steps per job after warm-up")
    args = parser.parse_args()
    alone = rate(start(1, args))
    two_threads = rate(start(2, args))
    pair = [start(1, args) for _ in range(2)]
    side_by_side = [rate(p) for p in pair]
    print(f"{args.grid} x {args.grid}, batch 64: one job of 1 thread alone {alone:.0f} samples/s")
    print(f"  1 job x 2 threads:  {two_threads:.0f} samples/s in all")
    print(f"  2 jobs x 1 thread:  {sum(side_by_side):.0f} samples/s in all "
          f"({', '.join(f'{r:.0f}' for r in side_by_side)}; each {sum(side_by_side) / 2 / alone:.0%} of a lone job)")
    print(f"  ratio (2 jobs x 1 thread) / (1 job x 2 threads): {sum(side_by_side) / two_threads:.2f}")


if __name__ == "__main__":
    main()
