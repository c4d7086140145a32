"""Per-experiment tables: counts, Wilson intervals, the threshold sweep and the markdown."""

import math

import pytest
from conftest import settings_of

from fieldvae.core.metrics.disentangled import MAX_CODE_ANGLE, THRESHOLDS
from fieldvae.paper.summary import TABLES, own_table, summarise, write


def run(experiment, name, **scores):
    row = {"experiment": experiment, "run": name, **settings_of(name), "s_d": 0.8, "s_d_factors": 0.95, "diagonal_share": 0.9,
           "code_angle": 10.0, "exclusive": True, "over_regularised": False, "s_kl": 0.5, "mig": 0.3, "sap": 0.2,
           "dci_disentanglement": 0.5, "dci_completeness": 0.5, "dci_informativeness": 0.9, "rate": 3.0,
           "distortion": -2.0}
    return row | scores


ANGLES = [1.0, 1.0, 1.0, 4.0, 8.0, 12.0, 18.0, 25.0, 40.0, math.nan]


def known_group():
    """10 mixture runs: 3 over-regularised, code angles spread over the thresholds, one without an angle."""
    return [run("mixture", f"seed{i}", over_regularised=i < 3, code_angle=a, s_kl=None if i == 0 else 1.0)
            for i, a in enumerate(ANGLES)]


def test_fractions_come_with_counts_and_wilson_intervals():
    (row,) = summarise(known_group())
    assert (row["runs"], row["over_regularised_count"], row["over_regularised"]) == (10, 3, 0.3)
    assert (row["over_regularised_low"], row["over_regularised_high"]) == pytest.approx((0.1078, 0.6032), abs=1e-4)
    # disentangled at 15 degrees: the unregularised runs with angles 4, 8 and 12
    assert (row["disentangled_count"], row["disentangled"]) == (3, 0.3)
    assert row["disentangled_low"] == pytest.approx(0.1078, abs=1e-4)


def test_threshold_columns_are_monotone_and_over_regularised_runs_never_count():
    (row,) = summarise(known_group())
    fractions = [row[f"disentangled_at_{t}"] for t in THRESHOLDS]
    assert fractions == sorted(fractions)  # a wider angle admits more
    assert fractions == pytest.approx([0.1, 0.2, 0.3, 0.4, 0.5])  # the three runs at 1 degree are over-regularised
    (collapsed,) = summarise([run("mixture", "seed0", code_angle=0.0, over_regularised=True)])
    assert collapsed["disentangled"] == 0 and all(collapsed[f"disentangled_at_{t}"] == 0 for t in THRESHOLDS)


def test_scores_skip_missing_values_and_groups_split_by_variant():
    (row,) = summarise(known_group())
    assert row["code_angle_mean"] == pytest.approx(110 / 9)  # the NaN angle left out
    assert row["s_kl_mean"] == 1.0
    rows = summarise([run("beta_sweep", f"beta{b}_seed{s}") for b in (10, 1) for s in range(2)])
    assert [(r["variant"], r["runs"]) for r in rows] == [("beta10", 2), ("beta1", 2)]


def test_markdown_shows_intervals_and_the_rule(tmp_path):
    write(tmp_path / "t.csv", tmp_path / "t.md", summarise(known_group()), TABLES["summary"], "quick")
    md = (tmp_path / "t.md").read_text()
    assert "| 3/10 [0.11, 0.60] | 3/10 [0.11, 0.60] |" in md
    assert f"MAX_CODE_ANGLE = {MAX_CODE_ANGLE:g} degrees" in md and "ceiling" not in md
    assert all(f"disentangled_at_{t}" in md for t in THRESHOLDS)


def test_a_diverged_run_counts_in_the_runs_as_neither_and_has_no_scores():
    scoreless = dict.fromkeys(("s_d", "s_d_factors", "diagonal_share", "code_angle", "s_kl", "mig"))
    diverged = run("mixture", "seed9", **scoreless, diverged=True)
    (row,) = summarise([*known_group()[:9], diverged])
    assert (row["runs"], row["diverged_count"], row["disentangled_count"], row["over_regularised_count"]) == (10, 1, 3, 3)
    assert all(row[f"disentangled_at_{t}"] == pytest.approx(k / 10) for t, k in zip(THRESHOLDS, (1, 2, 3, 4, 5)))
    assert row["code_angle_mean"] == pytest.approx(110 / 9)
    (old,) = summarise(known_group())  # tables written before runs could diverge have no such column
    assert old["diverged_count"] == 0


def test_without_factors_disentanglement_is_not_scored_and_says_so(tmp_path):
    """Runs on a user's fields without factors: over-regularisation is counted, disentanglement is
    not (not 0 of n), and the markdown says why."""
    rows = [run("mine", f"seed{i}", code_angle=None, s_d=None, disentangled=None, over_regularised=i == 0,
                factor_scores_reason="the dataset has no generating factors") for i in range(4)]
    (row,) = summarise(rows)
    assert row["over_regularised_count"] == 1 and row["disentangled_count"] is None and row["disentangled"] is None
    assert all(row[f"disentangled_at_{t}"] is None for t in THRESHOLDS) and math.isnan(row["s_d_mean"])
    write(tmp_path / "t.csv", tmp_path / "t.md", [row], own_table("mine", factors=False), "tiny")
    md = (tmp_path / "t.md").read_text()
    assert "| 1/4 [0.05, 0.70] | n/a (no factors) |" in md and "Experiment `mine` on your own fields" in md
