"""Every statistic against known values, scipy, an exact recomputation or a simulation, plus bad input."""

import itertools

import numpy as np
import pytest
from scipy import stats as sp

from fieldvae.core import stats

# --- Wilson interval ----------------------------------------------------------------------------

@pytest.mark.parametrize("k, n, low, high", [
    (0, 10, 0.0, 0.2775), (5, 10, 0.2366, 0.7634), (10, 10, 0.7225, 1.0), (1, 10, 0.0179, 0.4042),
    (3, 10, 0.1078, 0.6032), (0, 1, 0.0, 0.7935),
])
def test_wilson_matches_textbook_values(k, n, low, high):
    assert stats.wilson(k, n) == pytest.approx((low, high), abs=1e-4)


def test_wilson_matches_scipy_and_is_exact_at_the_ends():
    for n in (1, 3, 10, 50):
        for k in range(n + 1):
            ci = sp.binomtest(k, n).proportion_ci(0.9, method="wilson")
            assert stats.wilson(k, n, 0.9) == pytest.approx((ci.low, ci.high), abs=1e-12)
        assert stats.wilson(0, n)[0] == 0.0 and stats.wilson(n, n)[1] == 1.0


def test_wilson_bad_counts():
    with pytest.raises(ValueError, match="no trials"):
        stats.wilson(0, 0)
    with pytest.raises(ValueError, match="outside 0..10"):
        stats.wilson(11, 10)


# --- exact tests --------------------------------------------------------------------------------

def test_binomial_test_known_values_and_certain_rates():
    assert stats.binomial_test(8, 10, 0.5, "greater") == pytest.approx(56 / 1024)
    assert stats.binomial_test(0, 10, 0.25, "less") == pytest.approx(0.75**10)
    assert stats.binomial_test(1, 10, 0.0, "greater") == 0.0  # one event refutes "never"
    assert stats.binomial_test(0, 10, 0.0, "greater") == 1.0
    assert stats.binomial_test(9, 10, 1.0, "less") == 0.0  # one failure refutes "always"
    with pytest.raises(ValueError, match="no trials"):
        stats.binomial_test(0, 0, 0.5, "greater")


def test_proportions_test_agrees_with_scipy_and_beats_fisher():
    for k1, n1, k2, n2 in [(25, 50, 0, 50), (3, 10, 1, 10), (2, 10, 25, 50), (4, 7, 0, 5)]:
        for alternative in ("greater", "less", "two-sided"):
            expected = sp.boschloo_exact([[k1, k2], [n1 - k1, n2 - k2]], alternative=alternative).pvalue
            assert stats.proportions_test(k1, n1, k2, n2, alternative) == pytest.approx(expected)
        fisher = sp.fisher_exact([[k1, k2], [n1 - k1, n2 - k2]], alternative="greater").pvalue
        assert stats.proportions_test(k1, n1, k2, n2, "greater") <= fisher + 1e-12
        # the same question asked from the other arm
        assert stats.proportions_test(k1, n1, k2, n2, "greater") == pytest.approx(
            stats.proportions_test(k2, n2, k1, n1, "less"))
    assert stats.proportions_test(25, 50, 0, 50, "greater") < 1e-8
    assert stats.proportions_test(0, 3, 0, 3, "greater") == 1.0
    with pytest.raises(ValueError, match="no trials"):
        stats.proportions_test(0, 0, 1, 3, "greater")


def test_mann_whitney_agrees_with_scipy_and_sees_a_shift():
    rng = np.random.default_rng(0)
    x, y = rng.normal(0, 1, 8), rng.normal(2, 1, 9)
    assert stats.mann_whitney(x, y, "less") == pytest.approx(sp.mannwhitneyu(x, y, alternative="less").pvalue)
    assert stats.mann_whitney(x, y, "less") < 0.05 < 0.95 < stats.mann_whitney(x, y, "greater")
    assert stats.mann_whitney([1, 2, 3], [4, 5, 6], "less") == pytest.approx(1 / 20)  # exact: 1 of C(6, 3) orders
    with pytest.raises(ValueError, match="non-empty"):
        stats.mann_whitney([], [1.0], "less")


# --- trials for 80% power -----------------------------------------------------------------------

def exact_power_one_sample(n, p_true, p_null):
    direction = "greater" if p_true > p_null else "less"
    return sum(sp.binom.pmf(k, n, p_true) for k in range(n + 1)
               if sp.binomtest(k, n, p_null, alternative=direction).pvalue < 0.05)


@pytest.mark.parametrize("p_true, p_null, expected", [
    (0.1, 0.0, 16),   # 1 - 0.9^n >= 0.8
    (0.0, 0.25, 11),  # 0.75^n < 0.05
    (1.0, 0.5, 5),    # 0.5^n < 0.05
    (0.0, 0.1, 29),
])
def test_trials_one_sample_closed_forms(p_true, p_null, expected):
    assert stats.trials_one_sample(p_true, p_null) == expected


@pytest.mark.parametrize("p_true, p_null", [(0.5, 0.1), (0.3, 0.6), (1 / 3, 0.1)])
def test_trials_one_sample_is_the_smallest_n_from_which_power_lasts(p_true, p_null):
    """Exact power saw-tooths with n (0.5 against 0.1: 0.855 at 8 trials, 0.746 at 9): the plan is
    the smallest n from which it stays above 0.8."""
    n = stats.trials_one_sample(p_true, p_null)
    powers = {m: exact_power_one_sample(m, p_true, p_null) for m in range(1, 2 * n + 11)}
    assert all(powers[m] >= 0.8 for m in range(n, 2 * n + 11))
    assert powers[n - 1] < 0.8
    draws = np.random.default_rng(1).binomial(n, p_true, 2000)  # and by simulation
    direction = "greater" if p_true > p_null else "less"
    rejected = np.mean([sp.binomtest(k, n, p_null, alternative=direction).pvalue < 0.05 for k in draws])
    assert rejected > 0.8 - 3 * np.sqrt(0.16 / 2000)


def exact_power_two_sample(n, p1, p2, test):
    return sum(sp.binom.pmf(x1, n, p1) * sp.binom.pmf(x2, n, p2)
               for x1, x2 in itertools.product(range(n + 1), repeat=2) if test(x1, x2) < 0.05)


def test_trials_two_sample_is_smallest_for_fisher_and_enough_for_boschloo():
    def fisher(x1, x2, n):
        return sp.fisher_exact([[x1, x2], [n - x1, n - x2]], alternative="greater").pvalue

    n = stats.trials_two_sample(0.5, 0.0)
    assert n == 10
    assert exact_power_two_sample(n, 0.5, 0.0, lambda a, b: fisher(a, b, n)) >= 0.8
    assert all(exact_power_two_sample(m, 0.5, 0.0, lambda a, b: fisher(a, b, m)) < 0.8 for m in range(1, n))
    assert exact_power_two_sample(n, 0.5, 0.0, lambda a, b: stats.proportions_test(a, n, b, n, "greater")) >= 0.8
    assert stats.trials_two_sample(0.0, 0.5) == n  # the direction follows the rates
    m = stats.trials_two_sample(0.5, 0.1)
    assert exact_power_two_sample(m, 0.5, 0.1, lambda a, b: fisher(a, b, m)) >= 0.8 > \
        exact_power_two_sample(m - 1, 0.5, 0.1, lambda a, b: fisher(a, b, m - 1))


def test_trials_need_different_rates():
    with pytest.raises(ValueError, match="own null"):
        stats.trials_one_sample(0.3, 0.3)
    with pytest.raises(ValueError, match="equal rates"):
        stats.trials_two_sample(0.2, 0.2)


# --- slopes -------------------------------------------------------------------------------------

def test_slope_matches_linregress_and_covers_the_true_slope():
    rng = np.random.default_rng(2)
    x = np.repeat(np.arange(5.0), 3)
    covered = 0
    for _ in range(1000):
        y = 1.0 + 0.3 * x + rng.normal(0, 1, x.size)
        fit = stats.slope(x, y)
        covered += fit.low <= 0.3 <= fit.high
    assert abs(covered / 1000 - 0.95) < 3 * np.sqrt(0.95 * 0.05 / 1000)
    reference = sp.linregress(x, y)
    assert fit.estimate == pytest.approx(reference.slope) and fit.stderr == pytest.approx(reference.stderr)
    assert fit.dof == x.size - 2
    two_sided = 2 * min(stats.slope_test(fit, 0.0, "greater"), stats.slope_test(fit, 0.0, "less"))
    assert two_sided == pytest.approx(reference.pvalue)


def test_slope_test_at_a_margin_and_for_a_perfect_fit():
    fit = stats.Slope(estimate=1.0, low=0.0, high=2.0, stderr=0.5, dof=10)
    assert stats.slope_test(fit, 1.0, "greater") == pytest.approx(0.5)
    assert stats.slope_test(fit, 0.0, "greater") == pytest.approx(sp.t.sf(2.0, 10))
    exact = stats.slope([0, 1, 2], [0, 2, 4])
    assert (exact.estimate, exact.low, exact.high) == pytest.approx((2, 2, 2))
    assert stats.slope_test(exact, 1.0, "greater") == 0.0 and stats.slope_test(exact, 2.0, "greater") == 1.0


def test_slope_bad_input():
    with pytest.raises(ValueError, match="at least 3"):
        stats.slope([0, 1], [0, 1])
    with pytest.raises(ValueError, match="two distinct x"):
        stats.slope([1, 1, 1], [0, 1, 2])


def tost_power(levels, seeds, rng, sims=400):
    """How often TOST places a zero slope within one pooled within-level SD over the levels' range."""
    x = np.repeat(levels, seeds)
    hits = 0
    for _ in range(sims):
        y = rng.standard_normal(x.size)
        within = np.sqrt(sum(((y[x == v] - y[x == v].mean()) ** 2).sum() for v in levels) / (x.size - len(levels)))
        margin = within / np.ptp(levels)
        fit = stats.slope(x, y)
        hits += max(stats.slope_test(fit, -margin, "greater"), stats.slope_test(fit, margin, "less")) < 0.05
    return hits / sims


def test_seeds_for_flat_slope_by_simulation():
    levels = np.log2([1, 4, 8, 32, 128])
    seeds = stats.seeds_for_flat_slope(levels, 1 / np.ptp(levels))
    assert seeds == 15  # sqrt(15 * 29.2) / 7 >= t(0.95) + t(0.9) at 73 dof
    rng = np.random.default_rng(3)
    assert tost_power(levels, seeds, rng) > 0.8 - 3 * np.sqrt(0.16 / 400)
    assert tost_power(levels, 3, rng) < 0.3  # the quick scale's 3 seeds cannot show a flat slope
    with pytest.raises(ValueError, match="two distinct levels"):
        stats.seeds_for_flat_slope([2, 2], 1.0)
