"""`fieldvae table`, `summarise`, `claims`, `rule-calibration`, `protocol-study` and `results-page`:
the paper's questions, from the runs' scores (its figures: `fieldvae figure`, figure_command.py).

Each subcommand parses its arguments, calls one library function and writes what it returns; every
number is decided in the library.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from fieldvae.core.cli_support import json_settings


def add_commands(sub) -> None:

    p = sub.add_parser("table", help="gather metrics files of runs into one CSV table")
    p.add_argument("--metrics", type=Path, nargs="+", required=True,
                   help="metrics files .../<experiment>/<run>/metrics.json")
    p.add_argument("--out", type=Path, required=True, help="output .csv file")
    p.set_defaults(run=_table)

    p = sub.add_parser("summarise", help="a claims table: runs summarised per experiment and variant")
    p.add_argument("--tables", type=Path, nargs="+", required=True, help="per-experiment tables from `fieldvae table`")
    which = p.add_mutually_exclusive_group(required=True)
    which.add_argument("--table", help="which table of the paper: summary, labels or betas")
    which.add_argument("--experiment", help="an experiment on your own fields: the table of its runs")
    p.add_argument("--scale", required=True, help="the scale, named in the markdown")
    p.add_argument("--csv", type=Path, required=True, help="output .csv file")
    p.add_argument("--md", type=Path, required=True, help="output .md file")
    p.set_defaults(run=_summarise)

    p = sub.add_parser("claims", help="the paper's claims, each with our numbers, a test and a verdict")
    p.add_argument("--tables", type=Path, nargs="+", required=True, help="per-experiment tables from `fieldvae table`")
    p.add_argument("--n-train", type=int, required=True, help="training-set size, for label ratios")
    p.add_argument("--lines", type=Path, help="lines.csv of the landscape (figure 3)")
    p.add_argument("--directions", type=Path, nargs="*", default=[], help="directions chunks of the landscape")
    p.add_argument("--between", type=Path, help="between.csv (figure 5)")
    p.add_argument("--rotations", type=Path, nargs="*", default=[], help="rotation.csv of runs (figure 10)")
    p.add_argument("--rule-null", type=Path, help="rule_null.csv of `fieldvae rule-calibration` (C5's contrast)")
    p.add_argument("--scale", required=True, help="the scale, named in the markdown")
    p.add_argument("--csv", type=Path, required=True, help="output .csv file")
    p.add_argument("--md", type=Path, required=True, help="output .md file")
    p.add_argument("--calibration-csv", type=Path, required=True, help="output .csv file: the verdict calibration")
    p.add_argument("--calibration-md", type=Path, required=True, help="output .md file: the verdict calibration")
    p.set_defaults(run=_claims)

    p = sub.add_parser("results-page", help="results/<scale>/RESULTS.md: the built tables and what made the build")
    p.add_argument("--scale", required=True, help="the scale, named on the page")
    p.add_argument("--claims", type=Path, required=True, help="claims.csv from `fieldvae claims`")
    p.add_argument("--lj-table", type=Path, required=True, help="lj_anomaly.md from `fieldvae lj table`")
    p.add_argument("--protocol-study", type=Path, help="protocol_study.md from `fieldvae protocol-study`, if built")
    p.add_argument("--datasets", type=Path, nargs="+", required=True,
                   help="the build's datasets: the wall time counts from the first written")
    p.add_argument("--benchmarks", type=Path, nargs="+", required=True,
                   help="Snakemake benchmark files of the training jobs (their seconds are summed)")
    p.add_argument("--out", type=Path, required=True, help="output .md file")
    p.set_defaults(run=_results_page)
    _add_studies(sub)


def _add_studies(sub) -> None:

    p = sub.add_parser("rule-calibration", help="the disentangled rule on synthetic codes of known angle, and its null")
    p.add_argument("--datasets", type=Path, nargs="+", required=True,
                   help="dataset files whose test factors the codes are built from (those without factors are skipped)")
    p.add_argument("--trials", type=int, required=True, help="codes per (data set, warp, noise, angle)")
    p.add_argument("--null-codes", type=int, required=True, help="codes at uniform random angles per data set")
    p.add_argument("--seed", type=int, default=0, help="seed of the streams rule_calibration and rule_null")
    p.add_argument("--scale", required=True, help="the scale, named in the markdown")
    p.add_argument("--csv", type=Path, required=True, help="output .csv file: the decision curves")
    p.add_argument("--null-csv", type=Path, required=True, help="output .csv file: the null per data set")
    p.add_argument("--md", type=Path, required=True, help="output .md file")
    p.set_defaults(run=_rule_calibration)

    p = sub.add_parser("protocol-study", help="the hierarchical prior's effect per training protocol and data set")
    p.add_argument("--study", type=json_settings, required=True, metavar="JSON",
                   help="the protocol_study section of config.yaml, as JSON (pairs, protocols, trials)")
    p.add_argument("--schedules", type=json_settings, required=True, metavar="JSON",
                   help="the schedule name of every experiment of the pairs, as JSON")
    _add_study_files(p, "metrics tables of the study's experiments (<experiment>~<protocol>.csv)")
    p.set_defaults(run=_protocol_study)

    p = sub.add_parser("objectives-study", help="other objectives against the paper's priors")
    p.add_argument("--study", type=json_settings, required=True, metavar="JSON",
                   help="the objectives_study section of config.yaml, as JSON")
    _add_study_files(p, "metrics tables of the study's experiments and of those it compares them with")
    p.set_defaults(run=_objectives_study)


def _add_study_files(p, tables: str) -> None:
    """A study's inputs (metrics tables, benchmark files of their training jobs) and outputs."""
    p.add_argument("--tables", type=Path, nargs="+", required=True, help=tables)
    p.add_argument("--benchmarks", type=Path, nargs="+", required=True,
                   help="Snakemake benchmark files of their training jobs, .../train/<experiment>/<run>.tsv")
    p.add_argument("--scale", required=True, help="the scale, named in the markdown")
    p.add_argument("--csv", type=Path, required=True, help="output .csv file")
    p.add_argument("--md", type=Path, required=True, help="output .md file")


def _table(args: argparse.Namespace) -> None:
    from fieldvae.core.io import save_rows
    from fieldvae.paper.runs import gather

    rows = gather(args.metrics)
    save_rows(args.out, rows)
    print(f"wrote {args.out}: {len(rows)} runs", file=sys.stderr)


def _summarise(args: argparse.Namespace) -> None:
    from fieldvae.core.io import load_rows
    from fieldvae.paper.summary import (TABLES, own_table, select, summarise,
                                        write)

    if args.table is not None and args.table not in TABLES:
        raise ValueError(f"--table: expected one of {', '.join(TABLES)}, got {args.table!r}")
    runs = load_rows(args.tables)
    spec = TABLES[args.table] if args.table else own_table(args.experiment,
                                                            any(r.get("factor_scores_reason") is None for r in runs))
    rows = summarise(select(runs, spec))
    write(args.csv, args.md, rows, spec, args.scale)
    print(args.md.read_text(), file=sys.stderr)


def _claims(args: argparse.Namespace) -> None:
    from fieldvae.core.io import load_rows
    from fieldvae.paper import claims, claims_table
    from fieldvae.paper.rule_calibration import null_shares
    from fieldvae.paper.runs import run_name

    rows = claims.claims(load_rows(args.tables), args.n_train,
                         lines=load_rows([args.lines]) if args.lines else None,
                         directions=load_rows(args.directions) if args.directions else None,
                         between=load_rows([args.between]) if args.between else None,
                         rotations=[(run_name(p), load_rows([p])) for p in args.rotations] or None,
                         nulls=null_shares(args.rule_null) if args.rule_null else None)
    claims_table.write(args.csv, args.md, rows, args.scale)
    claims_table.write_calibration(args.calibration_csv, args.calibration_md, rows, args.scale)
    print(args.md.read_text(), file=sys.stderr)


def _rule_calibration(args: argparse.Namespace) -> None:
    from fieldvae.core.dataset_file import load_dataset
    from fieldvae.core.streams import rng
    from fieldvae.paper import rule_calibration

    factors = {}
    for path in args.datasets:
        arrays, _ = load_dataset(path)
        theta = arrays["theta"][arrays["test_index"]]
        if theta.shape[1] >= 2:  # an angle needs two factors
            factors[path.stem] = theta
    if not factors:
        raise ValueError("--datasets: none has two or more generating factors to build codes from")
    curves = []
    for name, theta in factors.items():
        curves += rule_calibration.decision_curves({name: theta}, args.trials, rng("rule_calibration", args.seed, name))
        print(f"{name}: {len(curves)} cells done", file=sys.stderr, flush=True)
    nulls = [{"data": name, **rule_calibration.null_near_45(theta, args.null_codes, rng("rule_null", args.seed, name)),
              "stream": "rule_null", "seed": args.seed} for name, theta in factors.items()]
    flips = rule_calibration.flip_angles(curves)
    rule_calibration.write(args.csv, args.null_csv, args.md, curves, flips, nulls, args.scale, args.seed)
    print(args.md.read_text(), file=sys.stderr)


def _results_page(args: argparse.Namespace) -> None:
    from fieldvae.paper import results_page

    sections = {"Lennard-Jones anomaly detection": args.lj_table}
    if args.protocol_study:
        sections["Protocol study"] = args.protocol_study
    results_page.write(args.out, args.scale, args.claims, sections, first=args.datasets,
                       last=[args.claims, *sections.values()], benchmarks=args.benchmarks)
    print(f"wrote {args.out}", file=sys.stderr)


def _protocol_study(args: argparse.Namespace) -> None:
    from fieldvae.core.io import load_rows
    from fieldvae.paper import protocol_study

    seconds = _training_seconds(args.benchmarks)
    rows = protocol_study.cells(args.study, args.schedules, {p.stem: load_rows([p]) for p in args.tables}, seconds)
    protocol_study.write(args.csv, args.md, rows, args.study, args.scale)
    print(args.md.read_text(), file=sys.stderr)


def _objectives_study(args: argparse.Namespace) -> None:
    from fieldvae.core.io import load_rows
    from fieldvae.paper import objectives_study

    tables = {p.stem: load_rows([p]) for p in args.tables}
    rows = objectives_study.cells(args.study, tables, _training_seconds(args.benchmarks))
    shares = objectives_study.score_shares(args.study, tables)
    objectives_study.write(args.csv, args.md, rows, args.study, args.scale, shares)
    print(args.md.read_text(), file=sys.stderr)


def _training_seconds(paths) -> dict[str, list[float]]:
    """experiment -> the wall seconds of each of its training jobs, from Snakemake's benchmark files."""
    from fieldvae.paper.protocol_study import training_seconds

    seconds = {}
    for path in paths:
        seconds.setdefault(path.parent.name, []).append(training_seconds(path))
    return seconds
