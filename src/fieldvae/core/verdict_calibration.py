"""Calibrating a verdict rule: how often it says `reproduced`, `contradicted` or `inconclusive` when
the paper is right and when it is wrong, at the trial counts a build actually has.

A count claim is judged from k successes in n trials (or k1 of n1 against k2 of n2). Under a model
of the truth (the paper's rate, or the contrast that would make the claim false) k is binomial, so
the probability of each verdict is a finite sum over every outcome the trials can give, each pushed
through the very function that judges the real runs. The sums are exact: no simulation noise, no
random stream. Outcomes that every model gives less than NEGLIGIBLE probability are not judged (so
each probability may fall short of its exact value by at most that much per outcome), except the
extreme outcomes (none, all), which always are. `reachable` lists the verdicts of the judged
outcomes: the extremes, where a one-sided test in either direction is at its strongest, and every
outcome either model makes at all likely (a rate the paper states itself is contradicted at both
extremes and reproduced, if at all, in between).

A row is decidable at its n when `reproduced` is reachable and P(contradicted | paper right) is at
most MAX_FALSE_CONTRADICTION. Where it is not, the claims table does not report what these trials
cannot deliver: an `inconclusive` (reproduction out of reach) or a `contradicted` that a right paper
would too often get reads `undecidable at n`, with the trials from which the row is decidable (and
stays so: decidability saw-tooths with n, as power does). A contradiction that a right paper would
get at most 5% of the time stands even where reproduction is out of reach, and so does a
reproduction: each is a valid test at its level.
"""

from __future__ import annotations

from typing import Callable, NamedTuple

import numpy as np
from scipy import stats

from fieldvae.core.stats import lasting

VERDICTS = ("reproduced", "contradicted", "inconclusive")
MAX_FALSE_CONTRADICTION = 0.05
NEGLIGIBLE = 1e-9
MAX_TRIALS = 300  # the search for a deciding n stops here


class Calibration(NamedTuple):
    right: dict[str, float]  # verdict -> probability when the paper is right (the worst of the right models)
    wrong: dict[str, float] | None  # ... when it is wrong (the worst of the wrong models; None: none asked for)
    reachable: tuple[str, ...]  # verdicts some judged outcome of these trials gives
    worst: int | None = None  # which of the wrong models gives `wrong`

    @property
    def decidable(self) -> bool:
        return "reproduced" in self.reachable and self.right["contradicted"] <= MAX_FALSE_CONTRADICTION


def kind(verdict: str) -> str:
    """The verdict without its trial count: reproduced, contradicted or inconclusive."""
    return next(v for v in VERDICTS if verdict.startswith(v))


def rate(judge: Callable[[int], str], n: int, p_right: float | tuple[float, ...],
         p_wrong: float | None = None) -> Calibration:
    """judge(k): the verdict for k successes of n. The paper is right at rate p_right (or at any of
    several rates, e.g. the edges of 'roughly half': the one that contradicts it most often is
    reported), wrong at p_wrong."""
    ks = np.arange(n + 1)
    rights = p_right if isinstance(p_right, tuple) else (p_right,)
    mass = lambda p: lambda c, m=stats.binom.pmf(ks, n, p): m[c[0]]  # noqa: E731
    return _calibrate(judge, [(k,) for k in ks], [(0,), (n,)], [mass(p) for p in rights],
                      [] if p_wrong is None else [mass(p_wrong)])


def comparison(judge: Callable[[int, int], str], n1: int, n2: int, right: tuple[float, float],
               wrong: tuple[tuple[float, float], ...] = ()) -> Calibration:
    """judge(k1, k2): the verdict for k1 of n1 against k2 of n2. `right`: the arms' rates when the
    paper is right; `wrong`: models of the arms' rates when it is wrong, of which the one that makes
    `reproduced` likeliest is reported (a test's size is its worst case under the null)."""
    def mass(p1, p2):
        return lambda c, m=np.outer(stats.binom.pmf(np.arange(n1 + 1), n1, p1),
                                    stats.binom.pmf(np.arange(n2 + 1), n2, p2)): m[c]
    cells = [(k1, k2) for k1 in range(n1 + 1) for k2 in range(n2 + 1)]
    return _calibrate(judge, cells, [(0, 0), (0, n2), (n1, 0), (n1, n2)], [mass(*right)],
                      [mass(*rates) for rates in wrong])


def simulated(judge: Callable[[object], str], right: list, wrong: list) -> Calibration:
    """The verdict probabilities estimated from simulated outcomes of a claim without a count model:
    `right` and `wrong` are outcomes drawn with the paper right and wrong, each judged by `judge`;
    `reachable` lists the verdicts some draw gave."""
    def distribution(outcomes):
        found = [kind(judge(outcome)) for outcome in outcomes]
        return {v: found.count(v) / len(found) for v in VERDICTS}
    right_p, wrong_p = distribution(right), distribution(wrong)
    return Calibration(right_p, wrong_p, tuple(v for v in VERDICTS if right_p[v] > 0 or wrong_p[v] > 0))


def deciding_trials(calibrate_at: Callable[[int], Calibration], most: int = MAX_TRIALS) -> int | None:
    """The trial count from which calibrate_at(count) is decidable and stays so (up to twice that
    count and 10 more: stats.lasting); None when that takes more than `most`."""
    try:
        return lasting(lambda count: float(calibrate_at(count).decidable), 1.0, most, "decidability")
    except ValueError:  # more than MAX_TRIALS
        return None


def undecidable(verdict_text: str, calibration: Calibration) -> bool:
    """Whether these trials cannot deliver `verdict_text` honestly: an `inconclusive` where
    `reproduced` is out of reach, or a `contradicted` that a right paper gets too often."""
    found = kind(verdict_text)
    return ((found == "inconclusive" and "reproduced" not in calibration.reachable)
            or (found == "contradicted" and calibration.right["contradicted"] > MAX_FALSE_CONTRADICTION))


def _calibrate(judge, outcomes, extremes, rights, wrongs) -> Calibration:
    """rights, wrongs: the outcomes' probabilities under models of the paper right and wrong; the
    right model that contradicts most and the wrong model that reproduces most are reported."""
    judged = {o: kind(judge(*o)) for o in outcomes
              if o in extremes or max(m(o) for m in (*rights, *wrongs)) >= NEGLIGIBLE}

    def distribution(mass):
        total = dict.fromkeys(VERDICTS, 0.0)
        for outcome, verdict in judged.items():
            total[verdict] += float(mass(outcome))
        return total
    right = max((distribution(m) for m in rights), key=lambda d: d["contradicted"])
    reachable = tuple(v for v in VERDICTS if v in judged.values())
    if not wrongs:
        return Calibration(right, None, reachable)
    wrong = [distribution(m) for m in wrongs]
    worst = max(range(len(wrong)), key=lambda i: wrong[i]["reproduced"])
    return Calibration(right, wrong[worst], reachable, worst)
