"""The verdict calibration against answers computed independently: binomial sums in closed form,
Boschloo's test called directly, and the trial counts at which 'never' and 'always' become testable."""

import math

import numpy as np
import pytest
from scipy import stats

from fieldvae.core import verdict_calibration
from fieldvae.core.io import load_rows
from fieldvae.darcy.claims import (CLAIMS, _rate, claims, compare_rates,
                                   write_calibration)


def test_rate_probabilities_are_the_binomial_sums():
    """A rule that reproduces from 3 successes on: P(reproduced) is the binomial tail, exactly."""
    judge = lambda k: "reproduced" if k >= 3 else "inconclusive at 7 trials"  # noqa: E731
    calibration = verdict_calibration.rate(judge, 7, 0.6, 0.2)
    assert calibration.right["reproduced"] == pytest.approx(stats.binom.sf(2, 7, 0.6), abs=1e-12)
    assert calibration.wrong["reproduced"] == pytest.approx(stats.binom.sf(2, 7, 0.2), abs=1e-12)
    assert calibration.right["contradicted"] == 0 and calibration.reachable == ("reproduced", "inconclusive")
    assert sum(calibration.right.values()) == pytest.approx(1.0, abs=1e-9)


def test_a_stated_rate_against_the_paper_counts_matches_boschloo_called_directly():
    """C4 ('roughly half', 25/50) at 10 trials: the chance a right paper is contradicted is the mass of
    the outcomes whose two-sided Boschloo test against 25/50 rejects at 0.05."""
    numbers = CLAIMS["C4"][3]
    calibration = verdict_calibration.rate(lambda k: _rate(numbers, k, 10, "")["verdict"], 10, 0.5, 0.1)
    direct = sum(stats.binom.pmf(k, 10, 0.5) for k in range(11)
                 if stats.boschloo_exact([[k, 25], [10 - k, 25]], alternative="two-sided").pvalue < 0.05)
    assert calibration.right["contradicted"] == pytest.approx(direct, abs=1e-9)
    assert 0 < calibration.right["contradicted"] <= verdict_calibration.MAX_FALSE_CONTRADICTION
    reproduce = sum(stats.binom.pmf(k, 10, 0.1) for k in range(11)
                    if stats.binomtest(k, 10, 0.1, alternative="greater").pvalue < 0.05
                    and stats.boschloo_exact([[k, 25], [10 - k, 25]], alternative="two-sided").pvalue >= 0.05)
    assert calibration.wrong["reproduced"] == pytest.approx(reproduce, abs=1e-9)  # a false reproduction


def test_a_comparison_matches_boschloo_called_directly():
    """C4b (0.5 against 0) at 10 vs 10: the power is the mass of the first arm's counts whose one-sided
    Boschloo test against 0/10 rejects."""
    judge = lambda k1, k2: compare_rates(("hp", k1, 10), ("plain", k2, 10), "")["verdict"]  # noqa: E731
    calibration = verdict_calibration.comparison(judge, 10, 10, (0.5, 0.0), ((0.25, 0.25), (0.05, 0.05)))
    direct = sum(stats.binom.pmf(k, 10, 0.5) for k in range(11)
                 if stats.boschloo_exact([[k, 0], [10 - k, 10]], alternative="greater").pvalue < 0.05)
    assert calibration.right["reproduced"] == pytest.approx(direct, abs=1e-9)
    assert calibration.right["contradicted"] == 0  # 0/10 in the second arm can never be beaten from below
    assert calibration.wrong["reproduced"] < 0.05  # equal rates: a false reproduction stays below the level
    assert calibration.worst == 0  # equal rates of 0.25 reproduce more often than of 0.05
    assert set(calibration.reachable) == {"reproduced", "contradicted", "inconclusive"}


def calibrated(claim: str):
    """The calibration of a rate claim at n trials, as a function of n."""
    numbers = CLAIMS[claim][3]
    return lambda n: verdict_calibration.rate(lambda k: _rate(numbers, k, n, "")["verdict"], n, numbers.p_paper)


@pytest.mark.parametrize("claim, p_alt, needed", [("C3", 0.1, 29), ("C2", 0.25, 11), ("C12", 0.5, 5),
                                                  ("C9", 0.05, 59)])
def test_never_and_always_become_decidable_where_the_best_outcome_rejects_the_contrast(claim, p_alt, needed):
    """'Never' (0 of n) rejects a contrast rate q once (1 - q)^n < 0.05, 'always' (n of n) once q^n < 0.05."""
    assert CLAIMS[claim][3].p_alt == p_alt
    at = calibrated(claim)
    closed_form = math.ceil(math.log(0.05) / math.log(1 - p_alt if CLAIMS[claim][3].p_paper == 0 else p_alt))
    assert verdict_calibration.deciding_trials(at) == closed_form == needed
    assert not at(needed - 1).decidable and at(needed).decidable


def test_decidability_saw_tooths_and_the_deciding_count_is_where_it_stays():
    """'Roughly half' against 25/50 (C4): at 5 trials a right paper is contradicted 2/32 = 6.25% of the
    time (0/5 and 5/5), at 2-4 and from 6 on at most 5%: decidable from 6, not from 2."""
    at = calibrated("C4")
    assert [at(n).decidable for n in range(2, 8)] == [True, True, True, False, True, True]
    assert at(5).right["contradicted"] == pytest.approx(2 / 32)
    assert verdict_calibration.deciding_trials(at) == 6


def test_undecidable_is_what_these_trials_cannot_deliver():
    """An inconclusive row whose trials cannot reproduce, or a contradiction a right paper gets too
    often, is undecidable; a contradiction a right paper never gets, and a reproduction, stand."""
    never = calibrated("C2")(10)  # 0/10 cannot reject 0.25; a right paper (0 of 10) is never contradicted
    assert verdict_calibration.undecidable("inconclusive at 10 trials", never)
    assert not verdict_calibration.undecidable("contradicted", never)
    half = calibrated("C4")(5)
    assert verdict_calibration.undecidable("contradicted", half) and not verdict_calibration.undecidable(
        "inconclusive at 5 trials", half)
    assert not verdict_calibration.undecidable("reproduced", half)


def test_every_row_at_quick_is_decidable_or_says_undecidable(tmp_path):
    """At quick's trial counts (10 per pair arm, 3 per sweep point), no row contradicts where a right
    paper would be contradicted more than 5% of the time, nor is inconclusive where it cannot reproduce."""
    def runs(experiment, n, names=None, **flags):
        return [{"experiment": experiment, "run": (names or "seed{i}").format(i=i),
                 "disentangled": i < flags.get("k", 0), "over_regularised": False, "code_angle": 40.0,
                 "s_d": 0.8, "s_kl": 1.0, "diagonal_share": 0.5, "nll_per_pixel": -1.0, "rate": 2.0}
                for i in range(n)]
    rows = (runs("mixture", 10) + runs("mixture_hierarchical", 10, k=1) + runs("shifted", 10)
            + runs("shifted_hierarchical", 10, k=4) + runs("semi_supervised", 3, "labels4_seed{i}", k=1)
            + runs("semi_supervised", 3, "labels32_seed{i}", k=3))
    table = claims(rows, 512)
    for row in table:
        if isinstance(row["false_contradiction"], float):
            assert not (row["verdict"] == "contradicted" and row["false_contradiction"] > 0.05), row
            assert not (row["verdict"].startswith("inconclusive") and "reproduced" not in row["reachable_at_n"]), row
    by_id = {row["id"]: row for row in table}
    assert by_id["C12"]["verdict"] == "contradicted"  # 1/3 at 4 labels: a right paper (3 of 3) never gets this
    assert by_id["C3"]["verdict"] == "undecidable at 10 trials (decidable from 29)"  # 0/10 cannot reject 0.1
    assert by_id["C2"]["verdict"] == "undecidable at 10 trials (decidable from 11)"
    write_calibration(tmp_path / "c.csv", tmp_path / "c.md", table, "quick")
    back = {row["id"]: row for row in load_rows([tmp_path / "c.csv"])}
    assert back["C4"]["right_reproduced"] + back["C4"]["right_contradicted"] + back["C4"]["right_inconclusive"] == \
        pytest.approx(1.0, abs=1e-6)
    assert back["C14a"]["paper_right"].startswith("not simulated") and "undecidable" not in by_id["C14a"]["verdict"]
    assert np.isclose(back["C12"]["right_contradicted"], 0.0)
