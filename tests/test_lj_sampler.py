"""The Lennard-Jones Metropolis sampler against theory: the barometric law of the ideal gas,
uniform occupancy without gravity, the Metropolis acceptance rule, the running energy, agreement
of different starts, reproducibility, bad input."""

import numba
import numpy as np
import pytest
from numba import njit
from scipy import stats

from fieldvae.lj import xoshiro
from fieldvae.lj.sampler import (PROTOCOLS, LJSystem, Protocol, energy,
                                 run_chains, sample)

L, T = 10.0, 0.75
GAMMAS = [0.1, 0.4, 0.7, 1.0]
EQUILIBRATED = PROTOCOLS["equilibrated"]


def barometric_cdf(y, gamma):
    """Height distribution of an ideal gas in gravity: exp(-y / lambda) truncated to (0, L)."""
    decay = T / gamma
    return -np.expm1(-y / decay) / -np.expm1(-L / decay)


def barometric_mean(gamma):
    decay = T / gamma
    return decay - L / np.expm1(L / decay)


def assert_mean_height(heights, gamma, n_se=3.0):
    se = heights.std(ddof=1) / np.sqrt(heights.size)
    assert abs(heights.mean() - barometric_mean(gamma)) < n_se * se, (heights.mean(), barometric_mean(gamma), se)


@pytest.mark.parametrize("start", ["sedimented", "uniform"])
@pytest.mark.parametrize("gamma", GAMMAS)
def test_ideal_gas_follows_the_barometric_law(gamma, start):
    """Without pair forces all 30 particles of all replicas are independent draws from the
    truncated exponential. The sedimented start already is; the uniform start shows that the
    protocol's sweeps also relax a start far from it."""
    protocol = Protocol(EQUILIBRATED.sweeps, EQUILIBRATED.step, start)
    heights = sample(LJSystem(gamma, "none"), protocol, 1000, seed=1)["positions"][..., 1].ravel()
    assert stats.kstest(heights, lambda y: barometric_cdf(y, gamma)).pvalue > 0.01
    assert_mean_height(heights, gamma)


@pytest.mark.parametrize("gamma", [0.1, 0.4])
def test_group_protocol_leaves_the_ideal_gas_too_high(gamma):
    """The published protocol (uniform start, 2500 sweeps of 0.2) has not sedimented yet."""
    heights = sample(LJSystem(gamma, "none"), "group", 1000, seed=2)["positions"][..., 1].ravel()
    se = heights.std(ddof=1) / np.sqrt(heights.size)
    assert heights.mean() - barometric_mean(gamma) > 6 * se
    assert stats.kstest(heights, lambda y: barometric_cdf(y, gamma)).pvalue < 1e-6


def test_group_protocol_leaves_the_lj_fluid_too_high():
    """At gamma = 0.4 the Lennard-Jones fluid of the published protocol sits far above the
    equilibrated one."""
    system = LJSystem(0.4)
    group = sample(system, "group", 256, seed=3)["positions"][..., 1].mean(axis=1)
    equilibrated = sample(system, "equilibrated", 256, seed=4)["positions"][..., 1].mean(axis=1)
    se = np.hypot(group.std(ddof=1), equilibrated.std(ddof=1)) / np.sqrt(256)
    assert group.mean() - equilibrated.mean() > 5 * se


def test_without_gravity_the_box_is_filled_uniformly():
    """All particles start in one corner; large steps make many proposals cross the walls, whose
    rule (keep the old coordinate) must leave the uniform distribution stationary."""
    system = LJSystem(0.0, "none")
    start = np.full((1000, 30, 2), 0.5)
    positions = run_chains(system, start, 300, 2.0, seed=5)["positions"]
    for axis in range(2):
        assert stats.kstest(positions[..., axis].ravel(), stats.uniform(0, L).cdf).pvalue > 0.01


@pytest.mark.parametrize("potential, gamma", [("lj", 1.0), ("lj", 0.1), ("fake", 0.5)])
def test_running_energy_equals_recomputation(potential, gamma):
    """From random starts (overlaps, huge energies that are resolved), then on from there (no
    overlaps, so the running sum alone carries the energy)."""
    system = LJSystem(gamma, potential)
    first = sample(system, "group", 64, seed=6, sweeps=500)
    np.testing.assert_allclose(first["energy"], energy(system, first["positions"]), rtol=1e-9, atol=1e-9)
    assert np.max(np.abs(first["energy"])) < 1e3  # the overlaps are gone
    for step in (0.2, 1.0):
        more = run_chains(system, first["positions"], 1000, step, seed=7)
        np.testing.assert_allclose(more["energy"], energy(system, more["positions"]), rtol=1e-9, atol=1e-9)


@pytest.mark.parametrize("step", [0.2, 1.0])
def test_acceptance_follows_the_metropolis_rule(step):
    """Moves binned by dU: the accepted count in each bin must match the sum of min(1, exp(-dU/T))
    over the bin's moves within 4 binomial standard deviations; downhill moves are always taken."""
    system = LJSystem(1.0)
    start = sample(system, "equilibrated", 100, seed=18, sweeps=200)["positions"]
    run = run_chains(system, start, 100, step, seed=19, trace=True)
    du, accepted = run["move_du"].ravel(), run["move_accepted"].ravel()
    assert np.all(accepted[du <= 0])
    assert accepted.sum() == run["accepted"].sum()
    uphill = (du > 0) & (du < 6 * T)
    p = np.exp(-du[uphill] / T)
    bins = np.digitize(du[uphill], np.quantile(du[uphill], np.linspace(0, 1, 11)[1:-1]))
    for b in range(10):
        in_bin = bins == b
        expected, var = p[in_bin].sum(), (p[in_bin] * (1 - p[in_bin])).sum()
        assert abs(accepted[uphill][in_bin].sum() - expected) < 4 * np.sqrt(var), (b, expected)


@pytest.mark.parametrize("gamma", [1.0, 0.1])
def test_uniform_and_sedimented_starts_agree(gamma):
    """The equilibrated protocol run from a uniform start (far above the profile) and from the
    sedimented one (below it) must end with the same mean energy and height."""
    system = LJSystem(gamma)
    runs = [sample(system, Protocol(EQUILIBRATED.sweeps, EQUILIBRATED.step, start), 256, seed=10 + i)
            for i, start in enumerate(["uniform", "sedimented"])]
    for values in ([r["energy"] for r in runs], [r["positions"][..., 1].mean(axis=1) for r in runs]):
        a, b = values
        se = np.hypot(a.std(ddof=1), b.std(ddof=1)) / np.sqrt(a.size)
        assert abs(a.mean() - b.mean()) < 3 * se, (a.mean(), b.mean(), se)


def test_a_seed_fixes_the_samples_whatever_the_threads():
    system = LJSystem(0.7)
    threads = numba.get_num_threads()
    try:
        numba.set_num_threads(1)
        one = sample(system, "equilibrated", 40, seed=12, sweeps=20)
        numba.set_num_threads(min(2, numba.config.NUMBA_NUM_THREADS))
        two = sample(system, "equilibrated", 40, seed=12, sweeps=20)
    finally:
        numba.set_num_threads(threads)
    for key in one:
        assert np.array_equal(one[key], two[key]), key
    other = sample(system, "equilibrated", 40, seed=13, sweeps=20)
    assert not np.any(other["positions"] == one["positions"])


def test_sample_r_depends_only_on_seed_and_r():
    """Neither chunking nor the sample count changes a sample."""
    system = LJSystem(0.4)
    calls = []
    many = sample(system, "group", 1100, seed=14, sweeps=3, progress=lambda done, total: calls.append((done, total)))
    few = sample(system, "group", 10, seed=14, sweeps=3)
    assert calls == [(1024, 1100), (1100, 1100)]
    assert np.array_equal(many["positions"][:10], few["positions"])
    assert np.all((many["positions"] > 0) & (many["positions"] < L))


def test_energy_of_known_configurations():
    r_min = 2 ** (1 / 6)
    pair = np.array([[[2.0, 1.0], [2.0 + r_min, 1.0]]])
    assert energy(LJSystem(0.5, n_particles=2), pair)[0] == pytest.approx(-1 + 0.5 * 2)
    at_cutoff = np.array([[[1.0, 4.0], [1.0, 7.0]], [[1.0, 4.0], [1.0, 7.001]]])
    np.testing.assert_allclose(energy(LJSystem(0.0, n_particles=2), at_cutoff), [4 * (3.0**-12 - 3.0**-6), 0.0])
    fake = np.array([[[1.0, 1.0], [2.0, 2.0]], [[1.0, 1.0], [9.0, 1.0]]])
    expected = [4 * (0.25 - 0.5), 4 * (8.0**-4 - 8.0**-2)]  # no cutoff for the fake pair
    np.testing.assert_allclose(energy(LJSystem(0.0, "fake", n_particles=2), fake), expected)
    three = np.array([[[1.0, 1.0], [2.0, 1.0], [1.0, 2.0]]])
    assert energy(LJSystem(1.0, n_particles=3), three)[0] == pytest.approx(4 * (0.125**2 - 0.125) + 4.0)


def test_generator_reproduces_the_published_xoshiro256starstar_vector():
    @njit
    def draws(state, n):
        out = np.empty(n, np.uint64)
        for k in range(n):
            out[k] = xoshiro.next_uint64(state)
        return out

    got = draws(np.array([1, 2, 3, 4], dtype=np.uint64), 4)
    assert got.tolist() == [11520, 0, 1509978240, 1215971899390074240]


@pytest.mark.parametrize("kwargs, field", [
    ({"gamma": -1.0}, "gamma"),
    ({"gamma": float("nan")}, "gamma"),
    ({"gamma": 1.0, "potential": "morse"}, "potential"),
    ({"gamma": 1.0, "n_particles": 0}, "n_particles"),
    ({"gamma": 1.0, "box": 0.0}, "box"),
    ({"gamma": 1.0, "temperature": -0.75}, "temperature"),
    ({"gamma": 1.0, "cutoff": float("inf")}, "cutoff"),
])
def test_rejects_bad_systems(kwargs, field):
    with pytest.raises(ValueError, match=field):
        LJSystem(**kwargs)


@pytest.mark.parametrize("kwargs, field", [
    ({"sweeps": -1, "step": 0.2, "start": "uniform"}, "sweeps"),
    ({"sweeps": 10, "step": 0.0, "start": "uniform"}, "step"),
    ({"sweeps": 10, "step": 0.2, "start": "lattice"}, "start"),
])
def test_rejects_bad_protocols(kwargs, field):
    with pytest.raises(ValueError, match=field):
        Protocol(**kwargs)


def test_rejects_bad_calls():
    system = LJSystem(1.0)
    with pytest.raises(ValueError, match="protocol"):
        sample(system, "published", 4, seed=0)
    with pytest.raises(ValueError, match="n_samples"):
        sample(system, "group", 0, seed=0)
    with pytest.raises(ValueError, match="sweeps"):
        sample(system, "group", 4, seed=0, sweeps=-5)
    with pytest.raises(ValueError, match="positions"):
        energy(system, np.ones((4, 29, 2)))
    with pytest.raises(ValueError, match="positions"):
        run_chains(system, np.full((4, 30, 2), 10.0), 1, 0.2, seed=0)
