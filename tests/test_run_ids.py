import re

import pytest

from fieldvae.paper.run_ids import PATTERN, make, variant


@pytest.mark.parametrize("sweep, value, seed, run", [
    (None, None, 3, "seed3"), ("betas", 0.001, 0, "beta0.001_seed0"), ("betas", 100, 2, "beta100_seed2"),
    ("labels", 8, 1, "labels8_seed1"),
])
def test_names_match_the_workflow_wildcard(sweep, value, seed, run):
    assert make(sweep, value, seed) == run and re.fullmatch(PATTERN, run)


def test_variant_from_the_settings_and_bad_names():
    rows = [{"beta": None, "labels": None}, {"beta": 10.0, "labels": None}, {"beta": None, "labels": 8.0}]
    assert [variant(r) for r in rows] == ["", "beta10", "labels8"]
    assert re.fullmatch(PATTERN, "run7") is None and re.fullmatch(PATTERN, "labels8_seed") is None
