"""The Lennard-Jones study's claims L1 and L2 on scores and latents whose answer is known."""

import numpy as np
import pytest

from fieldvae.core import stats
from fieldvae.lj import claims


def sets(shifts, n=200, seed=0):
    """The held-out set and anomaly sets whose reconstruction errors are shifted by the given amounts."""
    rng = np.random.default_rng(seed)
    out = {"held-out": {"reconstruction": rng.standard_normal(n)}, "control gamma 0.55": {
        "reconstruction": rng.standard_normal(n) + 5.0}}  # the control is never judged, even when it stands out
    out.update({name: {"reconstruction": rng.standard_normal(n) + shift} for name, shift in shifts.items()})
    return out


def test_l1_is_reproduced_only_when_every_anomaly_set_is_flagged():
    row = claims.flags_anomalies(sets({"gamma 3": 1.0, "fake potential": 0.8}), "held-out", "control")
    assert row["verdict"] == "reproduced" and row["measured"].startswith("2/2 sets flagged")
    row = claims.flags_anomalies(sets({"gamma 3": 1.0, "fake potential": 0.0}), "held-out", "control")
    assert row["verdict"] == "inconclusive at 2 sets"


def test_l1_is_contradicted_when_a_set_looks_more_normal_than_normal():
    """The sedimented gamma-3 layer reconstructs better than the training mix: rated more normal."""
    scores = sets({"gamma 3": -1.0, "uniform random": 2.0})
    row = claims.flags_anomalies(scores, "held-out", "control")
    assert row["verdict"] == "contradicted" and "more normal than normal (gamma 3)" in row["measured"]
    direct = stats.mann_whitney(scores["gamma 3"]["reconstruction"], scores["held-out"]["reconstruction"], "less")
    assert row["p_contradict"] == pytest.approx(min(1.0, 2 * direct))  # Holm over the 2 sets: the smaller doubled


def test_l2_tests_the_ordering_against_none_and_against_the_margin():
    rng = np.random.default_rng(1)
    gamma = np.repeat([0.1, 0.4, 0.7, 1.0], 100)
    ordered = np.c_[gamma + 0.05 * rng.standard_normal(400), rng.standard_normal(400)]
    row = claims.orders_by_gamma(ordered[::2], gamma[::2], ordered[1::2], gamma[1::2])
    assert row["verdict"] == "reproduced" and "Spearman 0.9" in row["measured"]
    weak = np.c_[gamma + 3.0 * rng.standard_normal(400), rng.standard_normal(400)]
    row = claims.orders_by_gamma(weak[::2], gamma[::2], weak[1::2], gamma[1::2])
    assert row["verdict"] == "contradicted" and row["p_contradict"] < 0.05  # some order, far below 0.5


def test_claims_give_l1_and_l2_per_protocol(tmp_path):
    gamma = np.repeat([0.1, 0.4, 0.7, 1.0], 20)
    codes = {"train_latents": gamma[:, None], "train_gamma": gamma, "test_latents": gamma[:, None] + 0.01,
             "test_gamma": gamma}
    rows = claims.claims({"group": sets({"gamma 3": 1.0}), "equilibrated": sets({"gamma 3": 1.0}, seed=2)},
                         {"group": codes, "equilibrated": codes}, "held-out", "control")
    assert [(r["id"], r["protocol"]) for r in rows] == [("L1", "group"), ("L2", "group"), ("L1", "equilibrated"),
                                                         ("L2", "equilibrated")]
    claims.write(tmp_path / "c.csv", rows)
    assert (tmp_path / "c.csv").read_text().splitlines()[0] == ",".join(claims.COLUMNS)
    assert any(line.startswith("| L2 | group |") for line in claims.markdown(rows))
