"""The protocol study: does the hierarchical prior's effect on mixture and shifted data depend on how
the runs are trained? The paper says it does ("more epochs are required in the reconstruction only
phase ... to avoid over-regularization"), and its schedules differ from the reduced ones in the share
of reconstruction-only epochs, the total epochs and the learning rate.

A protocol changes the scale's schedules, per schedule name, by factors and fractions, so one study
means the same at every scale: `schedule` (start from another schedule of the scale: both priors can
train the same one, so prior and schedule come apart), `epochs_factor` (total epochs),
`recon_fraction` (the share of them trained at beta0 before the beta update starts), `lr_factor`
(every learning rate). Each cell of the study, (protocol, data), trains `trials` seeds of a
standard-prior and a hierarchical-prior experiment, as the virtual experiments
`<experiment>~<protocol>`, and compares their rates of disentangled and of over-regularised runs
with the claims table's tests. An experiment whose schedule a protocol leaves unchanged ({}) is the
scale's own, with its own trials: its runs are read, not trained again.
"""

from __future__ import annotations

import csv
import math
from pathlib import Path

from fieldvae.core.io import atomic_path, save_rows
from fieldvae.core.stats import binomial_test, holm, wilson
from fieldvae.core.verdicts import compare_rates, decide
from fieldvae.paper.claim_measures import near_45

SEPARATOR = "~"  # <experiment>~<protocol>
CHANGES = ("schedule", "epochs_factor", "recon_fraction", "lr_factor")
# the cells' comparisons: the flag, the arm the paper says has it more often, the other
COMPARISONS = (("disentangled", "hierarchical", "standard"), ("over_regularised", "standard", "hierarchical"))
# diverged runs counted in n as neither flag (""), and left out ("_without_diverged")
DIVERGED = ("", "_without_diverged")


def protocol_schedule(schedules: dict[str, dict], name: str, changes: dict) -> dict:
    """Schedule `name` of a scale's `schedules` (TrainingConfig fields) under a protocol's changes for it."""
    unknown = sorted(set(changes) - set(CHANGES))
    if unknown:
        raise ValueError(f"protocol: unknown change {', '.join(unknown)}; expected only {', '.join(CHANGES)}")
    start = changes.get("schedule", name)
    if start not in schedules:
        raise ValueError(f"protocol: schedule {start!r} is not a schedule of the scale ({', '.join(schedules)})")
    schedule = schedules[start]
    factor = changes.get("epochs_factor", 1.0)
    epochs = max(1, round(schedule["epochs"] * factor))
    recon = changes.get("recon_fraction")
    recon_epochs = round(recon * epochs) if recon is not None else min(epochs, round(schedule["recon_epochs"] * factor))
    lr = [[round(first * factor), rate * changes.get("lr_factor", 1.0)] for first, rate in schedule["lr"]]
    return {**schedule, "epochs": epochs, "recon_epochs": recon_epochs, "lr": lr}


def cell_experiment(study: dict, schedules: dict[str, str], name: str, protocol: str) -> str:
    """The experiment a cell reads for one experiment of a pair (schedules: experiment -> its schedule
    name): the scale's own where the protocol leaves its schedule unchanged, else the virtual
    `<name>~<protocol>`."""
    return f"{name}{SEPARATOR}{protocol}" if study["protocols"][protocol].get(schedules[name]) else name


def cell_experiments(study: dict, schedules: dict[str, str]) -> list[str]:
    """Every experiment the study's cells read, in cell order, each once (pairs may share one)."""
    return list(dict.fromkeys(cell_experiment(study, schedules, name, protocol)
                              for protocol in study["protocols"] for pair in study["pairs"].values() for name in pair))


def experiments(study: dict, base: dict) -> dict[str, dict]:
    """The study's virtual experiments: for every protocol and every experiment of every pair whose
    schedule it changes, the base experiment with its protocol's changes (`protocol`) and the study's
    trial count (`trials`)."""
    out = {}
    for protocol, changes in study["protocols"].items():
        for pair in study["pairs"].values():
            for name in pair:
                if changes.get(base[name]["schedule"]):
                    out[f"{name}{SEPARATOR}{protocol}"] = {**base[name], "trials": study["trials"],
                                                           "protocol": changes[base[name]["schedule"]]}
    return out


def training_seconds(path) -> float:
    """Wall seconds of a training job from its Snakemake benchmark file (a TSV with column `s`)."""
    with open(path, newline="") as f:
        return float(next(csv.DictReader(f, delimiter="\t"))["s"])


def cells(study: dict, schedules: dict[str, str], tables: dict[str, list[dict]],
          seconds: dict[str, list[float]]) -> list[dict]:
    """One row per (protocol, data): per prior the counts and Wilson intervals of disentangled and of
    over-regularised runs, and the count of diverged runs (in n, as neither); Boschloo tests of 'the
    hierarchical prior disentangles more often' and of 'the standard prior over-regularises more
    often', with diverged runs counted and left out, their p-values Holm-adjusted over the cells (per
    comparison and treatment of diverged runs) and verdicts from the adjusted ones; the cell's
    training cost in core-minutes (one thread per job)."""
    rows = []
    for protocol in study["protocols"]:
        for data, (standard, hierarchical) in study["pairs"].items():
            names = [cell_experiment(study, schedules, name, protocol) for name in (standard, hierarchical)]
            arms = dict(zip(("standard", "hierarchical"), (tables[name] for name in names)))
            row = {"protocol": protocol, "data": data}
            for label, runs in arms.items():
                row[f"{label}_diverged"] = sum(bool(r.get("diverged")) for r in runs)
                for flag in ("disentangled", "over_regularised"):
                    k, n = sum(bool(r[flag]) for r in runs), len(runs)
                    low, high = wilson(k, n)
                    row.update({f"{label}_{flag}": k, f"{label}_n": n, f"{label}_{flag}_low": low,
                                f"{label}_{flag}_high": high})
            for flag, more, fewer in COMPARISONS:
                for suffix in DIVERGED:
                    kept = {label: [r for r in runs if not (suffix and r.get("diverged"))] for label, runs in arms.items()}
                    if not all(kept.values()):  # every run of an arm diverged: nothing left to compare
                        row.update({f"{flag}_p{suffix}": None, f"{flag}_p_opposite{suffix}": None,
                                    f"{flag}_trials{suffix}": None})
                        continue
                    test = compare_rates(*((label, sum(bool(r[flag]) for r in kept[label]), len(kept[label]))
                                           for label in (more, fewer)), "")
                    row.update({f"{flag}_p{suffix}": test["p_reproduce"],
                                f"{flag}_p_opposite{suffix}": test["p_contradict"], f"{flag}_trials{suffix}": test["trials"]})
            row["core_minutes"] = sum(sum(seconds[name]) for name in names) / 60
            rows.append(row)
    _adjust(rows)
    return rows


def _adjust(rows: list[dict]) -> None:
    """Holm over the cells that have a test, per comparison, direction and treatment of diverged
    runs; verdicts from the adjusted p-values (none where an arm has no run left)."""
    for flag, _, _ in COMPARISONS:
        for suffix in DIVERGED:
            tested = [row for row in rows if row[f"{flag}_trials{suffix}"] is not None]
            for p in (f"{flag}_p{suffix}", f"{flag}_p_opposite{suffix}"):
                for row in rows:
                    row[f"{p}_holm"] = None
                for row, adjusted in zip(tested, holm([row[p] for row in tested])):
                    row[f"{p}_holm"] = adjusted
            for row in rows:
                row[f"{flag}_verdict{suffix}"] = ("no test: every run of an arm diverged" if row not in tested else
                                                  decide(row[f"{flag}_p{suffix}_holm"],
                                                         row[f"{flag}_p_opposite{suffix}_holm"], row[f"{flag}_trials{suffix}"]))


def code_angles(study: dict, schedules: dict[str, str], tables: dict[str, list[dict]],
                nulls: dict[str, float]) -> list[dict]:
    """Where the codes of each prior's runs sit, pooled over the protocols, per data set: the code
    angles (0: axis-aligned, 45: diagonal) of the disentangled runs and of the runs that failed without
    over-regularising, and how many failures sit within 15 degrees of 45 (claim_measures.near_45; the paper: the
    failures are near a 45 degree rotation) with the exact binomial p of 'more often than the rule's
    failures of codes at uniform random angles on the same data' (nulls: that share per data set,
    fieldvae.paper.rule_calibration; None where the data set has none)."""
    rows = []
    for data, pair in study["pairs"].items():
        for label, name in zip(("standard", "hierarchical"), pair):
            read = dict.fromkeys(cell_experiment(study, schedules, name, protocol) for protocol in study["protocols"])
            runs = [r for experiment in read for r in tables[experiment] if not r.get("diverged")]  # each once
            failures = [r.get("code_angle") for r in runs if not r["disentangled"] and not r["over_regularised"]]
            failed = [a for a in failures if isinstance(a, float) and math.isfinite(a)]  # those with an angle, shown
            near = sum(near_45(angle) for angle in failures)
            null = nulls.get(data)
            rows.append({"data": data, "prior": label, "failed_angles": failed,
                         "disentangled_angles": [r["code_angle"] for r in runs if r["disentangled"]],
                         "near_45": near, "failed": len(failures), "null_share": null,
                         "p_near_45": binomial_test(near, len(failures), null, "greater") if failures and null else None})
    return rows


def write(csv_path, md_path, rows: list[dict], study: dict, scale: str) -> None:
    save_rows(csv_path, rows)
    lines = [f"# Protocol study ({scale} scale)", "",
             "Per cell (protocol, data) the runs of the standard and of the hierarchical prior: disentangled and "
             "over-regularised counts with 95% Wilson intervals; Boschloo one-sided tests of the paper's direction "
             "(HP disentangles more often; the standard prior over-regularises more often), p < 0.05 in it: "
             "`reproduced`, in the opposite direction: `contradicted`, after Holm's adjustment over the cells (per "
             "comparison and direction); p: raw (Holm). Diverged: runs whose training diverged, counted in n as "
             "neither disentangled nor over-regularised; 'without diverged' repeats each test with them left out. "
             "Cost: training core-minutes of the cell.",
             "",
             "Protocols (changes to the scale's schedules): "
             + "; ".join(f"`{name}` {changes or 'none'}" for name, changes in study["protocols"].items()), "",
             "| protocol | data | disentangled: standard | HP | p | verdict | without diverged "
             "| over-regularised: standard | HP | p | verdict | without diverged | diverged: standard | HP | core-min |",
             "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|"]
    for r in rows:
        values = [r["protocol"], r["data"]]
        for flag in ("disentangled", "over_regularised"):
            without = r[f"{flag}_p_without_diverged_holm"]
            values += [_fraction(r, "standard", flag), _fraction(r, "hierarchical", flag),
                       f"{r[f'{flag}_p']:.3f} ({r[f'{flag}_p_holm']:.3f})", r[f"{flag}_verdict"],
                       r[f"{flag}_verdict_without_diverged"] + ("" if without is None else f" (Holm p {without:.3f})")]
        values += [str(r["standard_diverged"]), str(r["hierarchical_diverged"])]
        lines.append("| " + " | ".join(values) + f" | {r['core_minutes']:.0f} |")
    with atomic_path(md_path) as tmp:
        Path(tmp).write_text("\n".join(lines) + "\n")


def _fraction(row: dict, label: str, flag: str) -> str:
    return (f"{row[f'{label}_{flag}']}/{row[f'{label}_n']} "
            f"[{row[f'{label}_{flag}_low']:.2f}, {row[f'{label}_{flag}_high']:.2f}]")

