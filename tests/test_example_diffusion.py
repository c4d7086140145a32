"""The worked example's solver (examples/diffusion_source.py) against theory: second order in space,
first order in time (implicit Euler), and the source it injects."""

import importlib.util

import numpy as np
import pytest
from conftest import REPO
from scipy.sparse.linalg import spsolve

spec = importlib.util.spec_from_file_location("diffusion_source", REPO / "examples/diffusion_source.py")
example = importlib.util.module_from_spec(spec)
spec.loader.exec_module(example)


def sine_mode(rows, columns):
    x, y = example.cell_centres(rows, columns)
    return np.sin(np.pi * x / example.WIDTH) * np.sin(np.pi * y / example.HEIGHT)


def test_steady_state_converges_at_second_order_in_space():
    """-lap(u) = sin(pi x / W) sin(pi y / H) has u = that / (pi^2 (1/W^2 + 1/H^2))."""
    exact_eigenvalue = np.pi**2 * (1 / example.WIDTH**2 + 1 / example.HEIGHT**2)
    errors = []
    for rows, columns in ((12, 20), (24, 40), (48, 80)):
        s = sine_mode(rows, columns)
        u = spsolve(-example.laplacian(rows, columns), s.ravel()).reshape(rows, columns)
        errors.append(np.abs(u - s / exact_eigenvalue).max())
    orders = np.log2(np.array(errors[:-1]) / errors[1:])
    assert np.all((orders > 1.9) & (orders < 2.1)), orders


def test_implicit_euler_converges_at_first_order_in_time():
    """The sine mode is an eigenvector of the discrete Laplacian (eigenvalue lam_h), so the exact
    solution in time is s / (D lam_h) (1 - exp(-D lam_h t))."""
    rows, columns = example.ROWS, example.COLUMNS
    lam = sum(4 / h**2 * np.sin(np.pi * h / (2 * length)) ** 2
              for h, length in ((example.WIDTH / columns, example.WIDTH), (example.HEIGHT / rows, example.HEIGHT)))
    s, d, t = sine_mode(rows, columns), example.DIFFUSIVITY, 0.2
    exact = s / (d * lam) * (1 - np.exp(-d * lam * t))
    errors = [np.abs(example.Solver(step=step).snapshots(s, (t,))[0] - exact).max() for step in (0.02, 0.01, 0.005)]
    orders = np.log2(np.array(errors[:-1]) / errors[1:])
    assert np.all((orders > 0.9) & (orders < 1.1)), orders


def test_source_injects_its_amount_and_fields_grow():
    x0, w = 1.0, 0.1
    cell = example.WIDTH / example.COLUMNS * example.HEIGHT / example.ROWS
    assert example.source(x0, w).sum() * cell == pytest.approx(example.AMOUNT, rel=1e-3)
    fields, factors = example.generate(3, seed=0)
    assert fields.shape == (3, 2, example.ROWS, example.COLUMNS) and factors.shape == (3, 2)
    assert np.all(fields[:, 1].sum(axis=(1, 2)) > fields[:, 0].sum(axis=(1, 2)))  # later snapshot holds more
