"""`fieldvae table`, `summarise`, `claims`, `rule-calibration`, `protocol-study`, `results-page` and
`figure`: the paper's questions and figures, from the runs' scores.

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
    _add_figures(sub)


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
    p.add_argument("--tables", type=Path, nargs="+", required=True,
                   help="metrics tables of the study's experiments (<experiment>~<protocol>.csv)")
    p.add_argument("--benchmarks", type=Path, nargs="+", required=True,
                   help="Snakemake benchmark files of their training jobs, .../train/<experiment>/<run>.tsv")
    p.add_argument("--scale", required=True, help="the scale, named in the markdown")
    p.add_argument("--csv", type=Path, required=True, help="output .csv file")
    p.add_argument("--md", type=Path, required=True, help="output .md file")
    p.set_defaults(run=_protocol_study)


def _add_figures(sub) -> None:
    p = sub.add_parser("figure", help="render a figure of the paper")
    figures = p.add_subparsers(dest="figure", required=True, metavar="FIGURE")
    f = figures.add_parser("fig1", help="sample fields of KLE datasets")
    f.add_argument("--datasets", type=Path, nargs="+", required=True, help="dataset files, in reading order")
    f.add_argument("--sample", type=int, default=0, help="index of the sample shown from each dataset")
    f.add_argument("--out", type=Path, required=True, help="output figure (.pdf, .png, .svg)")
    f.set_defaults(run=_fig1)

    f = figures.add_parser("overview", help="figures 6, 8, 9, 11, 12, 15: a run (the best by S_D) at a glance")
    f.add_argument("--latents", type=Path, nargs="+", required=True, help="latents.npz of one or more runs")
    f.add_argument("--title", required=True)
    f.add_argument("--out", type=Path, required=True)
    f.set_defaults(run=_overview)

    f = figures.add_parser("fig3", help="loss landscape: lines from initialisations, random directions")
    f.add_argument("--lines", type=Path, required=True, help="lines.csv from `fieldvae landscape lines`")
    f.add_argument("--directions", type=Path, nargs="+", required=True, help="chunks from `landscape directions`")
    f.add_argument("--out", type=Path, required=True)
    f.set_defaults(run=_fig3)

    f = figures.add_parser("fig5", help="loss and S_D between two trained runs")
    f.add_argument("--between", type=Path, required=True, help="between.csv from `fieldvae landscape between`")
    f.add_argument("--out", type=Path, required=True)
    f.set_defaults(run=_fig5)

    f = figures.add_parser("fig4", help="rate-distortion plane: training paths and the fixed-beta sweep")
    f.add_argument("--reference", type=Path, required=True, help="run folder of a training-method run")
    f.add_argument("--sweep", type=Path, nargs="+", required=True, help="run folders beta<value>_seed<n>")
    f.add_argument("--out", type=Path, required=True)
    f.set_defaults(run=_fig4)

    f = figures.add_parser("fig7", help="latent means against the factors, with posterior uncertainty")
    f.add_argument("--latents", type=Path, required=True)
    f.add_argument("--out", type=Path, required=True)
    f.set_defaults(run=_fig7)

    f = figures.add_parser("fig10", help="rotation study: losses and S_D against the rotation angle")
    f.add_argument("--rotations", type=Path, nargs="+", required=True, help="rotation.csv of one or more runs")
    f.add_argument("--out", type=Path, required=True)
    f.set_defaults(run=_fig10)

    f = figures.add_parser("fig13", help="S_KL against S_D over trials")
    f.add_argument("--tables", type=Path, nargs="+", required=True, help="per-experiment metrics tables")
    f.add_argument("--out", type=Path, required=True)
    f.set_defaults(run=_fig13)

    f = figures.add_parser("protocol_study", help="the protocol study: rates per prior, protocol and data set")
    f.add_argument("--table", type=Path, required=True, help="protocol_study.csv from `fieldvae protocol-study`")
    f.add_argument("--out", type=Path, required=True)
    f.set_defaults(run=_protocol_study_figure)

    f = figures.add_parser("protocol_study_angles", help="the protocol study: code angles of failed and disentangled runs")
    f.add_argument("--study", type=json_settings, required=True, metavar="JSON",
                   help="the protocol_study section of config.yaml, as JSON (pairs, protocols, trials)")
    f.add_argument("--schedules", type=json_settings, required=True, metavar="JSON",
                   help="the schedule name of every experiment of the pairs, as JSON")
    f.add_argument("--tables", type=Path, nargs="+", required=True,
                   help="metrics tables of the study's experiments (<experiment>~<protocol>.csv)")
    f.add_argument("--rule-null", type=Path, required=True, help="rule_null.csv of `fieldvae rule-calibration`")
    f.add_argument("--out", type=Path, required=True)
    f.set_defaults(run=_protocol_study_angles)

    f = figures.add_parser("rule_calibration", help="the disentangled rule's decision curves on codes of known angle")
    f.add_argument("--curves", type=Path, required=True, help="rule_calibration.csv of `fieldvae rule-calibration`")
    f.add_argument("--out", type=Path, required=True)
    f.set_defaults(run=_rule_calibration_figure)

    f = figures.add_parser("fig14", help="disentanglement and training losses against the label count")
    f.add_argument("--runs", type=Path, nargs="+", required=True, help="run folders labels<count>_seed<n>")
    f.add_argument("--n-unlabelled", type=int, required=True, help="training-set size, for the label ratio")
    f.add_argument("--out", type=Path, required=True)
    f.set_defaults(run=_fig14)


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
    from fieldvae.paper.runs import run_name

    rows = claims.claims(load_rows(args.tables), args.n_train,
                         lines=load_rows([args.lines]) if args.lines else None,
                         directions=load_rows(args.directions) if args.directions else None,
                         between=load_rows([args.between]) if args.between else None,
                         rotations=[(run_name(p), load_rows([p])) for p in args.rotations] or None,
                         nulls=_null_shares(args.rule_null) if args.rule_null else None)
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


def _rule_calibration_figure(args: argparse.Namespace) -> None:
    from fieldvae.core.io import load_rows
    from fieldvae.core.style import save_figure
    from fieldvae.paper.plotting import rule_calibration as figure

    save_figure(figure.draw(load_rows([args.curves])), args)


def _results_page(args: argparse.Namespace) -> None:
    from fieldvae.paper import results_page

    sections = {"Lennard-Jones anomaly detection": args.lj_table}
    if args.protocol_study:
        sections["Protocol study"] = args.protocol_study
    results_page.write(args.out, args.scale, args.claims, sections, first=args.datasets,
                       last=[args.claims, *sections.values()], benchmarks=args.benchmarks)
    print(f"wrote {args.out}", file=sys.stderr)


def _fig1(args: argparse.Namespace) -> None:
    from fieldvae.core.dataset_file import load_dataset
    from fieldvae.core.style import save_figure
    from fieldvae.paper.plotting import fig1

    save_figure(fig1.draw([fig1.sample(load_dataset(path)[0], args.sample, path) for path in args.datasets]), args)


def _overview(args: argparse.Namespace) -> None:
    from fieldvae.core.io import load_arrays
    from fieldvae.core.style import save_figure
    from fieldvae.paper.plotting import overview
    from fieldvae.paper.runs import run_name

    runs = [{**load_arrays(p)[0], "name": run_name(p)} for p in args.latents]
    save_figure(overview.draw(runs, args.title), args)


def _fig3(args: argparse.Namespace) -> None:
    from fieldvae.core.io import load_rows
    from fieldvae.core.style import save_figure
    from fieldvae.paper.plotting import fig3

    save_figure(fig3.draw(load_rows([args.lines]), load_rows(args.directions)), args)


def _fig5(args: argparse.Namespace) -> None:
    from fieldvae.core.io import load_rows
    from fieldvae.core.style import save_figure
    from fieldvae.paper.plotting import fig5

    save_figure(fig5.draw(load_rows([args.between])), args)


def _fig4(args: argparse.Namespace) -> None:
    from fieldvae.core.io import load_columns
    from fieldvae.core.style import save_figure
    from fieldvae.paper.plotting import fig4
    from fieldvae.paper.runs import run_folder

    save_figure(fig4.draw(load_columns(args.reference / "history.csv"), [run_folder(p) for p in args.sweep]), args)


def _fig7(args: argparse.Namespace) -> None:
    from fieldvae.core.io import load_arrays
    from fieldvae.core.style import save_figure
    from fieldvae.paper.plotting import fig7

    save_figure(fig7.draw(load_arrays(args.latents)[0]), args)


def _fig10(args: argparse.Namespace) -> None:
    from fieldvae.core.io import load_rows
    from fieldvae.core.style import save_figure
    from fieldvae.paper.plotting import fig10
    from fieldvae.paper.runs import run_name

    save_figure(fig10.draw([{"name": run_name(p), "rows": load_rows([p])} for p in args.rotations]), args)


def _fig13(args: argparse.Namespace) -> None:
    from fieldvae.core.io import load_rows
    from fieldvae.core.style import save_figure
    from fieldvae.paper.plotting import fig13

    save_figure(fig13.draw({p.stem: load_rows([p]) for p in args.tables}), args)


def _fig14(args: argparse.Namespace) -> None:
    from fieldvae.core.style import save_figure
    from fieldvae.paper.plotting import fig14
    from fieldvae.paper.runs import run_folder

    save_figure(fig14.draw([run_folder(p) for p in args.runs], args.n_unlabelled), args)


def _protocol_study(args: argparse.Namespace) -> None:
    from collections import defaultdict

    from fieldvae.core.io import load_rows
    from fieldvae.paper import protocol_study

    seconds = defaultdict(list)
    for path in args.benchmarks:
        seconds[path.parent.name].append(protocol_study.training_seconds(path))
    rows = protocol_study.cells(args.study, args.schedules, {p.stem: load_rows([p]) for p in args.tables}, seconds)
    protocol_study.write(args.csv, args.md, rows, args.study, args.scale)
    print(args.md.read_text(), file=sys.stderr)


def _protocol_study_figure(args: argparse.Namespace) -> None:
    from fieldvae.core.io import load_rows
    from fieldvae.core.style import save_figure
    from fieldvae.paper.plotting import protocol_study

    save_figure(protocol_study.draw(load_rows([args.table])), args)


def _null_shares(path: Path) -> dict[str, float]:
    """data set -> the null share a test compares with (the upper end of the simulated share's
    interval), from the rule_null.csv of `fieldvae rule-calibration`."""
    from fieldvae.core.io import load_rows

    rows = load_rows([path])
    if not rows or not {"data", "null_upper"} <= set(rows[0]):
        raise ValueError(f"{path}: expected rule_null.csv from `fieldvae rule-calibration` (columns data, null_upper)")
    return {str(r["data"]): float(r["null_upper"]) for r in rows}


def _protocol_study_angles(args: argparse.Namespace) -> None:
    from fieldvae.core.io import load_rows
    from fieldvae.core.style import save_figure
    from fieldvae.paper import protocol_study
    from fieldvae.paper.plotting import protocol_angles

    rows = protocol_study.code_angles(args.study, args.schedules, {p.stem: load_rows([p]) for p in args.tables},
                                      _null_shares(args.rule_null))
    save_figure(protocol_angles.draw(rows), args)
    for r in rows:
        print(f"{r['data']}, {r['prior']}: {r['near_45']}/{r['failed']} failed runs near 45 degrees "
              f"(p = {r['p_near_45']}), {len(r['disentangled_angles'])} disentangled", file=sys.stderr)
