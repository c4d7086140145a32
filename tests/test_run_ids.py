import pytest

from fieldvae.paper.run_ids import RunId, make, parse, variant


@pytest.mark.parametrize("sweep, value, seed, run", [
    (None, None, 3, "seed3"), ("betas", 0.001, 0, "beta0.001_seed0"), ("betas", 100, 2, "beta100_seed2"),
    ("labels", 8, 1, "labels8_seed1"),
])
def test_make_and_parse_round_trip(sweep, value, seed, run):
    assert make(sweep, value, seed) == run
    parsed = parse(run)
    assert parsed.seed == seed
    assert parsed == RunId(float(value) if sweep == "betas" else None, value if sweep == "labels" else None, seed)


def test_variant_and_bad_ids():
    assert [variant(r) for r in ("seed0", "beta10_seed2", "labels8_seed11")] == ["", "beta10", "labels8"]
    with pytest.raises(ValueError, match="not a run id: 'run7'"):
        parse("run7")
