"""`fieldvae lj ...`: the Lennard-Jones study's steps, each runnable by hand."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np

from fieldvae.core.cli_support import json_settings, recorded_params, save_figure

NORMAL = "held-out"
# Figures: what they show, and the files they are drawn from.
FIGURES = {
    "samples": ("sample configurations per gamma and protocol", ["data"]),
    "physics": ("energy and height distributions per protocol", ["data"]),
    "reconstruction": ("held-out matrices, their reconstructions and recovered coordinates", ["model", "data"]),
    "traversal": ("decoded configurations along the leading principal components of the latents",
                  ["model", "data", "scores"]),
    "latent": ("latent means by PCA, coloured by gamma", ["scores"]),
    "anomaly": ("anomaly score distributions and ROC curves", ["scores"]),
}


def add_commands(sub) -> None:
    lj = sub.add_parser("lj", help="second study: Lennard-Jones fluid under gravity (sample, train, score, figure)")
    steps = lj.add_subparsers(dest="step", required=True, metavar="STEP")

    p = steps.add_parser("sample", help="Metropolis samples: independent replicas, last configuration of each")
    p.add_argument("--gamma", type=float, required=True, help="gravity m g sigma / epsilon")
    p.add_argument("--potential", default="lj", help="lj (cut at 3 sigma), fake (4 (r^-4 - r^-2)) or none")
    p.add_argument("--protocol", default="group", help="group (2500 sweeps from uniform, as published) or equilibrated")
    p.add_argument("--sweeps", type=int, default=None, help="override the protocol's sweeps")
    p.add_argument("--samples", type=int, required=True, help="replicas, one configuration each")
    p.add_argument("--box", type=float, default=10.0)
    p.add_argument("--seed", type=int, required=True)
    p.add_argument("--out", type=Path, required=True, help="output .npz file")
    p.set_defaults(run=_sample)

    p = steps.add_parser("uniform", help="uniformly random configurations (an anomaly set)")
    p.add_argument("--samples", type=int, required=True)
    p.add_argument("--box", type=float, default=10.0)
    p.add_argument("--seed", type=int, required=True)
    p.add_argument("--out", type=Path, required=True)
    p.set_defaults(run=_uniform)

    p = steps.add_parser("train", help="train the distance-matrix VAE; resumes from its checkpoint")
    p.add_argument("--data", type=Path, nargs="+", required=True, help="sample files, one per training gamma")
    p.add_argument("--model", type=json_settings, default={}, metavar="JSON", help="LJModelConfig fields, e.g. '{\"channels\": [16, 16]}'")
    p.add_argument("--training", type=json_settings, default={}, metavar="JSON", help="LJTrainingConfig fields, e.g. '{\"epochs\": 30}'")
    p.add_argument("--seed", type=int, required=True, help="fixes the split, initialisation and batches")
    p.add_argument("--device", choices=["auto", "cpu", "cuda"], default="auto")
    p.add_argument("--threads", type=int, default=0, help="CPU threads for PyTorch (0: its default)")
    p.add_argument("--out-dir", type=Path, required=True, help="writes model.pt and history.csv here")
    p.set_defaults(run=_train)

    p = steps.add_parser("score", help="anomaly scores of the held-out set and every anomaly set; latent means")
    p.add_argument("--model", type=Path, required=True)
    p.add_argument("--data", type=Path, nargs="+", required=True, help="the training sample files, in training order")
    p.add_argument("--anomaly", nargs="+", default=[], metavar="NAME=FILE", help="named sample files to score")
    p.add_argument("--displacements", type=float, nargs="*", default=[],
                   help="amplitudes (normalised units) of moving 4 particles of held-out configurations")
    p.add_argument("--block", type=int, default=0, help="side of the blacked-out block (0: none)")
    p.add_argument("--seed", type=int, required=True)
    p.add_argument("--out", type=Path, required=True, help="output .npz file")
    p.set_defaults(run=_score)

    p = steps.add_parser("table", help="ROC AUC with bootstrap intervals and detection rates, per anomaly set")
    p.add_argument("--scores", type=Path, required=True)
    p.add_argument("--seed", type=int, default=0, help="bootstrap seed")
    p.add_argument("--csv", type=Path, required=True)
    p.add_argument("--md", type=Path, required=True)
    p.set_defaults(run=_table)

    p = steps.add_parser("figure", help="render a figure of the Lennard-Jones study")
    figures = p.add_subparsers(dest="figure", required=True, metavar="FIGURE")
    for name, (text, inputs) in FIGURES.items():
        f = figures.add_parser(name, help=text)
        for option in inputs:
            f.add_argument(f"--{option}", type=Path, required=True, nargs="+" if option == "data" else None)
        f.add_argument("--out", type=Path, required=True)
        f.set_defaults(run=_figure)


def _progress(done: int, total: int) -> None:
    print(f"{done}/{total} replicas", file=sys.stderr)


def _sample(args: argparse.Namespace) -> None:
    from fieldvae.core.io import save_arrays
    from fieldvae.lj.sampler import PROTOCOLS, LJSystem, sample
    from fieldvae.core.provenance import provenance

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
    from fieldvae.lj.sampler import uniform_configurations
    from fieldvae.core.provenance import provenance

    positions = uniform_configurations(args.samples, args.seed, box=args.box)
    save_arrays(args.out, {"positions": positions}, provenance({**recorded_params(args), "gamma": float("nan")}))
    print(f"wrote {args.out}", file=sys.stderr)


def _train(args: argparse.Namespace) -> None:
    import torch

    from fieldvae.lj.model import LJModelConfig, LJTrainingConfig
    from fieldvae.lj.training import train_distance_vae
    from fieldvae.core.settings import from_dict
    from fieldvae.core.provenance import provenance
    from fieldvae.core.trainer import pick_device

    model_cfg = from_dict(LJModelConfig, args.model, "--model")
    cfg = from_dict(LJTrainingConfig, args.training, "--training")
    if args.threads:
        torch.set_num_threads(args.threads)
    history = train_distance_vae(args.data, model_cfg, cfg, args.seed, args.out_dir, pick_device(args.device),
                                 provenance(recorded_params(args)))
    print(f"wrote {args.out_dir / 'model.pt'} and history.csv after {len(history)} epochs", file=sys.stderr)


def _held_out(model_path: Path, data: list[Path]):
    """The model, the configurations and gammas it was trained on, the box, and the indices of its
    training and held-out configurations."""
    from fieldvae.lj.training import load_configurations, load_distance_vae

    model, record = load_distance_vae(model_path)
    positions, gammas, box = load_configurations(data)
    if len(gammas) != len(record["gammas"]) or not np.array_equal(gammas, record["gammas"]):
        raise ValueError(f"--data: these sample files are not the ones {model_path} was trained on (gammas differ)")
    test = record["test_index"]
    train = np.setdiff1d(np.arange(len(gammas)), test)
    return model, positions, gammas, box, train, test


def _score(args: argparse.Namespace) -> None:
    from fieldvae.core.io import save_arrays
    from fieldvae.lj.anomaly import black_out, displace
    from fieldvae.lj.geometry import distance_matrices
    from fieldvae.lj.scoring import gamma_r2, latent_means, score_matrices
    from fieldvae.lj.training import load_configurations
    from fieldvae.core.provenance import provenance
    from fieldvae.core.streams import rng

    named = dict(_named_file(text) for text in args.anomaly)
    model, positions, gammas, box, train, test = _held_out(args.model, args.data)
    reference = distance_matrices(positions[train], box)
    held_out = distance_matrices(positions[test], box)
    sets = {NORMAL: held_out}
    for name, path in named.items():
        anomalous, _, anomaly_box = load_configurations([path])
        if anomaly_box != box:
            raise ValueError(f"--anomaly {name}: box {anomaly_box} differs from the training box {box}")
        sets[name] = distance_matrices(anomalous, box)
    for amplitude in args.displacements:
        moved = displace(positions[test], 4, amplitude * box * np.sqrt(2), rng("lj_displacement", args.seed, f"{amplitude:g}"),
                         box=box)
        sets[f"displaced {amplitude:g}"] = distance_matrices(moved, box)
    if args.block:
        sets[f"blacked-out {args.block}x{args.block}"] = black_out(held_out, args.block, rng("lj_blackout", args.seed))

    arrays = {}
    for name, matrices in sets.items():
        for score, values in score_matrices(model, matrices, reference, box).items():
            arrays[f"{name}|{score}"] = values
        print(f"{name}: {len(matrices)} configurations, mean reconstruction error "
              f"{arrays[f'{name}|reconstruction'].mean():.3e}", file=sys.stderr)
    train_latents, test_latents = latent_means(model, reference), latent_means(model, held_out)
    r2 = gamma_r2(train_latents, gammas[train], test_latents, gammas[test])
    print(f"gamma from the latent means: R^2 {r2:.3f} on held-out configurations", file=sys.stderr)
    arrays.update({"train_latents": train_latents, "test_latents": test_latents, "train_gamma": gammas[train],
                   "test_gamma": gammas[test], "gamma_r2": np.array(r2)})
    save_arrays(args.out, arrays, provenance(recorded_params(args)))
    print(f"wrote {args.out}", file=sys.stderr)


def _named_file(text: str) -> tuple[str, Path]:
    name, sep, path = text.partition("=")
    if not sep or not name or not path:
        raise ValueError(f"--anomaly: expected NAME=FILE, got {text!r}")
    return name, Path(path)


def score_sets(arrays: dict) -> dict[str, dict[str, np.ndarray]]:
    """{set: {score: values}} from a scores file's arrays."""
    sets: dict[str, dict[str, np.ndarray]] = {}
    for key, values in arrays.items():
        if "|" in key:
            name, score = key.split("|")
            sets.setdefault(name, {})[score] = values
    return sets


def _table(args: argparse.Namespace) -> None:
    from fieldvae.core.io import load_arrays, save_rows
    from fieldvae.lj.scoring import anomaly_table, write_markdown

    arrays, _ = load_arrays(args.scores)
    rows = anomaly_table(score_sets(arrays), NORMAL, args.seed)
    save_rows(args.csv, rows)
    write_markdown(args.md, rows, float(arrays["gamma_r2"]))
    print(args.md.read_text(), file=sys.stderr)


def _samples_of(paths) -> list[dict]:
    from fieldvae.core.io import load_arrays

    out = []
    for path in paths:
        arrays, made = load_arrays(path)
        out.append({**arrays, **made["params"]})
    return out


def _figure(args: argparse.Namespace) -> None:
    from fieldvae.core.io import load_arrays
    from fieldvae.lj.geometry import distance_matrices
    from fieldvae.lj import plotting as lj

    if args.figure in ("samples", "physics"):
        draw = lj.samples if args.figure == "samples" else lj.physics
        save_figure(draw(_samples_of(args.data)), args)
        return
    arrays = load_arrays(args.scores)[0] if "scores" in FIGURES[args.figure][1] else {}
    if args.figure == "latent":
        fig = lj.latent(arrays["test_latents"], arrays["test_gamma"], float(arrays["gamma_r2"]))
    elif args.figure == "anomaly":
        fig = lj.anomaly(score_sets(arrays), NORMAL)
    else:
        model, positions, gammas, box, train, test = _held_out(args.model, args.data)
        if args.figure == "reconstruction":
            fig = lj.reconstruction(model, positions[test], gammas[test], distance_matrices(positions[test], box), box)
        else:
            fig = lj.traversal(model, arrays["train_latents"], box)
    save_figure(fig, args)
