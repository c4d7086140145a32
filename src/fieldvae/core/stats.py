"""Statistics for the claims tables: intervals, exact tests and the trials a test needs.

A fraction without an interval is not a result, and a comparison without a test is not a verdict.
Trial counts are small (3 to 50 runs), so the tests are exact where one exists, not asymptotic.
"""

from __future__ import annotations

import functools
from typing import NamedTuple

import numpy as np
from scipy import stats

ALPHA = 0.05


def wilson(k: int, n: int, confidence: float = 0.95) -> tuple[float, float]:
    """Wilson score interval of a binomial fraction k/n. Unlike the normal (Wald) interval it stays
    inside [0, 1] and does not collapse to a point at k = 0 or k = n, which small trial counts hit
    (0/10 gives [0, 0.278])."""
    _check_counts(k, n)
    z = stats.norm.ppf(0.5 + confidence / 2)
    centre = (k + z**2 / 2) / (n + z**2)
    half = z / (n + z**2) * np.sqrt(k * (n - k) / n + z**2 / 4)
    low = 0.0 if k == 0 else centre - half
    high = 1.0 if k == n else centre + half
    return float(low), float(high)


def binomial_test(k: int, n: int, p: float, alternative: str) -> float:
    """p-value of the exact binomial test of rate p against k successes in n trials, alternative
    'greater' or 'less' (one-sided: a claim states a direction). Exact, so it is valid at p = 0 or 1
    ('never', 'always') and at a handful of trials."""
    _check_counts(k, n)
    return float(stats.binomtest(int(k), int(n), p, alternative=alternative).pvalue)


@functools.lru_cache(maxsize=None)  # pure, and slow for large samples: a calibration asks again and again
def proportions_test(k1: int, n1: int, k2: int, n2: int, alternative: str) -> float:
    """p-value of Boschloo's exact test that rate 1 is 'greater' than, 'less' than, or differs from
    ('two-sided') rate 2. Exact, and uniformly more powerful than Fisher's exact test, which conditions
    on the total count and so is conservative."""
    _check_counts(k1, n1)
    _check_counts(k2, n2)
    table = [[k1, k2], [n1 - k1, n2 - k2]]  # columns are the samples, rows success and failure
    return float(stats.boschloo_exact(table, alternative=alternative).pvalue)


def trials_one_sample(p_true: float, p_null: float, power: float = 0.8, alpha: float = ALPHA,
                      max_n: int = 10_000) -> int:
    """Trials from which the one-sided exact binomial test of p_null (in the direction of p_true)
    keeps rejecting at level alpha with probability >= power when the rate is p_true: the trials a
    claim needs before 'inconclusive' means the effect is absent rather than unmeasured. Exact: the
    probabilities of the outcomes that reject are summed."""
    if p_true == p_null:
        raise ValueError(f"no test has power against its own null (both rates {p_true})")

    def power_at(n: int) -> float:
        k = np.arange(n + 1)
        if p_true > p_null:
            p_values = stats.binom.sf(k - 1, n, p_null)  # P(X >= k)
        else:
            p_values = stats.binom.cdf(k, n, p_null)  # P(X <= k)
        return float(stats.binom.pmf(k[p_values < alpha], n, p_true).sum())

    return lasting(power_at, power, max_n, f"rate {p_true} against {p_null}")


def trials_in_band(p_true: float, low: float, high: float, power: float = 0.8, alpha: float = ALPHA,
                   max_n: int = 10_000) -> int:
    """Trials from which two one-sided exact binomial tests (rate above `low`, and below `high`) both
    keep rejecting at level alpha with probability >= power when the rate is p_true: the trials a
    claim of a rate inside a band ("roughly half") needs. Exact: the outcomes that reject are summed."""
    if not low < p_true < high:
        raise ValueError(f"the rate {p_true} must lie inside the band ({low}, {high})")

    def power_at(n: int) -> float:
        k = np.arange(n + 1)
        inside = (stats.binom.sf(k - 1, n, low) < alpha) & (stats.binom.cdf(k, n, high) < alpha)
        return float(stats.binom.pmf(k[inside], n, p_true).sum())

    return lasting(power_at, power, max_n, f"rate {p_true} inside ({low}, {high})")


def trials_two_sample(p1: float, p2: float, power: float = 0.8, alpha: float = ALPHA, max_n: int = 500) -> int:
    """Trials per arm from which Fisher's one-sided exact test (in the direction of p1 vs p2) keeps
    rejecting at level alpha with probability >= power, by enumerating every outcome (x1, x2): the
    trials a comparison needs. Fisher is conservative relative to Boschloo, so this n suffices for
    Boschloo's test too."""
    if p1 == p2:
        raise ValueError(f"no test has power between equal rates ({p1})")
    high, low = max(p1, p2), min(p1, p2)

    def power_at(n: int) -> float:
        x1, x2 = np.meshgrid(np.arange(n + 1), np.arange(n + 1), indexing="ij")
        p_values = stats.hypergeom.sf(x1 - 1, 2 * n, x1 + x2, n)  # P(X1 >= x1 | both margins)
        probability = np.outer(stats.binom.pmf(np.arange(n + 1), n, high), stats.binom.pmf(np.arange(n + 1), n, low))
        return float(probability[p_values < alpha].sum())

    return lasting(power_at, power, max_n, f"rates {p1} and {p2}")


def lasting(power_at, power: float, max_n: int, what: str) -> int:
    """Smallest n whose power reaches `power` and stays there up to 2n + 10 trials: the power of an
    exact test saw-tooths with n (8 trials can reach 0.8 where 9 do not), so the first n that reaches
    it is not a safe plan. (Any property of n that saw-tooths can be planned so: power_at returns 1
    where it holds.)"""
    n = 1
    while n <= max_n:
        if power_at(n) < power:
            n += 1
            continue
        dip = next((m for m in range(n + 1, 2 * n + 11) if power_at(m) < power), None)
        if dip is None:
            return n
        n = dip + 1
    raise ValueError(f"more than {max_n} trials needed for {what}")


class Slope(NamedTuple):
    estimate: float
    low: float
    high: float
    stderr: float
    dof: int


def slope(x, y, confidence: float = 0.95) -> Slope:
    """Ordinary least-squares slope of y on x with its t-interval: how much a score moves along a
    sweep, with the uncertainty that seed-to-seed scatter leaves in it."""
    x, y = np.asarray(x, dtype=float), np.asarray(y, dtype=float)
    if len(x) != len(y) or len(x) < 3:
        raise ValueError(f"a slope with an interval needs at least 3 paired points, got {len(x)} and {len(y)}")
    if np.ptp(x) == 0:
        raise ValueError("a slope needs at least two distinct x values")
    fit = stats.linregress(x, y)
    dof = len(x) - 2
    half = stats.t.ppf(0.5 + confidence / 2, dof) * fit.stderr
    return Slope(float(fit.slope), float(fit.slope - half), float(fit.slope + half), float(fit.stderr), dof)


def slope_test(fit: Slope, null: float, alternative: str) -> float:
    """p-value of the one-sided t-test that the slope is 'greater' or 'less' than `null`: the
    building block of a trend test (null 0) and of equivalence tests (null at a margin)."""
    if fit.stderr == 0:  # a perfect fit: the slope is known exactly
        beyond = fit.estimate > null if alternative == "greater" else fit.estimate < null
        return 0.0 if beyond else 1.0
    t = (fit.estimate - null) / fit.stderr
    return float(stats.t.sf(t, fit.dof) if alternative == "greater" else stats.t.cdf(t, fit.dof))


def seeds_for_flat_slope(levels, margin_sd: float, power: float = 0.8, alpha: float = ALPHA,
                         max_seeds: int = 10_000) -> int:
    """Smallest number of runs per level of x at which two one-sided t-tests (TOST) place a zero
    slope inside +-margin with probability >= power: the trials a claim of no effect needs. The
    margin is in units of the within-level standard deviation per unit of x; treating that scatter
    as known (the usual planning approximation), the slope's t-statistic has dof = runs - 2 and TOST
    rejects when |t| < margin / stderr - t_(1 - alpha)."""
    levels = np.asarray(levels, dtype=float)
    sxx = ((levels - levels.mean()) ** 2).sum()  # per run of each level
    if sxx == 0 or margin_sd <= 0:
        raise ValueError("a flat slope needs two distinct levels and a positive margin")
    for seeds in range(1, max_seeds + 1):
        dof = seeds * len(levels) - 2
        if dof < 1:
            continue
        if margin_sd * np.sqrt(seeds * sxx) >= stats.t.ppf(1 - alpha, dof) + stats.t.ppf(0.5 + power / 2, dof):
            return seeds
    raise ValueError(f"more than {max_seeds} runs per level needed for a margin of {margin_sd} sd")


def mann_whitney(x, y, alternative: str) -> float:
    """p-value of the one-sided Mann-Whitney U test that x is 'less' or 'greater' than y: a shift of
    a score between two groups of runs without assuming its distribution (S_KL is skewed);
    exact for small samples without ties."""
    x, y = np.asarray(x, dtype=float), np.asarray(y, dtype=float)
    if len(x) == 0 or len(y) == 0:
        raise ValueError(f"Mann-Whitney needs two non-empty samples, got {len(x)} and {len(y)}")
    return float(stats.mannwhitneyu(x, y, alternative=alternative).pvalue)


def holm(p_values) -> list[float]:
    """Holm's step-down adjustment of a family of p-values: rejecting where the adjusted value is
    below alpha keeps the chance of any false rejection in the family at most alpha, under any
    dependence between the tests, and rejects at least what Bonferroni does."""
    p = np.asarray(p_values, dtype=float)
    if np.any(~np.isfinite(p) | (p < 0) | (p > 1)):
        raise ValueError(f"Holm needs p-values in [0, 1], got {p.tolist()}")
    order = np.argsort(p, kind="stable")
    stepped = np.maximum.accumulate((len(p) - np.arange(len(p))) * p[order])
    adjusted = np.empty_like(p)
    adjusted[order] = np.minimum(stepped, 1.0)
    return adjusted.tolist()


def _check_counts(k, n) -> None:
    if n < 1:
        raise ValueError(f"no trials (n = {n}): a fraction needs at least one")
    if not 0 <= k <= n:
        raise ValueError(f"count {k} is outside 0..{n}")
