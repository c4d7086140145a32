"""The variance shares of the objectives study: the nested sums of squares by hand, noise alone against
theory, and the verdict against the image benchmarks on simulated studies whose shares we chose."""

import numpy as np
import pytest

from fieldvae.core import variance_shares


def simulated(objective, weight, rng, seeds=10):
    """The study's design (3 objectives, 3 weights each) with population shares `objective` and
    `weight` of the variance: objective effects -a, 0, a and weight effects -b, 0, b (variances 2a^2/3
    and 2b^2/3) and seeds of unit variance."""
    seed = 1 - objective - weight
    a, b = np.sqrt(1.5 * objective / seed), np.sqrt(1.5 * weight / seed)
    return {(name, w): (i - 1) * a + (j - 1) * b + rng.standard_normal(seeds)
            for i, name in enumerate(("tcvae", "factorvae", "mmd")) for j, w in enumerate((1, 2, 3))}


def test_the_sums_of_squares_split_as_by_hand():
    cells = {("a", 1): [1.0, 2.0, 3.0], ("a", 2): [3.0, 4.0, 5.0], ("b", 1): [7.0, 8.0, 9.0]}
    # cell means 2, 4, 8; objective means 3 (a, 6 runs) and 8 (b); grand mean 14/3
    objective = 6 * (3 - 14 / 3) ** 2 + 3 * (8 - 14 / 3) ** 2
    weight, seed = 3 * 1 + 3 * 1, 3 * 2
    shares = variance_shares.shares(cells)
    assert shares == pytest.approx({"objective": objective / (objective + weight + seed),
                                    "weight": weight / (objective + weight + seed), "seed": seed / (objective + weight + seed)})


def test_objectives_that_differ_without_noise_explain_everything():
    cells = {("a", 1): [1.0] * 4, ("a", 2): [1.0] * 4, ("b", 1): [3.0] * 4, ("b", 2): [3.0] * 4}
    assert variance_shares.shares(cells) == {"objective": 1.0, "weight": 0.0, "seed": 0.0}
    assert variance_shares.intervals(cells)["objective"] == (1.0, 1.0)
    assert variance_shares.compared_with_images((1.0, 1.0)).startswith("the objective explains more")


def test_noise_alone_gives_each_level_its_degrees_of_freedom():
    rng = np.random.default_rng(1)
    found = np.array([list(variance_shares.shares(simulated(0.0, 0.0, rng)).values()) for _ in range(2000)])
    # E[share] = df / (N - 1) for a level without effect: 2/89, 6/89, 81/89; the means' standard errors
    # are below 0.001, 0.0015 and 0.002
    assert found.mean(axis=0) == pytest.approx([2 / 89, 6 / 89, 81 / 89], abs=0.005)


@pytest.mark.parametrize("truth, wrong, right", [(0.35, "unlike the image", "as on the image"),
                                                 (0.65, "as on the image", "unlike the image")])
def test_the_verdict_on_studies_whose_shares_we_chose(truth, wrong, right):
    """200 simulated studies at 10 seeds per weight: the interval covers the chosen objective share
    about 95% of the time, the verdict is almost never the opposite of the truth, and usually it is
    the truth (measured: 0.37 at 0.35, 0.86 at 0.65)."""
    rng = np.random.default_rng(2)
    covered, verdicts = 0, []
    for _ in range(200):
        interval = variance_shares.intervals(simulated(truth, 0.15, rng))["objective"]
        covered += interval[0] <= truth <= interval[1]
        verdicts.append(variance_shares.compared_with_images(interval))
    assert covered / 200 >= 0.9
    assert sum(wrong in v for v in verdicts) / 200 <= 0.025
    assert sum(right in v for v in verdicts) / 200 >= 0.25


def test_few_seeds_cannot_tell():
    cells = simulated(0.5, 0.15, np.random.default_rng(3), seeds=3)
    assert variance_shares.compared_with_images(variance_shares.intervals(cells)["objective"]).startswith(
        "these trials cannot tell")


@pytest.mark.parametrize("cells, message", [
    ({("a", 1): [1.0, 2.0], ("b", 1): [1.0, 2.0, 3.0]}, "at least three finite scores"),
    ({("a", 1): [1.0, np.nan, 2.0, 3.0], ("b", 1): [1.0, 2.0, 3.0]}, "at least three finite scores"),
    ({("a", 1): [1.0, 2.0, 3.0], ("a", 2): [1.0, 2.0, 3.0]}, "at least two objectives"),
    ({("a", 1): [1.0] * 3, ("b", 1): [1.0] * 3}, "all equal")])
def test_refused_designs(cells, message):
    with pytest.raises(ValueError, match=message):
        variance_shares.shares(cells)
