"""Calibrating a verdict rule: how often it says `reproduced`, `contradicted` or `inconclusive` when
the paper is right and when it is wrong, at the trial counts a build actually has.

A count claim is judged from k successes in n trials (or k1 of n1 against k2 of n2). Under a model
of the truth (the paper's rate, or the contrast that would make the claim false) k is binomial, so
the probability of each verdict is a finite sum over every outcome the trials can give, each pushed
through the very function that judges the real runs. The sums are exact: no simulation noise, no
random stream. Outcomes a model gives less than NEGLIGIBLE probability are not judged (so each
probability may fall short of its exact value by at most that much per outcome); the extreme
outcomes always are, and they say which verdicts these trials can reach at all (every test here is
monotone in each count, so what is reachable is reached at an extreme).

A row is decidable at its n when `reproduced` is reachable and P(contradicted | paper right) is at
most MAX_FALSE_CONTRADICTION; otherwise the claims table says `undecidable at n`, with the smallest
n that would decide it, rather than a verdict these trials cannot deliver honestly.
"""

from __future__ import annotations

from typing import Callable, NamedTuple

import numpy as np
from scipy import stats

VERDICTS = ("reproduced", "contradicted", "inconclusive")
MAX_FALSE_CONTRADICTION = 0.05
NEGLIGIBLE = 1e-9
MAX_TRIALS = 300  # the search for a deciding n stops here


class Calibration(NamedTuple):
    right: dict[str, float]  # verdict -> probability when the paper is right
    wrong: dict[str, float] | None  # ... when it is wrong (None: not asked for)
    reachable: tuple[str, ...]  # verdicts some outcome of these trials gives

    @property
    def decidable(self) -> bool:
        return "reproduced" in self.reachable and self.right["contradicted"] <= MAX_FALSE_CONTRADICTION


def kind(verdict: str) -> str:
    """The verdict without its trial count: reproduced, contradicted or inconclusive."""
    return next(v for v in VERDICTS if verdict.startswith(v))


def rate(judge: Callable[[int], str], n: int, p_right: float, p_wrong: float | None = None) -> Calibration:
    """judge(k): the verdict for k successes of n. The paper is right at rate p_right, wrong at p_wrong."""
    ks = np.arange(n + 1)
    masses = [stats.binom.pmf(ks, n, p) for p in (p_right, p_wrong) if p is not None]
    return _calibrate(judge, [(k,) for k in ks], [(0,), (n,)], [lambda c, m=m: m[c[0]] for m in masses])


def comparison(judge: Callable[[int, int], str], n1: int, n2: int, right: tuple[float, float],
               wrong: tuple[float, float] | None = None) -> Calibration:
    """judge(k1, k2): the verdict for k1 of n1 against k2 of n2. The arms' rates when the paper is
    right and when it is wrong."""
    masses = [np.outer(stats.binom.pmf(np.arange(n1 + 1), n1, p1), stats.binom.pmf(np.arange(n2 + 1), n2, p2))
              for p1, p2 in [model for model in (right, wrong) if model is not None]]
    cells = [(k1, k2) for k1 in range(n1 + 1) for k2 in range(n2 + 1)]
    return _calibrate(judge, cells, [(0, 0), (0, n2), (n1, 0), (n1, n2)], [lambda c, m=m: m[c] for m in masses])


def deciding_trials(calibrate_at: Callable[[int], Calibration], n: int) -> int | None:
    """The smallest trial count from n on at which calibrate_at(count) is decidable; None up to
    MAX_TRIALS. Reachability saw-tooths with the count, so every count is tried in turn."""
    for count in range(max(n, 1), MAX_TRIALS + 1):
        if calibrate_at(count).decidable:
            return count
    return None


def _calibrate(judge, outcomes, extremes, masses) -> Calibration:
    judged = {o: kind(judge(*o)) for o in outcomes if o in extremes or max(m(o) for m in masses) >= NEGLIGIBLE}
    distributions = []
    for mass in masses:
        total = dict.fromkeys(VERDICTS, 0.0)
        for outcome, verdict in judged.items():
            total[verdict] += float(mass(outcome))
        distributions.append(total)
    reachable = tuple(v for v in VERDICTS if v in judged.values())
    return Calibration(distributions[0], distributions[1] if len(distributions) > 1 else None, reachable)
