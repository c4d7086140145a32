"""What each claim of the paper counts in the built tables: the runs a rate is over, the arms of a
comparison, the lines of the loss landscape with a dip, the rotated runs, the label sweep's groups.
Each measure returns what fieldvae.core.verdicts judges, or raises NotMeasured with the reason."""

from __future__ import annotations

import math
from collections import defaultdict

import numpy as np

from fieldvae.core import stats
from fieldvae.core.verdicts import (Rate, directional, finite, fraction, g,
                                    slope_text, trials)
from fieldvae.paper.margins import (DIP_MARGIN, DIP_TOLERANCE, IDENTICAL_SHARE,
                                    NEAR_45_DEGREES)
from fieldvae.paper.run_ids import one_percent_labels


class NotMeasured(Exception):
    """A claim's input is missing; the message is the reason shown in the table."""


def runs_of(runs, name: str) -> list[dict]:
    if not runs.get(name):
        raise NotMeasured(f"no runs of experiment {name!r}")
    return runs[name]


def flags(runs, experiment: str, flag: str) -> tuple[int, int, str]:
    members = runs_of(runs, experiment)
    return sum(bool(r[flag]) for r in members), len(members), f"{flag} runs of {experiment}"


def arms(runs, flag: str, more: str, fewer: str) -> tuple[tuple, tuple, str]:
    k1, n1, _ = flags(runs, more, flag)
    k2, n2, _ = flags(runs, fewer, flag)
    return (more, k1, n1), (fewer, k2, n2), f"{flag} runs of {more} against {fewer}"


def with_null(numbers: Rate, nulls: dict[str, float], data: str) -> Rate:
    if data not in nulls:
        raise NotMeasured(f"no simulated null of the disentangled rule on {data} data (rule calibration)")
    return numbers._replace(p_alt=nulls[data])


def near_45_failures(runs) -> tuple[int, int, str]:
    failed = [r for r in runs_of(runs, "mixture_hierarchical")
              if not r["disentangled"] and not r["over_regularised"] and not r.get("diverged")]
    if not failed:
        raise NotMeasured("no mixture_hierarchical run failed without over-regularising")
    k = sum(near_45(r.get("code_angle")) for r in failed)
    return k, len(failed), (f"failed mixture_hierarchical runs (not disentangled, not over-regularised, not diverged) "
                            f"whose code angle is within {NEAR_45_DEGREES:g} degrees of 45 (a failure without an "
                            "angle is not)")


def near_45(angle) -> bool:
    """Whether a code angle (None or NaN: the code has none) lies within NEAR_45_DEGREES of 45."""
    return finite(angle) and abs(angle - 45) <= NEAR_45_DEGREES


def large_beta(runs) -> tuple[int, int, str]:
    large = [r for r in runs_of(runs, "beta_sweep") if 5 <= r["beta"] <= 100]
    if not large:
        raise NotMeasured("no beta between 5 and 100 in the sweep")
    betas = sorted({r["beta"] for r in large})
    return (sum(bool(r["over_regularised"]) for r in large), len(large),
            f"over-regularised beta_sweep runs at beta {', '.join(map(g, betas))}")


def has_dip(losses, margin: float = DIP_MARGIN, tolerance: float = DIP_TOLERANCE) -> bool:
    """Whether some interior point lies below a point before it and a point after it by more than
    `margin` of its own loss (and more than `tolerance`): a local minimum with walls of a stated
    height, not a wiggle of the sampled loss profile."""
    y = np.asarray(losses, dtype=float)
    if len(y) < 3:
        return False
    before = np.maximum.accumulate(y)[:-2]  # max of y[:i] for each interior i
    after = np.maximum.accumulate(y[::-1])[::-1][2:]  # max of y[i + 1:]
    depth = np.maximum(margin * np.abs(y[1:-1]), tolerance)
    return bool(np.any((before - y[1:-1] > depth) & (after - y[1:-1] > depth)))


def dips(landscape, key: str, position: str, name: str) -> tuple[int, int, str]:
    if not landscape:
        raise NotMeasured(f"no {name} of the loss landscape")
    profiles = defaultdict(list)
    for row in landscape:
        profiles[row[key]].append((row[position], row["loss"]))
    k = sum(has_dip([loss for _, loss in sorted(points)]) for points in profiles.values())
    return k, len(profiles), (f"{name} whose sampled loss has an interior point below a point before it and a "
                              f"point after it by more than {DIP_MARGIN:.0%} of its loss (and {DIP_TOLERANCE:g}): a "
                              f"local minimum strictly inside the {position} range; loss clipped at 1000")


def between_runs(between) -> dict:
    if not between:
        raise NotMeasured("no line between two trained standard runs")
    points = sorted((r["t"], r["loss"], r["s_d"]) for r in between)
    (_, loss0, s_d0), (_, loss1, s_d1) = points[0], points[-1]
    barrier = max((p[1] for p in points[1:-1]), default=math.nan) - max(loss0, loss1)
    return {"measured": f"end losses {loss0:.4g}, {loss1:.4g}; end S_D {s_d0:.3f}, {s_d1:.3f}; "
                        f"barrier (highest interior loss above the higher end) {barrier:.4g}",
            "test": "none: one pair of runs gives no test", "verdict": "inconclusive at 1 pair",
            "trials": "1 pair", "best": None, "sizes": (1,),
            "how": "loss and S_D along the line between two standard runs"}


def rotation(rotations, runs) -> dict:
    """Only disentangled runs: rotating a code that already sits near 45 degrees raises S_D, so a
    sign test over every run would test nothing (the paper rotates a disentangled one)."""
    if not rotations:
        raise NotMeasured("no rotation study")
    aligned = {f"{r['experiment']}/{r['run']}" for rows in runs.values() for r in rows if r.get("disentangled")}
    rotations = [(name, rows) for name, rows in rotations if name in aligned]
    if not rotations:
        raise NotMeasured("no rotated run is disentangled")
    drops, changes = 0, defaultdict(list)
    for _, rows in rotations:
        start = min(rows, key=lambda r: abs(r["angle"]))
        turned = min(rows, key=lambda r: abs(r["angle"] - 45))
        drops += turned["s_d"] < start["s_d"]
        for name in ("reg_per_latent", "reg_per_latent_diagonal"):
            if finite(start.get(name)) and finite(turned.get(name)):
                changes[name].append(turned[name] - start[name])
    n = len(rotations)
    measured = [f"S_D lower at 45 than at 0 degrees in {fraction(drops, n)}"]
    measured += [f"change of {name} mean {np.mean(v):.3g} [min {min(v):.3g}, max {max(v):.3g}]"
                 for name, v in changes.items()]
    return directional(stats.binomial_test(drops, n, 0.5, "greater"), stats.binomial_test(drops, n, 0.5, "less"),
                        trials(n), lambda runs: stats.binomial_test(runs, runs, 0.5, "greater"), (n,),
                        p_paper="not stated", measured="; ".join(measured),
                        test="sign test (exact binomial vs 0.5, one-sided each way)",
                        how="per rotated run, S_D and regularisers at the angles nearest 45 and 0 degrees")


def label_runs(runs) -> dict[int, list[dict]]:
    by_count = defaultdict(list)
    for r in runs_of(runs, "semi_supervised"):
        by_count[int(r["labels"])].append(r)
    return dict(sorted(by_count.items()))


def one_percent(counts, n_train: int) -> list[int]:
    count = one_percent_labels(counts, n_train)
    return [] if count is None else [count]


def three_to_eight_percent(counts, n_train: int) -> list[int]:
    return [c for c in counts if 0.03 <= c / n_train <= 0.08]


def labelled(runs, n_train: int, pick, passes, what: str) -> tuple[int, int, str]:
    """Runs at the label counts `pick` chooses, and how many of them `passes`."""
    by_count = label_runs(runs)
    counts = pick(list(by_count), n_train)
    if not counts:
        raise NotMeasured(f"no label count in the range (have {', '.join(map(str, by_count))} of {n_train})")
    members = [r for c in counts for r in by_count[c]]
    return (sum(bool(passes(r)) for r in members), len(members),
            f"{what} at {', '.join(f'{c} labels ({c / n_train:.2%})' for c in counts)}")


def identical(row: dict) -> bool:
    return (row.get("diagonal_share") or 0.0) >= IDENTICAL_SHARE


def loss_groups(runs, score: str) -> dict[float, list[float]]:
    """log2(label count) -> the score of each semi-supervised run at that count."""
    groups = {math.log2(c): [r[score] for r in rs if finite(r.get(score))] for c, rs in label_runs(runs).items()}
    groups = {x: ys for x, ys in groups.items() if ys}
    if len(groups) < 2 or sum(len(ys) - 1 for ys in groups.values()) < 1:
        raise NotMeasured(f"{score}: needs two label counts and a repeated one (for the within-count scatter)")
    return groups


def increases(runs) -> dict:
    points = [(math.log2(r["labels"]), r["s_d"]) for r in runs_of(runs, "semi_supervised")
              if finite(r.get("s_d"))]
    if len({x for x, _ in points}) < 2 or len(points) < 3:
        raise NotMeasured("needs S_D at two label counts and three runs")
    fit = stats.slope(*zip(*points))
    return directional(stats.slope_test(fit, 0.0, "greater"), stats.slope_test(fit, 0.0, "less"),
                        trials(len(points)), lambda runs: 0.0, (len(points),),  # a perfect rising fit
                        p_paper="slope > 0",
                        measured=slope_text(fit, "label count"),
                        test="one-sided t-tests of the OLS slope: reproduce (> 0), contradict (< 0)",
                        how="OLS of the S_D of each semi_supervised run on log2(label count)")


def more_consistent(runs) -> tuple[tuple, tuple, str]:
    by_count = label_runs(runs)
    if len(by_count) < 2:
        raise NotMeasured("needs two label counts")
    few, many = min(by_count), max(by_count)
    k1, k2 = (sum(bool(r["disentangled"]) for r in by_count[c]) for c in (many, few))
    return ((f"{many} labels", k1, len(by_count[many])), (f"{few} labels", k2, len(by_count[few])),
            "disentangled semi_supervised runs at the largest against the smallest label count")


def s_kl_with_labels(runs, n_train: int) -> dict:
    """fig15: S_KL at the label count that reads as 1% (as C12) against runs of the same prior and
    schedule without labels (experiment `unlabelled`), so only the labels differ."""
    by_count = label_runs(runs)
    counts = one_percent(by_count, n_train)
    if not counts:
        raise NotMeasured(f"no label count of at least 1% (have {', '.join(map(str, by_count))} of {n_train})")
    (count,) = counts
    labelled = [r["s_kl"] for r in by_count[count] if finite(r.get("s_kl"))]
    unlabelled = [r["s_kl"] for r in runs_of(runs, "unlabelled") if finite(r.get("s_kl"))]
    if not labelled or not unlabelled:
        raise NotMeasured("no S_KL scores for one of the groups")
    return directional(stats.mann_whitney(labelled, unlabelled, "less"),
                        stats.mann_whitney(labelled, unlabelled, "greater"),
                        f"{len(labelled)} vs {len(unlabelled)} trials",
                        lambda a, b: stats.mann_whitney(range(a), range(a, a + b), "less"),  # fully separated
                        (len(labelled), len(unlabelled)), p_paper="lower with labels",
                        measured=f"median S_KL {np.median(labelled):.3g} ({count} labels, {len(labelled)} runs) vs "
                                 f"{np.median(unlabelled):.3g} (no labels, {len(unlabelled)} runs)",
                        test="Mann-Whitney one-sided: reproduce (less), contradict (greater)",
                        how=f"S_KL of semi_supervised runs at {count} labels ({count / n_train:.2%}) against the "
                            "unlabelled runs (same data, prior and schedule, no labels)")
