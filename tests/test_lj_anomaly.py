"""Anomaly generators and score statistics against exact counts and the Gaussian theory."""

import re

import numpy as np
import pytest
from scipy.stats import norm
from sklearn.metrics import roc_auc_score

from fieldvae.lj.anomaly import NORMAL, bootstrap_auc, detection_rate, roc_auc
from fieldvae.lj.anomaly_sets import (MOVED_PARTICLES, anomaly_sets, black_out,
                                      displace)
from fieldvae.lj.auc_comparison import paired_auc_difference
from fieldvae.lj.geometry import distance_matrices

BOX = 10.0


# --- displaced particles ------------------------------------------------------------------------

@pytest.mark.parametrize("amplitude", [0.5, 0.2 * BOX * np.sqrt(2), 3 * BOX])
def test_displace_moves_exactly_n_particles_by_at_most_the_amplitude_inside_the_box(amplitude):
    positions = np.random.default_rng(0).uniform(0, BOX, (200, 30, 2))
    moved = displace(positions, 4, amplitude, np.random.default_rng(1), box=BOX)
    steps = np.linalg.norm(moved - positions, axis=2)
    assert np.all(np.sum(steps > 0, axis=1) == 4)
    assert steps.max() <= amplitude + 1e-12
    assert moved.min() >= 0 and moved.max() <= BOX


def test_displacement_is_uniform_over_the_disc_and_reflected_at_the_walls():
    middle = np.full((20000, 2, 2), BOX / 2)
    steps = np.linalg.norm(displace(middle, 1, 1.0, np.random.default_rng(2)) - BOX / 2, axis=2).max(1)
    assert np.mean(steps <= 0.5) == pytest.approx(0.25, abs=0.015)  # area fraction of the inner disc
    corner = np.full((2000, 2, 2), 0.1)
    moved = displace(corner, 2, 1.0, np.random.default_rng(3))
    assert np.all(moved >= 0) and np.mean(moved < 1e-3) < 0.01  # reflected, not piled up on the walls


def test_displace_is_reproducible_from_its_generator():
    positions = np.random.default_rng(0).uniform(0, BOX, (10, 30, 2))
    moved = displace(positions, 4, 1.0, np.random.default_rng(7))
    assert np.array_equal(moved, displace(positions, 4, 1.0, np.random.default_rng(7)))
    assert not np.array_equal(moved, displace(positions, 4, 1.0, np.random.default_rng(8)))


# --- blacked-out blocks -------------------------------------------------------------------------

def block_masks(n, block):
    """Every block-by-block square and its mirror image, one mask per top-left corner."""
    masks = []
    for i in range(n - block + 1):
        for j in range(n - block + 1):
            mask = np.zeros((n, n), bool)
            mask[i:i + block, j:j + block] = mask[j:j + block, i:i + block] = True
            masks.append(mask)
    return np.array(masks)


@pytest.mark.parametrize("block", [1, 5, 30])
def test_black_out_zeroes_exactly_one_block_and_its_mirror(block):
    matrices = distance_matrices(np.random.default_rng(0).uniform(0, BOX, (40, 30, 2)))
    original = matrices.copy()
    out = black_out(matrices, block, np.random.default_rng(1))
    assert np.array_equal(matrices, original)  # the input is left as it was
    assert out.dtype == matrices.dtype and np.array_equal(out, np.swapaxes(out, 1, 2))
    masks = block_masks(30, block) | np.eye(30, dtype=bool)
    for before, after in zip(matrices, out):
        zeroed = after == 0
        assert np.any(np.all(masks == zeroed, axis=(1, 2)))  # zero exactly on one block and its mirror
        assert np.array_equal(after[~zeroed], before[~zeroed])  # untouched elsewhere


# --- ROC AUC ------------------------------------------------------------------------------------

def test_roc_auc_matches_sklearn_with_ties():
    rng = np.random.default_rng(0)
    for _ in range(20):
        normal, anomalous = rng.integers(0, 5, rng.integers(1, 60)), rng.integers(1, 7, rng.integers(1, 60))
        labels = np.r_[np.zeros(len(normal)), np.ones(len(anomalous))]
        expected = roc_auc_score(labels, np.r_[normal, anomalous])
        assert roc_auc(normal, anomalous) == pytest.approx(expected, abs=1e-12)


def test_roc_auc_extremes():
    assert roc_auc([0, 1, 2], [3, 4]) == 1.0
    assert roc_auc([3, 4], [0, 1, 2]) == 0.0
    assert roc_auc([1, 1], [1, 1, 1]) == 0.5  # all ties: no information
    rng = np.random.default_rng(1)
    n = 2000
    sd = np.sqrt((2 * n + 1) / (12 * n * n))  # Mann-Whitney spread under the null
    assert abs(roc_auc(rng.standard_normal(n), rng.standard_normal(n)) - 0.5) < 4 * sd


def test_bootstrap_interval_holds_the_estimate_and_has_the_null_width():
    rng = np.random.default_rng(2)
    widths = []
    for n in (200, 2000):
        normal, anomalous = rng.standard_normal(n), rng.standard_normal(n)
        auc, low, high = bootstrap_auc(normal, anomalous, np.random.default_rng(3), n_boot=300)
        assert auc == roc_auc(normal, anomalous) and low <= auc <= high
        widths.append(high - low)
    sd = np.sqrt((2 * n + 1) / (12 * n * n))  # Mann-Whitney spread under the null
    assert widths[1] == pytest.approx(2 * norm.ppf(0.975) * sd, rel=0.2)
    assert widths[1] == pytest.approx(widths[0] / np.sqrt(10), rel=0.3)


@pytest.mark.parametrize("d", [0.0, 0.5, 1.5])
def test_bootstrap_interval_covers_the_gaussian_auc_about_95_percent_of_the_time(d):
    true_auc = norm.cdf(d / np.sqrt(2))  # P(Y > X) for X ~ N(0, 1), Y ~ N(d, 1)
    rng = np.random.default_rng(4)
    covered = []
    for _ in range(40):
        _, low, high = bootstrap_auc(rng.standard_normal(300), d + rng.standard_normal(300), rng, n_boot=200)
        covered.append(low <= true_auc <= high)
    assert np.mean(covered) >= 0.8  # 32 of 40 or more: 3 standard deviations below 95 per cent


def test_bootstrap_is_reproducible_and_degenerate_for_separated_scores():
    rng = np.random.default_rng(5)
    normal, anomalous = rng.standard_normal(100), rng.standard_normal(80) + 1
    first = bootstrap_auc(normal, anomalous, np.random.default_rng(5), n_boot=50)
    assert first == bootstrap_auc(normal, anomalous, np.random.default_rng(5), n_boot=50)
    assert first != bootstrap_auc(normal, anomalous, np.random.default_rng(6), n_boot=50)
    assert bootstrap_auc([0, 1, 2], [5, 6], np.random.default_rng(0), n_boot=50) == (1.0, 1.0, 1.0)


# --- detection rate -----------------------------------------------------------------------------

@pytest.mark.parametrize("d", [0.0, 1.0, 2.0, 3.0])
def test_detection_rate_matches_the_gaussian_theory(d):
    rng = np.random.default_rng(6)
    normal, anomalous = rng.standard_normal(20000), d + rng.standard_normal(20000)
    # threshold z_0.95 of N(0, 1); N(d, 1) exceeds it with probability 1 - Phi(z_0.95 - d)
    assert detection_rate(normal, anomalous, 0.05) == pytest.approx(1 - norm.cdf(norm.ppf(0.95) - d), abs=0.01)
    assert detection_rate(normal, anomalous, 0.2) >= detection_rate(normal, anomalous, 0.05)


def test_detection_rate_at_the_extremes():
    assert detection_rate(np.arange(100), np.arange(100) + 1000) == 1.0
    assert detection_rate(np.arange(100), np.arange(100) - 1000) == 0.0
    assert detection_rate(np.arange(100), np.arange(100)) == 0.05  # scores 95 to 99 lie above 94.05


# --- bad input ----------------------------------------------------------------------------------

def test_bad_input_is_refused_naming_the_argument():
    positions = np.random.default_rng(0).uniform(0, BOX, (3, 30, 2))
    rng = np.random.default_rng(1)
    with pytest.raises(ValueError, match="n_particles"):
        displace(positions, 31, 1.0, rng)
    with pytest.raises(ValueError, match="n_particles"):
        displace(positions, 0, 1.0, rng)
    with pytest.raises(ValueError, match="amplitude"):
        displace(positions, 4, -1.0, rng)
    with pytest.raises(ValueError, match="positions"):
        displace(positions[0], 4, 1.0, rng)
    with pytest.raises(ValueError, match="block"):
        black_out(distance_matrices(positions), 31, rng)
    with pytest.raises(ValueError, match="matrices"):
        black_out(np.zeros((3, 30, 29)), 2, rng)
    with pytest.raises(ValueError, match="fpr"):
        detection_rate([0, 1], [2, 3], 1.0)
    with pytest.raises(ValueError, match="fpr"):
        detection_rate([0, 1], [2, 3], 0.0)
    with pytest.raises(ValueError, match="normal scores"):
        roc_auc([], [1.0])
    with pytest.raises(ValueError, match="anomalous scores"):
        roc_auc([1.0], [[1.0, 2.0]])
    with pytest.raises(ValueError, match="NaN"):
        roc_auc([np.nan, 1.0], [1.0])
    with pytest.raises(ValueError, match="level"):
        bootstrap_auc([0, 1], [2, 3], rng, level=95)
    with pytest.raises(ValueError, match="n_boot"):
        bootstrap_auc([0, 1], [2, 3], rng, n_boot=0)


@pytest.mark.parametrize("bad", [0, 7, None, np.random.RandomState(0)])
def test_random_state_is_a_generator_from_a_named_stream_never_a_bare_seed(bad):
    positions = np.random.default_rng(0).uniform(0, BOX, (3, 30, 2))
    for call in (lambda: displace(positions, 4, 1.0, bad), lambda: black_out(distance_matrices(positions), 2, bad),
                 lambda: bootstrap_auc([0, 1], [2, 3], bad),
                 lambda: paired_auc_difference([0, 1], [2, 3], [0, 1], [2, 3], bad)):
        with pytest.raises(TypeError, match="rng: expected a numpy Generator"):
            call()


def test_anomaly_table_gives_every_detection_rate_its_interval():
    from fieldvae.core.stats import wilson
    from fieldvae.lj.scoring import SCORES, anomaly_table

    rng = np.random.default_rng(0)
    scores = {"group": {"normal": {s: rng.standard_normal(400) for s in SCORES},
                        "shifted": {s: rng.standard_normal(200) + 2.0 for s in SCORES}}}
    (row,) = anomaly_table(scores, "normal", seed=1, n_boot=50)
    assert (row["protocol"], row["set"]) == ("group", "shifted")
    for s in SCORES:
        k = round(row[f"{s}_detected_at_5pct"] * 200)
        assert (row[f"{s}_detected_low"], row[f"{s}_detected_high"]) == wilson(k, 200)
        assert row[f"{s}_detected_low"] < row[f"{s}_detected_at_5pct"] < row[f"{s}_detected_high"]
    assert anomaly_table(scores, "normal", seed=1, n_boot=50) == [row]  # a seed fixes the bootstrap


def _known_sets(rng, control_shift=0.0):
    """Scores whose answer is known: `energy` separates the anomaly set perfectly, `min_distance`
    not at all; `reconstruction` is useless, `negative_elbo` perfect, the others halfway."""
    from fieldvae.lj.scoring import SCORES

    normal = {s: rng.standard_normal(300) for s in SCORES}
    anomalous = {s: rng.standard_normal(300) + 1.0 for s in SCORES}
    anomalous.update(energy=rng.standard_normal(300) + 20, min_distance=rng.standard_normal(300),
                     reconstruction=rng.standard_normal(300), negative_elbo=rng.standard_normal(300) + 20)
    control = {s: rng.standard_normal(300) + (control_shift if s == "negative_elbo" else 0.0) for s in SCORES}
    return {"normal": normal, "anomaly": anomalous, "control gamma 0.55": control}


def test_verdicts_compare_each_score_with_the_better_baseline():
    from fieldvae.lj.scoring import anomaly_table

    rows = anomaly_table({"group": _known_sets(np.random.default_rng(0))}, "normal", seed=0, n_boot=200)
    anomaly = next(r for r in rows if r["set"] == "anomaly")
    assert anomaly["best_baseline"] == "energy"
    assert anomaly["reconstruction_verdict"] == "worse" and anomaly["latent_knn_verdict"] == "worse"
    assert anomaly["negative_elbo_verdict"].startswith("equal")  # both perfect
    control = next(r for r in rows if r["set"] == "control gamma 0.55")
    assert control["reconstruction_auc_low"] < 0.5 < control["reconstruction_auc_high"]


def test_the_detector_is_never_a_score_that_flags_the_control_set(tmp_path):
    from fieldvae.lj.scoring import anomaly_table, detectors, write_markdown

    quiet = anomaly_table({"group": _known_sets(np.random.default_rng(1))}, "normal", seed=0, n_boot=200)
    assert detectors(quiet)["group"]["detector"] == "negative_elbo"  # perfect on the anomaly, as the baseline energy
    loud = anomaly_table({"equilibrated": _known_sets(np.random.default_rng(1), control_shift=1.0)}, "normal",
                         seed=0, n_boot=200)
    chosen = detectors(loud)["equilibrated"]
    assert "negative_elbo" in chosen["flag_control"] and chosen["detector"] not in ("negative_elbo", "energy")
    write_markdown(tmp_path / "t.md", quiet + loud, {"group": 0.7, "equilibrated": 0.8}, ["## The study's claims"])
    md = (tmp_path / "t.md").read_text()
    assert "## Protocol `group`" in md and "## Protocol `equilibrated`" in md and "## The study's claims" in md
    flagged = re.findall(r"Scores that flag the control set: ([^.]*)\.", md)
    assert len(flagged) == 2 and "negative_elbo" not in flagged[0] and "negative_elbo" in flagged[1]
    assert "| anomaly | 300 | " in md and " worse |" in md


def _configurations(n, particles=6, seed=0, box=10.0):
    return np.random.default_rng(seed).uniform(0, box, (n, particles, 2))


def test_anomaly_sets_hold_the_normal_set_and_every_made_and_named_set():
    held_out, uniform = _configurations(12), _configurations(5, seed=1)
    sets = anomaly_sets(held_out, 10.0, {"uniform": (uniform, 10.0)}, [0.05, 0.2], block=2, seed=3)
    assert list(sets) == [NORMAL, "uniform", "displaced 0.05", "displaced 0.2", "blacked-out 2x2"]
    assert np.array_equal(sets[NORMAL], distance_matrices(held_out, 10.0))
    assert np.array_equal(sets["uniform"], distance_matrices(uniform, 10.0))
    for name in ("displaced 0.05", "displaced 0.2"):
        changed = np.any(sets[name] != sets[NORMAL], axis=2)  # rows of moved particles
        assert np.all(changed.sum(axis=1) >= MOVED_PARTICLES)  # every configuration has its defect
        assert np.allclose(sets[name], np.swapaxes(sets[name], 1, 2))
    # a larger amplitude moves particles further (on average over configurations)
    assert (np.abs(sets["displaced 0.2"] - sets[NORMAL]).mean() > np.abs(sets["displaced 0.05"] - sets[NORMAL]).mean())
    blacked = sets["blacked-out 2x2"]
    assert np.all((blacked == 0).sum(axis=(1, 2)) >= 4) and np.allclose(blacked, np.swapaxes(blacked, 1, 2))


def test_anomaly_sets_are_fixed_by_the_seed_with_a_stream_per_set():
    held_out = _configurations(8)
    a = anomaly_sets(held_out, 10.0, {}, [0.1, 0.2], block=2, seed=3)
    b = anomaly_sets(held_out, 10.0, {}, [0.1, 0.2], block=2, seed=3)
    c = anomaly_sets(held_out, 10.0, {}, [0.1, 0.2], block=2, seed=4)
    alone = anomaly_sets(held_out, 10.0, {}, [0.2], block=0, seed=3)
    assert all(np.array_equal(a[k], b[k]) for k in a)
    assert not np.array_equal(a["displaced 0.1"], c["displaced 0.1"])
    assert np.array_equal(alone["displaced 0.2"], a["displaced 0.2"])  # not shifted by the other sets' draws


def test_anomaly_set_in_another_box_is_refused():
    with pytest.raises(ValueError, match="anomaly set 'wide': box 12.0 differs from the training box 10.0"):
        anomaly_sets(_configurations(4), 10.0, {"wide": (_configurations(4, box=12.0), 12.0)}, [], 0, 0)


def test_score_file_keys_round_trip():
    from fieldvae.lj.scoring import sets_of

    arrays = {f"{s}|{k}": np.arange(3.0) + i for i, (s, k) in enumerate([("a", "x"), ("a", "y"), ("b", "x")])}
    arrays["gamma_r2"] = np.array(0.5)  # not a set's score
    sets = sets_of(arrays)
    assert sorted(sets) == ["a", "b"] and sorted(sets["a"]) == ["x", "y"]
    assert np.array_equal(sets["b"]["x"], np.arange(3.0) + 2)
