"""`fieldvae import-fields`, `train`, `encode`, `metrics`, `rotate`, `landscape`: a VAE run on any field
dataset, each step runnable by hand.

Each subcommand parses its arguments, calls one library function and writes what it returns; every
number is decided in the library.
"""

from __future__ import annotations

import argparse
import sys
import time
from functools import partial
from pathlib import Path

from fieldvae.core.cli_support import (add_training_options, finite_float,
                                       json_settings, recorded_params)


def add_commands(sub) -> None:

    p = sub.add_parser("import-fields", help="a dataset from a user's file of fields (.npz or HDF5), standardised")
    p.add_argument("--entry", type=json_settings, required=True, metavar="JSON",
                   help="the datasets entry of config.yaml, as JSON (file, fields, factors, factor_names, split, ...)")
    p.add_argument("--seed", type=int, required=True, help="draws the split when the entry gives counts")
    p.add_argument("--out", type=Path, required=True, help="output .npz file")
    p.set_defaults(run=_import_fields)

    p = sub.add_parser("train", help="train one DenseVAE run; resumes from its checkpoint if interrupted")
    p.add_argument("--data", type=Path, required=True, help="dataset from `fieldvae dataset`")
    p.add_argument("--model", type=json_settings, default={}, metavar="JSON",
                   help="ModelConfig fields as JSON, e.g. '{\"prior\": \"hierarchical\"}' (channels, height and width come from the data)")
    p.add_argument("--training", type=json_settings, default={}, metavar="JSON",
                   help="TrainingConfig fields as JSON, e.g. '{\"epochs\": 100, \"fixed_beta\": 10}'")
    p.add_argument("--seed", type=int, required=True, help="fixes initialisation, batches, noise and labels")
    add_training_options(p)
    p.set_defaults(run=_train)

    p = sub.add_parser("encode", help="latent means and log-variances of a dataset's train and test sets")
    p.add_argument("--model", type=Path, required=True, help="model.pt from `fieldvae train`")
    p.add_argument("--data", type=Path, required=True, help="the dataset to encode")
    p.add_argument("--device", choices=["auto", "cpu", "cuda"], default="auto")
    p.add_argument("--out", type=Path, required=True, help="output .npz file")
    p.set_defaults(run=_encode)

    p = sub.add_parser("metrics", help="all disentanglement scores and diagnostics of one trained run")
    p.add_argument("--latents", type=Path, required=True, help="latents.npz from `fieldvae encode`")
    p.add_argument("--history", type=Path, required=True, help="history.csv from `fieldvae train`")
    p.add_argument("--seed", type=int, required=True, help="the run's seed: fixes S_KL's samples and split")
    p.add_argument("--theta-distribution",
                   help="p(theta) of the run's dataset (standard, shifted, mixture, correlated): S_KL's reference; "
                        "without it (a dataset from a file), the training split's factors are the reference")
    p.add_argument("--out", type=Path, required=True, help="output .json file")
    p.set_defaults(run=_metrics)

    p = sub.add_parser("rotate", help="rotation study: a trained model's latent space rotated by angles")
    p.add_argument("--model", type=Path, required=True, help="model.pt from `fieldvae train`")
    p.add_argument("--data", type=Path, required=True, help="its dataset; the test set is used")
    p.add_argument("--angles", type=finite_float, nargs="+", default=[0, 15, 30, 45, 60, 75, 90], help="degrees")
    p.add_argument("--seed", type=int, default=0, help="fixes the noise shared by all angles")
    p.add_argument("--out", type=Path, required=True, help="output .csv file")
    p.set_defaults(run=_rotate)
    _add_landscape(sub)


def _add_landscape(sub) -> None:

    p = sub.add_parser("landscape", help="losses along lines in parameter space (figures 3 and 5)")
    kinds = p.add_subparsers(dest="kind", required=True, metavar="KIND")
    for kind, text in (("lines", "from Xavier-initialised networks to the trained one"),
                       ("directions", "along filter-normalised random directions out of the trained one"),
                       ("between", "between two trained networks, with S_D on the test set")):
        k = kinds.add_parser(kind, help=f"losses {text}")
        k.add_argument("--model", type=Path, required=True, help="model.pt of the trained run")
        k.add_argument("--history", type=Path, required=True, help="its history.csv: the loss uses its final beta")
        k.add_argument("--data", type=Path, required=True, help="its dataset")
        k.add_argument("--points", type=int, default=21, help="points per line")
        k.add_argument("--latent-samples", type=int, default=10, help="reparameterised draws per sample")
        k.add_argument("--samples", type=int, default=512, help="training samples per loss evaluation")
        k.add_argument("--seed", type=int, default=0, help="fixes noise, directions and initialisations")
        k.add_argument("--out", type=Path, required=True, help="output .csv file")
        k.set_defaults(run={"lines": _landscape_lines, "directions": _landscape_directions,
                            "between": _landscape_between}[kind])
        if kind == "lines":
            k.add_argument("--inits", type=int, default=10, help="number of initialised networks")
        if kind == "directions":
            k.add_argument("--first", type=int, required=True, help="index of the first direction of this chunk")
            k.add_argument("--count", type=int, required=True, help="directions in this chunk")
        if kind == "between":
            k.add_argument("--other", type=Path, required=True, help="model.pt of the second trained run")


def _import_fields(args: argparse.Namespace) -> None:
    from fieldvae.core.field_file import import_fields, problems
    from fieldvae.core.io import save_arrays
    from fieldvae.core.provenance import provenance

    found = problems(args.entry, "--entry key '")
    if found:
        raise ValueError("\n".join(found))
    arrays = import_fields(args.entry, args.seed)
    save_arrays(args.out, arrays, provenance(recorded_params(args)))
    sizes = ", ".join(f"{len(arrays[k])} {k.removesuffix('_index')}" for k in ("train_index", "test_index", "labelled_index"))
    print(f"wrote {args.out}: fields {arrays['fields'].shape} ({sizes}), {arrays['theta'].shape[1]} factors; "
          f"channel means {[float(f'{v:.4g}') for v in arrays['channel_mean']]}, standard deviations "
          f"{[float(f'{v:.4g}') for v in arrays['channel_std']]}", file=sys.stderr)


def _train(args: argparse.Namespace) -> None:
    from fieldvae.core.provenance import provenance
    from fieldvae.core.trainer import use_threads
    from fieldvae.vae.training.run import train_run

    use_threads(args.threads)
    history = train_run(args.data, args.model, args.training, args.seed, args.out_dir, args.device,
                        provenance(recorded_params(args)), args.compile_cache)
    print(f"wrote {args.out_dir / 'model.pt'} and history.csv after {len(history)} epochs", file=sys.stderr)


def _encode(args: argparse.Namespace) -> None:
    from fieldvae.core.dataset_file import load_dataset
    from fieldvae.core.io import save_arrays
    from fieldvae.core.provenance import provenance
    from fieldvae.core.trainer import pick_device
    from fieldvae.vae.encode import encode_model_file

    arrays, _ = load_dataset(args.data)
    latents, meta = encode_model_file(args.model, arrays, pick_device(args.device))
    save_arrays(args.out, latents, provenance({**recorded_params(args), "model_provenance": meta["provenance"]}))
    print(f"wrote {args.out}", file=sys.stderr)


def _metrics(args: argparse.Namespace) -> None:
    from fieldvae.core.io import load_arrays, load_columns, save_json
    from fieldvae.core.provenance import provenance
    from fieldvae.darcy.theta import sample_theta
    from fieldvae.vae.evaluate import evaluate, run_settings

    latents, latents_provenance = load_arrays(args.latents)
    start = time.perf_counter()
    sampler = partial(sample_theta, args.theta_distribution) if args.theta_distribution else None
    scores = evaluate(latents, load_columns(args.history), args.seed, sampler)
    save_json(args.out, {"run": run_settings(args.latents, latents_provenance), "scores": scores,
                         "provenance": provenance({**recorded_params(args), "latents": latents_provenance})})
    print("\n".join(f"{k:>22s}: {v}" for k, v in scores.items()), file=sys.stderr)
    print(f"wrote {args.out} in {time.perf_counter() - start:.1f} s", file=sys.stderr)


def _rotate(args: argparse.Namespace) -> None:
    from fieldvae.core.dataset_file import held_out_set, load_dataset
    from fieldvae.core.io import save_rows
    from fieldvae.vae.rotation import rotate_model_file

    rows = rotate_model_file(args.model, *held_out_set(load_dataset(args.data)[0]), args.angles, args.seed)
    save_rows(args.out, rows)
    print("\n".join(str(r) for r in rows), file=sys.stderr)


def _landscape_inputs(args: argparse.Namespace):
    """The trained model, its dataset, the training samples the loss averages over, and the run's
    final beta (the loss is the objective at that beta)."""
    from fieldvae.core.dataset_file import load_dataset
    from fieldvae.core.io import load_columns
    from fieldvae.vae.landscape import loss_samples
    from fieldvae.vae.models.store import load_model

    arrays, _ = load_dataset(args.data)
    return load_model(args.model)[0], arrays, loss_samples(arrays, args.samples), float(load_columns(args.history)["beta"][-1])


def _landscape_lines(args: argparse.Namespace) -> None:
    from fieldvae.core.io import save_rows
    from fieldvae.vae.landscape import lines_from_initialisations

    model, _, x, beta = _landscape_inputs(args)
    save_rows(args.out, lines_from_initialisations(model, x, beta, args.points, args.inits, args.latent_samples, args.seed))
    print(f"wrote {args.out} at beta {beta:.3g}", file=sys.stderr)


def _landscape_directions(args: argparse.Namespace) -> None:
    from fieldvae.core.io import save_rows
    from fieldvae.vae.landscape import lines_along_directions

    model, _, x, beta = _landscape_inputs(args)
    save_rows(args.out, lines_along_directions(model, x, beta, args.points, args.first, args.count, args.latent_samples,
                                               args.seed))
    print(f"wrote {args.out} at beta {beta:.3g}", file=sys.stderr)


def _landscape_between(args: argparse.Namespace) -> None:
    from fieldvae.core.dataset_file import held_out_set
    from fieldvae.core.io import save_rows
    from fieldvae.vae.landscape_between import line_between
    from fieldvae.vae.models.store import load_model

    model, arrays, x, beta = _landscape_inputs(args)
    save_rows(args.out, line_between(model, load_model(args.other)[0], x, beta, *held_out_set(arrays), args.points,
                                     args.latent_samples, args.seed))
    print(f"wrote {args.out} at beta {beta:.3g}", file=sys.stderr)
