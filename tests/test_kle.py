"""KLE eigenpairs: orthonormality, exact covariance, sample covariance, a deterministic basis."""

import numpy as np
import pytest

from fieldvae.darcy.kle import (compute_kle, covariance_matrix, load_kle,
                                save_kle)
from fieldvae.darcy.solver import node_coordinates


def test_modes_are_sorted_and_orthonormal():
    kle = compute_kle(17, 40)
    assert np.all(np.diff(kle.values) <= 0) and np.all(kle.values > 0)
    phi = kle.modes.reshape(kle.terms, -1)
    assert np.allclose(phi @ phi.T, np.eye(kle.terms), atol=1e-12)


def test_full_expansion_reproduces_the_covariance():
    n = 9
    kle = compute_kle(n, n * n)
    assert np.allclose(kle.covariance(), covariance_matrix(n, 0.1), atol=1e-12)
    assert np.allclose(np.diag(kle.covariance()), 1.0)


def test_sample_covariance_of_log_k_matches_truncated_covariance():
    kle = compute_kle(9, 10)
    m = 40_000
    fields = kle.log_permeability(np.random.default_rng(0).standard_normal((m, kle.terms))).reshape(m, -1)
    sample = np.cov(fields, rowvar=False)
    target = kle.covariance()
    # std of a sample covariance entry is sqrt((C_aa C_bb + C_ab^2) / m) <= sqrt(2 / m) for unit variance
    spread = np.sqrt((np.outer(np.diag(target), np.diag(target)) + target**2) / m)
    assert np.max(np.abs(sample - target) / spread) < 5.5
    assert np.mean(np.abs(sample - target) / spread) < 1.0  # about 0.8 for a normal error


def test_degenerate_pair_is_fixed_along_x():
    n = 33
    kle = compute_kle(n, 3)
    assert kle.values[1] == pytest.approx(kle.values[2], rel=1e-10)  # the degenerate pair
    x, y = node_coordinates(n)
    mode2, mode3 = kle.modes[1].ravel(), kle.modes[2].ravel()
    assert np.corrcoef(mode2, x.ravel())[0, 1] > 0.8
    assert abs(np.corrcoef(mode2, y.ravel())[0, 1]) < 1e-10
    assert np.corrcoef(mode3, y.ravel())[0, 1] > 0.8
    assert np.all(kle.modes[0] > 0)


def test_basis_is_identical_across_solvers_and_truncations():
    """LAPACK drivers return different bases inside degenerate eigenspaces and different signs;
    after fixing, the modes must agree, and truncating at s must not change the first modes."""
    a = compute_kle(17, 30, driver="evr")
    b = compute_kle(17, 30, driver="evx")
    c = compute_kle(17, 8)
    assert np.max(np.abs(a.modes - b.modes)) < 1e-10
    assert np.max(np.abs(a.modes[:8] - c.modes)) < 1e-10
    assert np.array_equal(compute_kle(17, 30).modes, a.modes)


def test_save_and_load_round_trip(tmp_path):
    kle = compute_kle(9, 5, correlation_length=0.2)
    save_kle(tmp_path / "k.npz", kle, {"params": {}})
    back, _ = load_kle(tmp_path / "k.npz")
    assert np.array_equal(back.modes, kle.modes) and back.correlation_length == 0.2


def test_bad_arguments():
    with pytest.raises(ValueError, match="between 1 and 81"):
        compute_kle(9, 82)
    with pytest.raises(ValueError, match="correlation_length"):
        compute_kle(9, 2, correlation_length=0.0)
    with pytest.raises(ValueError, match="3 coefficients"):
        compute_kle(9, 2).log_permeability(np.zeros((1, 3)))
