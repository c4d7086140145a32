"""The Darcy solver against theory: convergence order, conservation, symmetry, bad input."""

import numpy as np
import pytest

from fieldvae.darcy.solver import (DarcySolver, cell_volumes, check_grid,
                                   face_fluxes, net_outflow, node_coordinates,
                                   node_velocities, well_source)

PI = np.pi


def manufactured(n):
    """p = cos(pi x) cos(pi y) (zero normal gradient on the boundary, zero mean) with a smooth,
    spatially varying K; f = div(-K grad p) computed analytically."""
    x, y = node_coordinates(n)
    k = np.exp(0.3 * np.sin(2 * PI * x) + 0.2 * np.cos(PI * y))
    kx, ky = k * 0.6 * PI * np.cos(2 * PI * x), -k * 0.2 * PI * np.sin(PI * y)
    p = np.cos(PI * x) * np.cos(PI * y)
    px, py = -PI * np.sin(PI * x) * np.cos(PI * y), -PI * np.cos(PI * x) * np.sin(PI * y)
    f = -(kx * px + ky * py - 2 * PI**2 * k * p)
    return k, f, p, -k * px, -k * py


def l2(n, e):
    return np.sqrt(np.sum(cell_volumes(n) * e**2))


def test_observed_convergence_order_is_two():
    grids = [9, 17, 33, 65]
    p_err, u_err = [], []
    for n in grids:
        k, f, p, ux, uy = manufactured(n)
        out = DarcySolver(n).solve(k, f)
        p_err.append(l2(n, out[0] - p))
        u_err.append(np.sqrt(l2(n, out[1] - ux) ** 2 + l2(n, out[2] - uy) ** 2))
    p_order = np.log2(np.array(p_err[:-1]) / p_err[1:])
    u_order = np.log2(np.array(u_err[:-1]) / u_err[1:])
    assert np.all((p_order > 1.9) & (p_order < 2.1)), p_order
    assert np.all((u_order > 1.9) & (u_order < 2.1)), u_order


@pytest.fixture
def heterogeneous():
    n = 33
    rng = np.random.default_rng(3)
    k = np.exp(rng.standard_normal((n, n)))  # rough, many orders of magnitude
    f = well_source(n)
    return n, k, f, DarcySolver(n).pressure(k, f)


def test_discrete_divergence_of_flux_equals_source(heterogeneous):
    n, k, f, p = heterogeneous
    div = net_outflow(*face_fluxes(p, k))
    source = f * cell_volumes(n)
    assert np.max(np.abs(div - source)) < 1e-11 * np.max(np.abs(source))


def test_net_boundary_flux_is_zero(heterogeneous):
    """The total outflow of all cells is the flux through the boundary: it must vanish, as must
    the integrated source (the compatibility condition of the Neumann problem)."""
    n, k, f, p = heterogeneous
    div = net_outflow(*face_fluxes(p, k))
    assert abs(div.sum()) < 1e-13
    assert abs((f * cell_volumes(n)).sum()) < 1e-13


def test_pressure_has_zero_mean_and_no_normal_velocity_on_boundary(heterogeneous):
    n, k, f, p = heterogeneous
    assert abs(np.sum(cell_volumes(n) * p)) < 1e-13
    ux, uy = node_velocities(p, k)
    assert np.all(ux[:, [0, -1]] == 0) and np.all(uy[[0, -1], :] == 0)


def test_constant_permeability_solution_is_point_symmetric():
    """Rotating by 180 degrees swaps injection and production: p(1-x, 1-y) = -p(x, y); the wells
    also sit on the diagonal, so p(x, y) = p(y, x)."""
    n = 33
    p, ux, uy = DarcySolver(n).solve(np.full((n, n), 2.5), well_source(n))
    scale = np.max(np.abs(p))
    assert np.max(np.abs(p + p[::-1, ::-1])) < 1e-12 * scale
    assert np.max(np.abs(p - p.T)) < 1e-12 * scale
    assert np.allclose(ux, ux[::-1, ::-1], atol=1e-12 * np.max(np.abs(ux)))
    assert np.allclose(ux, uy.T, atol=1e-12 * np.max(np.abs(ux)))
    # flow goes from the injection corner to the production corner
    assert p[0, 0] > 0 > p[-1, -1] and ux[n // 2, n // 2] > 0


def test_pressure_scales_inversely_with_permeability():
    n = 17
    f = well_source(n)
    solver = DarcySolver(n)
    assert np.allclose(solver.pressure(np.full((n, n), 4.0), f), solver.pressure(np.ones((n, n)), f) / 4, atol=1e-14)


def test_well_source_covers_corner_squares():
    f = well_source(65, strength=10.0, well_width=0.125)
    assert (f == 10).sum() == 81 and (f == -10).sum() == 81
    assert f[0, 0] == 10 and f[-1, -1] == -10 and f[8, 8] == 10 and f[9, 9] == 0


@pytest.mark.parametrize("n", [4, 10, 32, 3])
def test_rejects_grids_that_are_not_power_of_two_plus_one(n):
    with pytest.raises(ValueError, match="2\\^k \\+ 1"):
        check_grid(n)


def test_rejects_bad_fields():
    n = 9
    solver = DarcySolver(n)
    f = well_source(n)
    with pytest.raises(ValueError, match="shape"):
        solver.solve(np.ones((n, n + 1)), f)
    with pytest.raises(ValueError, match="positive"):
        solver.solve(-np.ones((n, n)), f)
    with pytest.raises(ValueError, match="non-finite"):
        solver.solve(np.full((n, n), np.nan), f)
