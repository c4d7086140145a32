"""The distance-matrix representation and the way back (MDS, tumbler) against exact geometry."""

import numpy as np
import pytest
from scipy.spatial.distance import pdist, squareform

from fieldvae.lj.geometry import (classical_mds, distance_matrices,
                                  positions_from_matrices, procrustes_error,
                                  sort_by_corner, tumble)

BOX = 10.0


def rigid_motion(points, rng):
    """A random rotation, reflection and translation of the points."""
    a = rng.uniform(0, 2 * np.pi)
    rotation = np.array([[np.cos(a), -np.sin(a)], [np.sin(a), np.cos(a)]]) @ np.diag([1.0, -1.0])
    return points @ rotation.T + rng.uniform(-20, 20, 2)


def pile(rng, n=30):
    """Particles resting on the floor y = 0, centred in the box: uniform in the triangle with base
    (0.5, 0)-(9.5, 0) and apex (5, 2.5), the three corners included, so that triangle is the convex
    hull. The base, the longest side, has the shortest altitude, so it is the side nearest the centre
    of mass (0.83 against 1.46 from the centroid) and the one the pile rests on."""
    corners = np.array([[0.5, 0.0], [9.5, 0.0], [5.0, 2.5]])
    u = rng.random((n - 3, 2))
    u = np.where(u.sum(1, keepdims=True) > 1, 1 - u, u)  # uniform in the unit triangle
    inside = corners[0] + u[:, :1] * (corners[1] - corners[0]) + u[:, 1:] * (corners[2] - corners[0])
    return rng.permutation(np.concatenate([corners, inside]))


def mirrored(points):
    return np.column_stack([BOX - points[:, 0], points[:, 1]])


def distance_to_original_or_mirror(recovered, original):
    return min(np.abs(recovered - original).max(), np.abs(recovered - mirrored(original)).max())


# --- sorting and distance matrices --------------------------------------------------------------

def test_distance_matrices_are_sorted_normalised_pairwise_distances():
    positions = np.random.default_rng(0).uniform(0, BOX, (20, 30, 2))
    matrices = distance_matrices(positions, BOX)
    assert matrices.shape == (20, 30, 30) and matrices.dtype == np.float32
    ordered = sort_by_corner(positions)
    for p, o, m in zip(positions, ordered, matrices):
        assert np.array_equal(o[0], p[np.argmin(np.linalg.norm(p, axis=1))])  # nearest the corner first
        assert np.all(np.diff(np.linalg.norm(o, axis=1)) >= 0)
        assert sorted(map(tuple, o)) == sorted(map(tuple, p))  # a permutation of the same particles
        np.testing.assert_allclose(m, squareform(pdist(o)) / (BOX * np.sqrt(2)), atol=1e-7)
    assert np.array_equal(matrices, np.swapaxes(matrices, 1, 2))
    assert np.all(np.diagonal(matrices, axis1=1, axis2=2) == 0)
    assert matrices.min() >= 0 and matrices.max() <= 1


def test_opposite_corners_are_one_diagonal_apart_and_labels_do_not_matter():
    corners = np.array([[[BOX, BOX], [0.0, 0.0], [BOX, 0.0]]])
    m = distance_matrices(corners, BOX)[0]
    assert m[0, 1] == pytest.approx(1 / np.sqrt(2)) and m[0, 2] == pytest.approx(1.0)
    positions = np.random.default_rng(1).uniform(0, BOX, (5, 30, 2))
    shuffled = positions[:, np.random.default_rng(2).permutation(30)]
    assert np.array_equal(distance_matrices(positions), distance_matrices(shuffled))


# --- MDS and Procrustes -------------------------------------------------------------------------

def test_procrustes_error_is_zero_for_rigid_motions_and_known_otherwise():
    rng = np.random.default_rng(3)
    points = rng.uniform(0, BOX, (30, 2))
    assert procrustes_error(rigid_motion(points, rng), points) < 1e-12
    square = np.array([[1, 1], [-1, 1], [-1, -1], [1, -1]], dtype=float)
    assert procrustes_error(2 * square, square) == pytest.approx(np.sqrt(2))  # no rescaling allowed


def test_mds_recovers_random_configurations_exactly():
    rng = np.random.default_rng(4)
    for _ in range(20):
        points = rng.uniform(0, BOX, (30, 2))
        moved = rigid_motion(points, rng)
        assert procrustes_error(classical_mds(squareform(pdist(points))), points) < 1e-10
        assert procrustes_error(classical_mds(squareform(pdist(moved))), points) < 1e-10


def test_mds_of_a_3_4_5_triangle():
    distances = np.array([[0, 3, 4], [3, 0, 5], [4, 5, 0]], dtype=float)
    coords = classical_mds(distances)
    np.testing.assert_allclose(squareform(pdist(coords)), distances, atol=1e-12)
    assert procrustes_error(coords, [[0, 0], [3, 0], [0, 4]]) < 1e-12
    np.testing.assert_allclose(coords.mean(0), 0, atol=1e-12)  # centred on the centroid


def test_mds_error_is_proportional_to_noise_and_never_nan():
    rng = np.random.default_rng(5)
    points = rng.uniform(0, BOX, (30, 2))
    exact = squareform(pdist(points))
    noise = rng.standard_normal(exact.shape)
    sigmas = np.array([1e-4, 1e-3, 1e-2])
    errors = []
    for sigma in sigmas:
        noisy = np.abs(exact + sigma * noise)  # not symmetric, not Euclidean: like a decoded matrix
        np.fill_diagonal(noisy, 0)
        errors.append(procrustes_error(classical_mds(noisy), points))
    errors = np.array(errors)
    assert np.all(errors < sigmas)  # each point is fixed by N - 1 distances: better than one entry's noise
    np.testing.assert_allclose(errors[1:] / errors[:-1], 10, rtol=0.1)  # linear in the noise
    collinear = classical_mds(squareform(pdist(np.column_stack([np.arange(5.0), np.zeros(5)]))))
    assert np.all(np.isfinite(collinear)) and np.abs(collinear[:, 1]).max() < 1e-6  # second eigenvalue ~ +-1e-16
    impossible = np.array([[0, 1, 10], [1, 0, 1], [10, 1, 0]], dtype=float)  # breaks the triangle inequality
    coords = classical_mds(impossible, dim=3)  # Gram eigenvalues: one positive, 0 (centring), one negative
    assert np.all(np.isfinite(coords)) and np.all(coords[:, 2] == 0)  # the negative direction collapses


# --- tumbler ------------------------------------------------------------------------------------

def test_tumbled_3_4_5_triangle_rests_on_its_hypotenuse():
    # centre of mass (4/3, 1) is 0.8 from the hypotenuse, 1 and 4/3 from the legs; resting on the
    # hypotenuse (length 5) the right-angle corner is 12/5 high, above the point 9/5 from one end
    settled = tumble([[0, 0], [4, 0], [0, 3]], BOX)
    expected = np.array([[2.5 + 1.8, 2.4], [7.5, 0], [2.5, 0]])
    assert distance_to_original_or_mirror(settled, expected) < 1e-12
    assert settled.mean(0)[1] == pytest.approx(0.8)


@pytest.mark.parametrize("seed", range(10))
def test_tumbler_recovers_a_pile_on_the_floor_up_to_a_mirror_image(seed):
    rng = np.random.default_rng(seed)
    original = pile(rng)
    moved = rigid_motion(original, rng)
    assert distance_to_original_or_mirror(tumble(moved, BOX), original) < 1e-8
    recovered = tumble(classical_mds(squareform(pdist(moved))), BOX)
    assert distance_to_original_or_mirror(recovered, original) < 1e-8
    assert recovered.min() >= -1e-12 and recovered.max() <= BOX + 1e-12


def test_positions_from_float32_matrices_recover_the_sorted_piles():
    rng = np.random.default_rng(11)
    piles = np.stack([pile(rng) for _ in range(5)])
    recovered = positions_from_matrices(distance_matrices(piles, BOX), BOX)
    for r, original in zip(recovered, sort_by_corner(piles)):
        assert distance_to_original_or_mirror(r, original) < 1e-4  # float32 matrices: ~1e-7 relative


def test_tumbled_random_configurations_rest_stably_on_the_floor_inside_the_box():
    rng = np.random.default_rng(12)
    for _ in range(50):
        points = rng.uniform(0, BOX, (30, 2)) * [0.8, 0.4]  # diagonal < BOX: fits the box resting on any edge
        settled = tumble(rigid_motion(points, rng), BOX)
        assert procrustes_error(settled, points) < 1e-10  # a rigid motion of the input
        floor = settled[settled[:, 1] < 1e-9]
        assert len(floor) >= 2  # resting on an edge, not a corner
        centre = settled.mean(0)
        assert centre[1] > 0 and floor[:, 0].min() <= centre[0] <= floor[:, 0].max()  # stable
        assert settled[:, 1].min() == pytest.approx(0, abs=1e-12)
        assert settled[:, 0].min() + settled[:, 0].max() == pytest.approx(BOX)  # centred
        assert settled.min() >= -1e-12 and settled.max() <= BOX + 1e-12


# --- bad input ----------------------------------------------------------------------------------

def test_bad_input_is_refused_naming_the_argument():
    with pytest.raises(ValueError, match="positions"):
        distance_matrices(np.zeros((5, 30, 3)))
    with pytest.raises(ValueError, match="positions"):
        distance_matrices(np.zeros((30, 2)))
    with pytest.raises(ValueError, match="box"):
        distance_matrices(np.ones((1, 3, 2)), box=0)
    with pytest.raises(ValueError, match="distances"):
        classical_mds(np.zeros((3, 4)))
    with pytest.raises(ValueError, match="NaN"):
        classical_mds(np.full((3, 3), np.nan))
    with pytest.raises(ValueError, match="coords"):
        tumble(np.zeros((5, 3)))
    with pytest.raises(ValueError, match="collinear"):
        tumble([[0, 0], [1, 1], [2, 2]])
    with pytest.raises(ValueError, match="differ in shape"):
        procrustes_error(np.zeros((3, 2)), np.zeros((4, 2)))
    with pytest.raises(ValueError, match="matrices"):
        positions_from_matrices(np.zeros((3, 3)))
