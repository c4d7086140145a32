"""The objectives study (issue 32): does another objective disentangle physical fields more often than
the paper's hierarchical prior, and at what cost in reconstruction?

Each objective of fieldvae.vae.objectives trains the standard prior on its schedule (the experiment
named by `data`, e.g. `mixture`) at every weight of `weights`, and at the weight named in `best` on
the experiment `also` (e.g. `shifted`), as the virtual experiments `<experiment>~<objective><weight>`.
Next to them stand the scale's own runs of that experiment (the standard prior, the same schedule)
and of the hierarchical prior's experiment (`hierarchical`, its own schedule). Each cell has the
claims table's counts, Wilson intervals and Boschloo tests against the hierarchical prior, Holm's
adjustment over the cells, the power those trials have for a difference as large as the paper's
(0.5 against 0.1), the scores' means and spreads, and its training cost.
"""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import scipy.stats

from fieldvae.core import variance_shares, verdict_calibration
from fieldvae.core.io import atomic_path, save_rows
from fieldvae.core.stats import ALPHA, holm, wilson
from fieldvae.core.verdicts import compare_rates, decide
from fieldvae.paper.protocol_study import SEPARATOR

SCORES = ("code_angle", "s_d", "s_kl", "mig", "dci_disentanglement", "nll_per_pixel")
POWER_RATES = (0.5, 0.1)  # a difference as large as the paper's between its priors (C4b)
TESTS = ("p_more", "p_less", "trials", "power", "reachable", "p_more_holm", "p_less_holm", "against_hierarchical")


def experiment_name(base: str, objective: str, weight: float) -> str:
    return f"{base}{SEPARATOR}{objective}{weight:g}"


def experiments(study: dict, base: dict[str, dict]) -> dict[str, dict]:
    """The study's virtual experiments: the base experiment with the objective's training settings and
    the study's trials (per scale)."""
    out = {}
    for data, weights in _cells(study):
        for objective, weight in weights:
            out[experiment_name(data, objective, weight)] = {
                **base[data], "trials": study["trials"],
                "training": {**base[data].get("training", {}), "objective": objective, "objective_weight": weight}}
    return out


def _cells(study: dict) -> list[tuple[str, list[tuple[str, float]]]]:
    """(experiment, [(objective, weight), ...]): every weight on `data`, the best weight on `also`."""
    every = [(objective, w) for objective, weights in study["weights"].items() for w in weights]
    best = [(objective, study["best"][objective]) for objective in study["weights"]]
    return [(study["data"], every)] + ([(study["also"], best)] if study.get("also") else [])


def read_experiments(study: dict) -> list[str]:
    """Every experiment whose metrics table the study reads: its own and the contrasts."""
    names = []
    for data, weights in _cells(study):
        names += [data, study["hierarchical"][data], *(experiment_name(data, o, w) for o, w in weights)]
    return list(dict.fromkeys(names))


def cells(study: dict, tables: dict[str, list[dict]], seconds: dict[str, list[float]]) -> list[dict]:
    """One row per arm (objective and weight, or a paper's prior) and data set, with its tests against
    the hierarchical prior, Holm-adjusted over the objective arms per direction."""
    rows = []
    family = sum(len(weights) for _, weights in _cells(study))  # Holm's family: every objective arm
    for data, weights in _cells(study):
        hierarchical = tables[study["hierarchical"][data]]
        arms = [("standard prior", None, None, data), ("hierarchical prior", None, None, study["hierarchical"][data])]
        arms += [(f"{o} {w:g}", o, w, experiment_name(data, o, w)) for o, w in weights]
        for label, objective, weight, name in arms:
            rows.append({"data": data, "arm": label, "objective": objective, "weight": weight,
                         **_summary(tables[name]), "core_minutes": sum(seconds.get(name, [])) / 60,
                         **(_against(tables[name], hierarchical, family) if objective else dict.fromkeys(TESTS))})
    _adjust([row for row in rows if row["objective"]])
    return rows


def _summary(runs: list[dict]) -> dict:
    n = len(runs)
    out = {"runs": n, "diverged": sum(bool(r.get("diverged")) for r in runs)}
    for flag in ("disentangled", "over_regularised"):
        k = sum(bool(r[flag]) for r in runs)
        low, high = wilson(k, n)
        out |= {flag: k, f"{flag}_low": low, f"{flag}_high": high}
    for score in SCORES:
        values = [r[score] for r in runs if _finite(r.get(score))]
        out |= {f"{score}_mean": float(np.mean(values)) if values else None,
                f"{score}_sd": float(np.std(values, ddof=1)) if len(values) > 1 else None, f"{score}_n": len(values)}
    return out


def _against(runs: list[dict], hierarchical: list[dict], family: int) -> dict:
    """Boschloo one-sided tests of 'disentangles more often than the hierarchical prior' and of 'less
    often', and the power these trials have for rates 0.5 against 0.1 after the adjustment over the
    `family` arms (at its worst case, Bonferroni's: what every arm can count on)."""
    arm = ("objective", sum(bool(r["disentangled"]) for r in runs), len(runs))
    contrast = ("hierarchical prior", sum(bool(r["disentangled"]) for r in hierarchical), len(hierarchical))
    test = compare_rates(arm, contrast, "")

    def adjusted(k1, k2):
        raw = compare_rates(("a", k1, arm[2]), ("b", k2, contrast[2]), "")
        return decide(min(1.0, family * raw["p_reproduce"]), min(1.0, family * raw["p_contradict"]), raw["trials"])
    calibration = verdict_calibration.comparison(adjusted, arm[2], contrast[2], POWER_RATES)
    return {"p_more": test["p_reproduce"], "p_less": test["p_contradict"], "trials": test["trials"],
            "power": calibration.right["reproduced"], "reachable": "reproduced" in calibration.reachable}


def _adjust(rows: list[dict]) -> None:
    for key in ("p_more", "p_less"):
        for row, adjusted in zip(rows, holm([row[key] for row in rows])):
            row[f"{key}_holm"] = adjusted
    for row in rows:
        verdict = decide(row["p_more_holm"], row["p_less_holm"], row["trials"])
        if verdict.startswith("inconclusive") and not row["reachable"]:  # no outcome of these trials shows "more often"
            verdict = f"undecidable at {row['trials']}"
        row["against_hierarchical"] = {"reproduced": "more often", "contradicted": "less often"}.get(verdict, verdict)


def answer(rows: list[dict], study: dict, shares: dict | None) -> str:
    """The study's question answered from its table and the score shares (score_shares), in one
    paragraph: the verdicts against the hierarchical prior, the arms that disentangle most often and
    their cost in reconstruction, the second data set, the power, and the comparison with the image
    benchmarks."""
    data = study["data"]
    arms = [r for r in rows if r["data"] == data and r["objective"]]
    more = [f"{r['arm']} (p {r['p_more_holm']:.3f})" for r in arms if r["against_hierarchical"] == "more often"]
    less = [f"{r['arm']} (p {r['p_less_holm']:.3f})" for r in arms if r["against_hierarchical"] == "less often"]
    undecided = [r["against_hierarchical"].split(" at ")[0] for r in arms
                 if r["against_hierarchical"] not in ("more often", "less often")]
    counts = ", ".join(f"{undecided.count(v)} {v}" for v in dict.fromkeys(undecided))
    sentences = [f"On {data} data, " + (
        f"{' and '.join(more)} {_verb(more)} more often than the hierarchical prior (Holm-adjusted Boschloo p < 0.05"
        if more else "none of the objectives' arms is shown to disentangle more often than the hierarchical prior "
                     "(Holm-adjusted Boschloo p < 0.05") + (f"; {counts} at these trials)" if counts else ")")
        + (f"; {' and '.join(less)} less often." if less else "."), _leaders(rows, data)]
    also = [r for r in rows if r["data"] != data and r["objective"]]
    if also:
        hp_also = _prior(rows, also[0]["data"], "hierarchical")
        sentences.append(f"On {also[0]['data']} data, at the weight of each objective chosen before the build (`best`), "
                         "against the hierarchical prior's "
                         f"{_fraction(hp_also, 'disentangled')}: " + "; ".join(
                             f"{r['arm']} {_fraction(r, 'disentangled')}, {r['against_hierarchical']}" for r in also) + ".")
    powers = sorted({f"{r['power']:.2f}" for r in arms}, key=float)
    sentences.append(f"These trials would show rates of {POWER_RATES[0]:g} against {POWER_RATES[1]:g} as 'more often' "
                     f"with probability {' to '.join(dict.fromkeys([powers[0], powers[-1]]))}"
                     + ("; at these trials no outcome can show it." if not any(r["reachable"] for r in arms) else "."))
    if shares is None:
        sentences.append("How much of S_D's variance the objective, its weight and the seed explain needs three "
                         "scored runs at every weight and two objectives.")
    else:
        share, interval = shares["share"], shares["interval"]
        parts = ", ".join(f"{name} {share[level]:.0%} [{interval[level][0]:.0%}, {interval[level][1]:.0%}]"
                          for level, name in zip(variance_shares.LEVELS, ("the objective", "its weight", "the seed")))
        sentences.append(f"Of the variance of S_D over the {shares['scored']} of {shares['runs']} objectives' runs on "
                         f"{data} that have one (a diverged run has none), at these weights, {parts} (nested sums of "
                         f"squares, each level less what seed noise puts in it; {variance_shares.CONFIDENCE:.1%} "
                         f"jackknife intervals): {variance_shares.compared_with_images(interval['objective'])}"
                         + _objective_test(shares["objective_p"]))
    return " ".join(sentences)


def _leaders(rows: list[dict], data: str) -> str:
    """The paper's priors and the objective arms that disentangle most often, with their training NLL
    against both priors (the cost in reconstruction)."""
    hp, standard = _prior(rows, data, "hierarchical"), _prior(rows, data, "standard")
    priors = (f"The hierarchical prior disentangles {_fraction(hp, 'disentangled')} and the standard prior on the "
              f"objectives' schedule {_fraction(standard, 'disentangled')}")
    arms = [r for r in rows if r["data"] == data and r["objective"]]
    top = max(r["disentangled"] / r["runs"] for r in arms)
    if not top:
        return priors + "; no objective's run disentangles."
    leaders = [r for r in arms if r["disentangled"] / r["runs"] == top]
    return (priors + f"; the objectives' {'arm' if len(leaders) == 1 else 'arms'} that {_verb(leaders)} most often in "
            "these runs (not tested between arms): " + "; ".join(
                f"{r['arm']} {_fraction(r, 'disentangled')}, its training NLL {_difference(r, standard)} nats per pixel "
                f"from the standard prior's and {_difference(r, hp)} from the hierarchical prior's" for r in leaders)
            + " (Wilson and Welch 95% intervals; a higher NLL is a worse reconstruction; the hierarchical prior trains "
              "its own, longer schedule).")


def _objective_test(p: float | None) -> str:
    if p is None:
        return "."
    return ("; the objectives differ by more than their weights do" if p < ALPHA else
            "; these trials do not show the objectives differing by more than their weights do") + \
        f" (nested F test of objective over weight, p = {p:.3f})."


def _verb(subjects: list) -> str:
    return "disentangles" if len(subjects) == 1 else "disentangle"


def _prior(rows: list[dict], data: str, prior: str) -> dict:
    return next(r for r in rows if r["data"] == data and r["arm"] == f"{prior} prior")


def score_shares(study: dict, tables: dict[str, list[dict]], score: str = "s_d") -> dict | None:
    """The shares of a score's variance over the objectives' runs on `data` that the objective, its
    weight and the seed explain, with their intervals (variance_shares); None where some weight has
    fewer than three scored runs or the study has one objective."""
    cells = {(o, w): [r[score] for r in tables[experiment_name(study["data"], o, w)] if _finite(r.get(score))]
             for o, weights in study["weights"].items() for w in weights}
    if len(study["weights"]) < 2 or min(map(len, cells.values())) < 3:
        return None
    runs = sum(len(tables[experiment_name(study["data"], o, w)]) for o, w in cells)
    return {"share": variance_shares.shares(cells), "interval": variance_shares.intervals(cells),
            "objective_p": variance_shares.objective_test(cells), "scored": sum(map(len, cells.values())), "runs": runs}


def write(csv_path, md_path, rows: list[dict], study: dict, scale: str, shares: dict | None) -> None:
    save_rows(csv_path, rows)
    lines = [f"# Objectives study ({scale} scale)", "", answer(rows, study, shares), "",
             "Per arm: the standard prior's runs with an objective's penalty at a weight (relative to the "
             "regulariser, both times beta), next to the paper's standard prior (the same schedule) and "
             "hierarchical prior (its own schedule), "
             "the scale's own runs. Disentangled and over-regularised counts with 95% Wilson intervals; Boschloo "
             "one-sided tests of 'disentangles more often than the hierarchical prior' and 'less often', p raw "
             "(Holm over the objective arms); power: of these trials, after that adjustment, for rates 0.5 against 0.1. Scores: mean "
             "(standard deviation) over the runs that have one; cost: training core-minutes.", "",
             "| data | arm | disentangled | over-regularised | diverged | vs HP: more, p (Holm) | less, p (Holm) | verdict "
             "| power | code angle | S_D | S_KL | MIG | DCI | NLL/pixel | core-min |",
             "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|"]
    for r in rows:
        tests = ([f"{r['p_more']:.3f} ({r['p_more_holm']:.3f})", f"{r['p_less']:.3f} ({r['p_less_holm']:.3f})",
                  r["against_hierarchical"], f"{r['power']:.2f}"] if r["objective"] else ["-"] * 4)
        lines.append("| " + " | ".join([r["data"], r["arm"], _fraction(r, "disentangled"), _fraction(r, "over_regularised"),
                                        str(r["diverged"]), *tests, *(_spread(r, s) for s in SCORES),
                                        f"{r['core_minutes']:.0f}"]) + " |")
    with atomic_path(md_path) as tmp:
        Path(tmp).write_text("\n".join(lines) + "\n")


def _fraction(row: dict, flag: str) -> str:
    return f"{row[flag]}/{row['runs']} [{row[f'{flag}_low']:.2f}, {row[f'{flag}_high']:.2f}]"


def _difference(row: dict, other: dict, score: str = "nll_per_pixel") -> str:
    """row's mean score less other's, with Welch's 95% interval from the rows' means, spreads and counts."""
    (m1, s1, n1), (m2, s2, n2) = ((r[f"{score}_mean"], r[f"{score}_sd"], r[f"{score}_n"]) for r in (row, other))
    if m1 is None or m2 is None:
        return "(not scored)"
    if s1 is None or s2 is None:
        return f"{m1 - m2:+.3g} (one run: no interval)"
    v1, v2 = s1 ** 2 / n1, s2 ** 2 / n2
    if v1 + v2 == 0:
        return f"{m1 - m2:+.3g} (no spread)"
    dof = (v1 + v2) ** 2 / (v1 ** 2 / (n1 - 1) + v2 ** 2 / (n2 - 1))
    half = scipy.stats.t.ppf(0.975, dof) * math.sqrt(v1 + v2)
    return f"{m1 - m2:+.3g} [{m1 - m2 - half:+.3g}, {m1 - m2 + half:+.3g}]"


def _spread(row: dict, score: str) -> str:
    mean, sd = row[f"{score}_mean"], row[f"{score}_sd"]
    return "-" if mean is None else f"{mean:.3g}" + ("" if sd is None else f" ({sd:.2g})")


def _finite(value) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)
