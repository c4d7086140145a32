"""The verdict engine: a claim's kind (a rate, a comparison of two rates, no effect along a sweep), the
tests that judge it, the verdict from a pair of tests (one towards the claim, one against it), and
Holm's adjustment over the rows of a table. Any study's claims table is built from these; the paper's
claims and the margins its words are read as live in fieldvae.paper.
"""

from __future__ import annotations

import math
from typing import NamedTuple

import numpy as np

from fieldvae.core import stats

ALPHA = stats.ALPHA


class Rate(NamedTuple):
    """A rate claim: the paper's rate (its counts where it gives them, else the margin its words
    read as), the contrast that would make the claim false, and how far off our counts may be: a
    bound ("never", "many": only the side of the contrast contradicts), a rate the paper states with
    its counts ("10% of 50": far off on either side contradicts; `stated`), or a band of words
    ("roughly half": outside it contradicts; p_paper is then its centre)."""
    p_paper: float
    p_alt: float
    counts: tuple[int, int] | None = None
    stated: bool = False
    band: tuple[float, float] | None = None

    def rights(self) -> tuple[float, ...]:
        """The rates a right paper may have at the least: the band's edges, or p_paper."""
        return self.band or (self.p_paper,)

    def margin(self) -> str:
        if self.counts:
            return f"{self.counts[0]}/{self.counts[1]} (the paper's counts)"
        if self.band:
            return f"{self.band[0]:.3g} to {self.band[1]:.3g} (margin)"
        return f"{'at least' if self.p_paper > self.p_alt else 'at most'} {self.p_paper:g} (margin)"


class Flat(NamedTuple):
    """A claim of no effect of a sweep (log2 of its values) on a score: over the whole sweep the score
    moves by at most `change`, in its own units. No count model: its verdict is calibrated by
    simulating the sweep's design with the measured scatter. `unit`: what the sweep's values are (the
    slope is per doubling of it); `how`: what the table says was fitted."""
    score: str
    change: float
    unit: str
    how: str = ""


class Comparison(NamedTuple):
    """A comparison of two rates: the paper's rate in the arm where it is higher and in the other
    (None where the paper states none)."""
    p_more: float | None = None
    p_fewer: float | None = None


def decide(p_reproduce: float, p_contradict: float, trials: str) -> str:
    """The verdict of a pair of tests at level ALPHA; contradiction takes precedence."""
    if p_contradict < ALPHA:
        return "contradicted"
    if p_reproduce < ALPHA:
        return "reproduced"
    return f"inconclusive at {trials}"


def plan(numbers) -> dict:
    """The paper's side of a claim: its rates, the contrast, and the trials a test needs."""
    if isinstance(numbers, Rate):
        needed = (stats.trials_in_band(numbers.p_paper, *numbers.band) if numbers.band
                  else stats.trials_one_sample(numbers.p_paper, numbers.p_alt))
        return {"p_paper": numbers.margin(), "p_alt": g(numbers.p_alt), "trials_for_80pct_power": needed}
    if isinstance(numbers, Comparison) and numbers.p_more is not None:
        return {"p_paper": f"{g(numbers.p_more)} vs {g(numbers.p_fewer)}", "p_alt": "equal rates",
                "trials_for_80pct_power": f"{stats.trials_two_sample(numbers.p_more, numbers.p_fewer)} per arm"}
    return {"trials_for_80pct_power": "not stated"}


def judge(numbers, measured) -> dict:
    """A row's tests and verdict: `measured` is (k, n, how) for a Rate, two arms and how for a
    Comparison, the sweep's groups for a Flat, and already a judged row for anything else."""
    if isinstance(numbers, Rate):
        return judge_rate(numbers, *measured)
    if isinstance(numbers, Comparison):
        return compare_rates(*measured)
    if isinstance(numbers, Flat):
        return flat(numbers, measured) | {"trials_for_80pct_power": _flat_slope_seeds(
            list(measured), flat_margin(numbers, measured), pooled_scatter(measured), numbers.unit)}
    return measured


def judge_rate(numbers: Rate, k: int, n: int, how: str) -> dict:
    """k of n against the paper's rate and the contrast that would make the claim false."""
    towards_paper, towards_alt = ("greater", "less") if numbers.p_paper > numbers.p_alt else ("less", "greater")
    p_reproduce = stats.binomial_test(k, n, numbers.p_alt, towards_paper)
    reproduce = f"exact binomial one-sided ({towards_paper}) vs p_alt"
    if numbers.band:  # reproduced only inside the band: two one-sided tests (TOST) at its edges
        p_reproduce = max(stats.binomial_test(k, n, numbers.band[0], "greater"),
                          stats.binomial_test(k, n, numbers.band[1], "less"))
        reproduce = f"two one-sided exact binomial tests inside {numbers.band[0]:.3g} to {numbers.band[1]:.3g}"
    sides = "two-sided" if numbers.stated else towards_alt
    if numbers.counts:
        p_contradict = stats.proportions_test(k, n, *numbers.counts, sides)
        against = f"Boschloo {sides} vs the paper's {numbers.counts[0]}/{numbers.counts[1]}"
    elif numbers.band:
        low, high = numbers.band
        p_contradict = min(1.0, 2 * min(stats.binomial_test(k, n, low, "less"), stats.binomial_test(k, n, high, "greater")))
        against = f"exact binomial outside {low:.3g} to {high:.3g} (the smaller one-sided p, doubled)"
    else:
        p_contradict = stats.binomial_test(k, n, numbers.p_paper, sides)
        against = f"exact binomial {sides} vs the margin"
    return {"measured": fraction(k, n), "trials": trials(n),
            "test": f"reproduce: {reproduce}; contradict: {against}",
            "p_reproduce": p_reproduce, "p_contradict": p_contradict,
            "verdict": decide(p_reproduce, p_contradict, trials(n)), "how": how}


def compare_rates(more: tuple[str, int, int], fewer: tuple[str, int, int], how: str) -> dict:
    """Arms (name, k, n): the claim is that the rate is higher in `more` than in `fewer`."""
    (name1, k1, n1), (name2, k2, n2) = more, fewer
    p_reproduce = stats.proportions_test(k1, n1, k2, n2, "greater")
    p_contradict = stats.proportions_test(k1, n1, k2, n2, "less")
    return {"measured": f"{name1} {fraction(k1, n1)}; {name2} {fraction(k2, n2)}", "trials": f"{n1} vs {n2} trials",
            "test": "Boschloo one-sided: reproduce (greater), contradict (less)",
            "p_reproduce": p_reproduce, "p_contradict": p_contradict,
            "verdict": decide(p_reproduce, p_contradict, f"{n1} vs {n2} trials"), "how": how}


def directional(p_reproduce: float, p_contradict: float, trials: str, best, sizes: tuple[int, ...], **fields) -> dict:
    """A row of a directional claim without a count model (a sign test, a trend, a shift). best(*sizes):
    the smallest p_reproduce its test can give with `sizes` runs per arm (the outcome most favourable to
    the paper), so the calibration can tell whether these trials can reproduce the claim at all."""
    return {"p_alt": "no effect", "p_reproduce": p_reproduce, "p_contradict": p_contradict, "trials": trials,
            "verdict": decide(p_reproduce, p_contradict, trials), "best": best, "sizes": sizes, **fields}


def flat(numbers: Flat, groups: dict[float, list[float]]) -> dict:
    """No effect: the slope of the score against log2(sweep value) inside +-margin (two one-sided
    t-tests), where the margin is the claim's change spread over the sweep's doublings; contradicted
    when the slope's 95% interval lies beyond it."""
    scatter = pooled_scatter(groups)
    span = max(groups) - min(groups)
    x, y = zip(*((x, v) for x, ys in groups.items() for v in ys))
    margin = flat_margin(numbers, groups)
    fit = stats.slope(x, y)
    p_within = max(stats.slope_test(fit, -margin, "greater"), stats.slope_test(fit, margin, "less"))
    p_beyond = min(1.0, 2 * min(stats.slope_test(fit, margin, "greater"), stats.slope_test(fit, -margin, "less")))
    return {"p_paper": "slope 0", "p_alt": f"|slope| > {margin:.3g}",
            "measured": f"{slope_text(fit, numbers.unit)}; margin {margin:.3g} = {numbers.change:g} over the sweep / {span:g} "
                        f"doublings; pooled within-count SD {scatter:.3g}", "trials": trials(len(x)),
            "test": "reproduce: two one-sided t-tests inside +-margin (TOST); contradict: 95% interval beyond the "
                    "margin (two-sided t-test at the margin)",
            "p_reproduce": p_within, "p_contradict": p_beyond,
            "verdict": decide(p_within, p_beyond, trials(len(x))), "how": numbers.how}


def flat_margin(numbers: Flat, groups: dict[float, list[float]]) -> float:
    """The largest slope per doubling that still counts as no effect: the change over the sweep's span."""
    return numbers.change / (max(groups) - min(groups))


def pooled_scatter(groups: dict[float, list[float]]) -> float:
    dof = sum(len(ys) - 1 for ys in groups.values())
    return math.sqrt(sum(((np.asarray(ys) - np.mean(ys)) ** 2).sum() for ys in groups.values()) / dof)


def _flat_slope_seeds(levels, margin: float, scatter: float, unit: str) -> str:
    if scatter == 0:
        return "-"
    try:
        return f"{stats.seeds_for_flat_slope(levels, margin / scatter)} runs per {unit}"
    except ValueError:  # the margin is tiny against the scatter
        return f"more than 10000 runs per {unit}"


def holm_adjust(rows: list[dict]) -> list[dict]:
    """Holm over the rows that have tests, for the reproduce tests and the contradict tests
    separately; the verdicts become those of the adjusted p-values. Returns the rows tested."""
    tested = [row for row in rows if finite(row["p_reproduce"]) and finite(row["p_contradict"])]
    for family in ("p_reproduce", "p_contradict"):
        for row, adjusted in zip(tested, stats.holm([row[family] for row in tested])):
            row[f"{family}_holm"] = adjusted
    for row in tested:
        row["verdict"] = decide(row["p_reproduce_holm"], row["p_contradict_holm"], row["trials"])
    return tested


def holm_verdict(judged: dict, others: tuple[list[float], list[float]]) -> str:
    """The verdict a row's raw tests get after Holm's adjustment among the other rows' p-values."""
    return decide(stats.holm([*others[0], judged["p_reproduce"]])[-1],
                  stats.holm([*others[1], judged["p_contradict"]])[-1], judged["trials"])


def finite(value) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)


def fraction(k: int, n: int) -> str:
    low, high = stats.wilson(k, n)
    return f"{k}/{n} = {k / n:.2f} [95% CI {low:.2f}, {high:.2f}]"


def slope_text(fit: stats.Slope, unit: str) -> str:
    return f"slope {fit.estimate:.3g} per doubling of the {unit} [95% CI {fit.low:.3g}, {fit.high:.3g}]"


def trials(n: int) -> str:
    return f"{n} trial{'' if n == 1 else 's'}"


def g(x: float) -> str:
    return f"{x:.3g}"
