"""`fieldvae lj ...`: the Lennard-Jones study's steps, each runnable by hand."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np

from fieldvae.core.cli_support import (add_training_options, finite_float,
                                       json_settings, recorded_params)


def add_commands(sub) -> None:
    lj = sub.add_parser("lj", help="second study: Lennard-Jones fluid under gravity (sample, train, encode, score, table)")
    steps = lj.add_subparsers(dest="step", required=True, metavar="STEP")

    p = steps.add_parser("sample", help="Metropolis samples: independent replicas, last configuration of each")
    p.add_argument("--gamma", type=finite_float, required=True, help="gravity m g sigma / epsilon")
    p.add_argument("--potential", default="lj", help="lj (cut at 3 sigma), fake (4 (r^-4 - r^-2)) or none")
    p.add_argument("--protocol", default="group", help="group (2500 sweeps from uniform, as published) or equilibrated")
    p.add_argument("--sweeps", type=int, default=None, help="override the protocol's sweeps")
    p.add_argument("--samples", type=int, required=True, help="replicas, one configuration each")
    p.add_argument("--box", type=finite_float, default=10.0)
    p.add_argument("--seed", type=int, required=True)
    p.add_argument("--out", type=Path, required=True, help="output .npz file")
    p.set_defaults(run=_sample)

    p = steps.add_parser("uniform", help="uniformly random configurations (an anomaly set)")
    p.add_argument("--samples", type=int, required=True)
    p.add_argument("--box", type=finite_float, default=10.0)
    p.add_argument("--seed", type=int, required=True)
    p.add_argument("--out", type=Path, required=True)
    p.set_defaults(run=_uniform)
    _add_model_steps(steps)


def _add_model_steps(steps) -> None:
    """The steps that train, encode with and score a model and the table; its figures are drawn by `fieldvae figure`."""
    p = steps.add_parser("train", help="train the distance-matrix VAE; resumes from its checkpoint")
    p.add_argument("--data", type=Path, nargs="+", required=True, help="sample files, one per training gamma")
    p.add_argument("--model", type=json_settings, default={}, metavar="JSON", help="LJModelConfig fields, e.g. '{\"channels\": [16, 16]}'")
    p.add_argument("--training", type=json_settings, default={}, metavar="JSON", help="LJTrainingConfig fields, e.g. '{\"epochs\": 30}'")
    p.add_argument("--seed", type=int, required=True, help="fixes the split, initialisation and batches")
    add_training_options(p)
    p.set_defaults(run=_train)

    p = steps.add_parser("encode", help="latent means of the training and held-out configurations; gamma from them")
    p.add_argument("--model", type=Path, required=True)
    p.add_argument("--data", type=Path, nargs="+", required=True, help="the training sample files, in training order")
    p.add_argument("--out", type=Path, required=True, help="output .npz file")
    p.set_defaults(run=_encode)

    p = steps.add_parser("score", help="anomaly scores of the held-out set and every anomaly set")
    p.add_argument("--model", type=Path, required=True)
    p.add_argument("--data", type=Path, nargs="+", required=True, help="the training sample files, in training order")
    p.add_argument("--anomaly", nargs="+", default=[], metavar="NAME=FILE", help="named sample files to score")
    p.add_argument("--displacements", type=finite_float, nargs="*", default=[],
                   help="amplitudes (normalised units) of moving 4 particles of held-out configurations")
    p.add_argument("--block", type=int, default=0, help="side of the blacked-out block (0: none)")
    p.add_argument("--seed", type=int, required=True)
    p.add_argument("--out", type=Path, required=True, help="output .npz file")
    p.set_defaults(run=_score)

    p = steps.add_parser("table", help="ROC AUC with bootstrap intervals, detection rates and verdicts, per anomaly set")
    p.add_argument("--scores", nargs="+", required=True, metavar="PROTOCOL=FILE",
                   help="from `fieldvae lj score`, one per sampling protocol")
    p.add_argument("--latents", nargs="+", required=True, metavar="PROTOCOL=FILE",
                   help="from `fieldvae lj encode`, one per protocol: the latent-gamma R^2")
    p.add_argument("--seed", type=int, default=0, help="bootstrap seed")
    p.add_argument("--csv", type=Path, required=True)
    p.add_argument("--claims-csv", type=Path, required=True, help="output .csv file: the study's claims L1, L2")
    p.add_argument("--md", type=Path, required=True)
    p.set_defaults(run=_table)


def _progress(done: int, total: int) -> None:
    print(f"{done}/{total} replicas", file=sys.stderr)


def _sample(args: argparse.Namespace) -> None:
    from fieldvae.core.io import save_arrays
    from fieldvae.core.provenance import provenance
    from fieldvae.lj.sampler import PROTOCOLS, LJSystem, sample

    if args.protocol not in PROTOCOLS:
        raise ValueError(f"--protocol: expected one of {', '.join(PROTOCOLS)}, got {args.protocol!r}")
    if args.samples < 1:
        raise ValueError(f"--samples: expected a positive count, got {args.samples}")
    system = LJSystem(gamma=args.gamma, potential=args.potential, box=args.box)
    protocol = PROTOCOLS[args.protocol]
    print(f"{args.samples} replicas, gamma {args.gamma}, potential {args.potential}, protocol {args.protocol} "
          f"({args.sweeps or protocol.sweeps} sweeps, step {protocol.step}, {protocol.start} start)", file=sys.stderr)
    result = sample(system, protocol, args.samples, args.seed, sweeps=args.sweeps, progress=_progress)
    save_arrays(args.out, result, provenance(recorded_params(args)))
    print(f"wrote {args.out}; mean energy per particle {np.mean(result['energy']) / system.n_particles:.3f}, "
          f"acceptance {np.mean(result['acceptance']):.2f}", file=sys.stderr)


def _uniform(args: argparse.Namespace) -> None:
    from fieldvae.core.io import save_arrays
    from fieldvae.core.provenance import provenance
    from fieldvae.lj.anomaly_sets import uniform_configurations

    positions = uniform_configurations(args.samples, args.seed, box=args.box)
    save_arrays(args.out, {"positions": positions}, provenance({**recorded_params(args), "gamma": float("nan")}))
    print(f"wrote {args.out}", file=sys.stderr)


def _train(args: argparse.Namespace) -> None:
    from fieldvae.core.provenance import provenance
    from fieldvae.core.settings import from_dict
    from fieldvae.core.trainer import pick_device, use_threads
    from fieldvae.lj.model import LJModelConfig, LJTrainingConfig
    from fieldvae.lj.training import train_distance_vae

    model_cfg = from_dict(LJModelConfig, args.model, "--model")
    cfg = from_dict(LJTrainingConfig, args.training, "--training")
    use_threads(args.threads)
    history = train_distance_vae(args.data, model_cfg, cfg, args.seed, args.out_dir, pick_device(args.device),
                                 provenance(recorded_params(args)), args.compile_cache)
    print(f"wrote {args.out_dir / 'model.pt'} and history.csv after {len(history)} epochs", file=sys.stderr)


def _score(args: argparse.Namespace) -> None:
    from fieldvae.core.io import save_arrays
    from fieldvae.core.provenance import provenance
    from fieldvae.lj.anomaly_sets import anomaly_sets
    from fieldvae.lj.scoring import score_sets
    from fieldvae.lj.training import load_configurations, load_trained

    files = dict(_named_file(text) for text in args.anomaly)
    trained = load_trained(args.model, args.data)
    named = {}
    for name, path in files.items():
        positions, _, box = load_configurations([path])
        named[name] = (positions, box)
    sets = anomaly_sets(trained.positions[trained.test], trained.box, named, args.displacements, args.block, args.seed)
    arrays = score_sets(trained.model, sets, trained.matrices(trained.train), trained.box, trained.kl_weight)
    save_arrays(args.out, arrays, provenance(recorded_params(args)))
    print(f"wrote {args.out}: {', '.join(f'{name} ({len(m)})' for name, m in sets.items())}", file=sys.stderr)


def _encode(args: argparse.Namespace) -> None:
    from fieldvae.core.io import save_arrays
    from fieldvae.core.provenance import provenance
    from fieldvae.lj.scoring import latent_summary
    from fieldvae.lj.training import load_trained

    t = load_trained(args.model, args.data)
    arrays = latent_summary(t.model, t.matrices(t.train), t.matrices(t.test), t.gammas[t.train], t.gammas[t.test])
    save_arrays(args.out, arrays, provenance(recorded_params(args)))
    print(f"wrote {args.out}; gamma from the latent means: held-out R^2 {float(arrays['gamma_r2']):.3f}", file=sys.stderr)


def _named_file(text: str, option: str = "--anomaly") -> tuple[str, Path]:
    name, sep, path = text.partition("=")
    if not sep or not name or not path:
        raise ValueError(f"{option}: expected NAME=FILE, got {text!r}")
    return name, Path(path)


def _table(args: argparse.Namespace) -> None:
    from fieldvae.core.io import load_arrays, save_rows
    from fieldvae.lj import claims
    from fieldvae.lj.anomaly import NORMAL
    from fieldvae.lj.scoring import (CONTROL_PREFIX, anomaly_table, sets_of,
                                     write_markdown)

    scores = dict(_named_file(text, "--scores") for text in args.scores)
    latents = dict(_named_file(text, "--latents") for text in args.latents)
    if set(scores) != set(latents):
        raise ValueError(f"--latents: expected the protocols of --scores ({', '.join(scores)}), got {', '.join(latents)}")
    sets = {p: sets_of(load_arrays(path)[0]) for p, path in scores.items()}
    codes = {p: load_arrays(path)[0] for p, path in latents.items()}
    rows = anomaly_table(sets, NORMAL, args.seed)
    judged = claims.claims(sets, codes, NORMAL, CONTROL_PREFIX)
    save_rows(args.csv, rows)
    claims.write(args.claims_csv, judged)
    write_markdown(args.md, rows, {p: float(a["gamma_r2"]) for p, a in codes.items()}, claims.markdown(judged))
    print(args.md.read_text(), file=sys.stderr)
