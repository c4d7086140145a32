"""`fieldvae kle` and `fieldvae dataset`: the Darcy data of the paper, each step runnable by hand.

Each subcommand parses its arguments, calls one library function and writes what it returns; every
number is decided in the library.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

from fieldvae.core.cli_support import finite_float, recorded_params


def add_commands(sub) -> None:

    p = sub.add_parser("kle", help="compute the leading KLE eigenpairs of the log-permeability covariance")
    p.add_argument("--grid", type=int, required=True, help="nodes per side, 2^k + 1")
    p.add_argument("--terms", type=int, required=True, help="number of eigenpairs s")
    p.add_argument("--correlation-length", type=finite_float, default=0.1, help="length of exp(-|x - x'| / length)")
    p.add_argument("--out", type=Path, required=True, help="output .npz file")
    p.set_defaults(run=_kle)

    p = sub.add_parser("dataset", help="sample theta, build log K, solve Darcy flow for every sample")
    p.add_argument("--kle", type=Path, required=True, help="eigenpairs from `fieldvae kle`")
    p.add_argument("--theta", required=True, help="p(theta): standard, shifted, mixture or correlated")
    p.add_argument("--n-train", type=int, required=True)
    p.add_argument("--n-test", type=int, required=True)
    p.add_argument("--n-labelled", type=int, required=True, help="size of the separate labelled pool")
    p.add_argument("--seed", type=int, required=True)
    p.add_argument("--source-strength", type=finite_float, default=10.0)
    p.add_argument("--well-width", type=finite_float, default=0.125)
    p.add_argument("--out", type=Path, required=True, help="output .npz file")
    p.set_defaults(run=_dataset)


def _kle(args: argparse.Namespace) -> None:
    from fieldvae.core.provenance import provenance
    from fieldvae.darcy.kle import compute_kle, save_kle

    start = time.perf_counter()
    print(f"eigenpairs of the {args.grid ** 2} x {args.grid ** 2} covariance matrix, top {args.terms}", file=sys.stderr)
    kle = compute_kle(args.grid, args.terms, args.correlation_length)
    save_kle(args.out, kle, provenance(recorded_params(args)))
    print(f"wrote {args.out} in {time.perf_counter() - start:.1f} s; leading eigenvalues "
          f"{', '.join(f'{v:.2f}' for v in kle.values[:4])}", file=sys.stderr)


def _dataset(args: argparse.Namespace) -> None:
    from fieldvae.core.io import save_arrays
    from fieldvae.core.provenance import provenance
    from fieldvae.darcy.dataset import Split, generate
    from fieldvae.darcy.kle import load_kle
    from fieldvae.darcy.theta import SAMPLERS

    if args.theta not in SAMPLERS:
        raise ValueError(f"--theta: unknown distribution {args.theta!r}, expected one of {', '.join(SAMPLERS)}")
    split = Split(args.n_train, args.n_test, args.n_labelled)
    kle, kle_provenance = load_kle(args.kle)
    print(f"{split.total} samples: KLE{kle.terms} on {kle.grid} x {kle.grid}, theta {args.theta}, seed {args.seed}",
          file=sys.stderr)
    arrays = generate(kle, args.theta, split, args.seed, args.source_strength, args.well_width)
    params = {**recorded_params(args), "kle_params": kle_provenance["params"]}  # grid and covariance too
    save_arrays(args.out, arrays, provenance(params))
    print(f"wrote {args.out}", file=sys.stderr)
