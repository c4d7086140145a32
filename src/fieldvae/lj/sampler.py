"""Metropolis Monte Carlo of N Lennard-Jones particles in a closed 2-D box under gravity.

U = sum_i gamma y_i + sum_{i<j} phi(r_ij), with phi the Lennard-Jones pair potential cut (not
shifted) at r_c, the "fake" soft pair 4 (r^-4 - r^-2) without cutoff, or no pair term ("none",
the ideal gas). The walls are hard: a proposed coordinate outside (0, L) keeps its old value while
the other coordinate may still move. The proposal stays symmetric, so detailed balance holds.

Every sample is an independent replica: its own start, its own chain, its own random numbers. The
replicas run in parallel in one numba kernel; each carries a xoshiro256** generator seeded from the
stream (lj_configurations, seed, system and protocol) of fieldvae.core.streams, so a seed fixes every
sample whatever the number of threads, and sets of another gamma or protocol never share chains.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
from numba import njit, prange

from fieldvae.lj.xoshiro import seed_states, uniform

POTENTIALS = ("lj", "fake", "none")
STARTS = ("uniform", "sedimented")
CHUNK = 1024  # replicas per kernel call: bounds memory and paces progress reports

# Integer codes the kernel branches on.
_LJ, _FAKE, _NONE = range(3)
_GIVEN, _UNIFORM, _SEDIMENTED = range(3)

# A running energy that moved by more than this in one step (an overlap from a random start being
# resolved) has lost its small digits to cancellation: it is recomputed at the end of that sweep.
RESYNC_ENERGY = 1e4


def _check_count(name: str, value, minimum: int) -> None:
    if not (isinstance(value, (int, np.integer)) and value >= minimum):
        raise ValueError(f"{name} must be an integer >= {minimum}, got {value!r}")


@dataclass(frozen=True)
class LJSystem:
    """The physical system, in reduced units (sigma = epsilon = m = k_B = 1)."""

    gamma: float
    potential: str = "lj"
    n_particles: int = 30
    box: float = 10.0
    temperature: float = 0.75
    cutoff: float = 3.0

    def __post_init__(self):
        if self.potential not in POTENTIALS:
            raise ValueError(f"potential must be one of {POTENTIALS}, got {self.potential!r}")
        if not (math.isfinite(self.gamma) and self.gamma >= 0):
            raise ValueError(f"gamma must be a finite number >= 0, got {self.gamma}")
        _check_count("n_particles", self.n_particles, 1)
        for name in ("box", "temperature", "cutoff"):
            value = getattr(self, name)
            if not (math.isfinite(value) and value > 0):
                raise ValueError(f"{name} must be a finite number > 0, got {value}")


@dataclass(frozen=True)
class Protocol:
    """How one sample is made: `sweeps` Metropolis sweeps with steps U(-step, step) per
    coordinate from a `start` configuration ("uniform" in the box, or "sedimented": heights from
    the ideal-gas barometric law, x uniform); the last configuration is kept."""

    sweeps: int
    step: float
    start: str

    def __post_init__(self):
        _check_count("sweeps", self.sweeps, 0)
        if not (math.isfinite(self.step) and self.step > 0):
            raise ValueError(f"step must be a finite number > 0, got {self.step}")
        if self.start not in STARTS:
            raise ValueError(f"start must be one of {STARTS}, got {self.start!r}")


PROTOCOLS = {
    # The published one: not in equilibrium for gamma <= 0.4, sedimentation by 0.2 steps is slow.
    "group": Protocol(sweeps=2500, step=0.2, start="uniform"),
    # Starts from the ideal-gas profile and moves 5x farther per step. Relaxation of the mean height
    # and energy (2048 replicas per gamma): from this start within statistical error (0.006 in
    # height) by 600 sweeps at every gamma; even the slowest case, a uniform start at gamma = 0.1
    # (relaxation time ~ 250 sweeps), gets there by 1000. tests/test_lj_sampler.py checks both.
    "equilibrated": Protocol(sweeps=1000, step=1.0, start="sedimented"),
}


def _system_key(system: LJSystem) -> tuple[str, ...]:
    return (system.potential, f"gamma{system.gamma:g}", f"box{system.box:g}")


# ---------------------------------------------------------------- the kernel

@njit(inline="always")
def _pair(r2, pair, cutoff2):
    if pair == _LJ:
        inv6 = 1.0 / (r2 * r2 * r2)
        return 4.0 * inv6 * (inv6 - 1.0) if r2 <= cutoff2 else 0.0
    if pair == _FAKE:
        inv2 = 1.0 / r2
        return 4.0 * inv2 * (inv2 - 1.0)
    return 0.0


@njit(cache=True)
def _total_energy(x, y, gamma, pair, cutoff2):
    u = gamma * np.sum(y)
    if pair != _NONE:
        for i in range(x.size):
            for j in range(i + 1, x.size):
                u += _pair((x[i] - x[j]) ** 2 + (y[i] - y[j]) ** 2, pair, cutoff2)
    return u


@njit(inline="always")
def _pair_change(x, y, lo, hi, x_old, y_old, x_new, y_new, pair, cutoff2):
    """Pair energy of a particle moved from (x_old, y_old) to (x_new, y_new) with particles
    lo..hi-1, new minus old. The potential's branch does not change inside the loop and the cutoff
    becomes a select, so the compiler vectorises it."""
    du = 0.0
    for j in range(lo, hi):
        r2_old = (x[j] - x_old) ** 2 + (y[j] - y_old) ** 2
        r2_new = (x[j] - x_new) ** 2 + (y[j] - y_new) ** 2
        du += _pair(r2_new, pair, cutoff2) - _pair(r2_old, pair, cutoff2)
    return du


@njit(inline="always")
def _draw_start(x, y, state, start, box, decay_length):
    """Uniform positions, or heights from the barometric law exp(-y / decay_length) on (0, box)."""
    for i in range(x.size):
        x[i] = box * uniform(state)
        if start == _SEDIMENTED and math.isfinite(decay_length):
            y[i] = -decay_length * math.log1p(-uniform(state) * -math.expm1(-box / decay_length))
        else:
            y[i] = box * uniform(state)


@njit(parallel=True, cache=True, fastmath={"reassoc", "nsz", "contract"})
def _run_replicas(x, y, states, start, sweeps, step, gamma, pair, cutoff2, box, temperature,
                  move_du, move_accepted):
    """Runs every replica (row of x, y, states) for `sweeps` sequential sweeps, in place.

    Returns the running energies and accepted-move counts. When move_du has columns, the dU and
    the outcome of every proposed move are recorded there (for the acceptance test). fastmath lets
    the pair sums vectorise; each replica's arithmetic stays fixed, so the number of threads (which
    only decides who runs a replica) never changes a result.
    """
    n_replicas, n = x.shape
    energies = np.empty(n_replicas)
    accepted = np.zeros(n_replicas, np.int64)
    record = move_du.shape[1] > 0
    decay_length = temperature / gamma if gamma > 0 else math.inf
    for r in prange(n_replicas):
        xr, yr, state = x[r], y[r], states[r]
        if start != _GIVEN:
            _draw_start(xr, yr, state, start, box, decay_length)
        u = _total_energy(xr, yr, gamma, pair, cutoff2)
        n_accepted = 0
        move = 0
        for _ in range(sweeps):
            resync = False
            for i in range(n):
                x_old, y_old = xr[i], yr[i]
                x_new = x_old + step * (2.0 * uniform(state) - 1.0)
                y_new = y_old + step * (2.0 * uniform(state) - 1.0)
                if not 0.0 < x_new < box:
                    x_new = x_old
                if not 0.0 < y_new < box:
                    y_new = y_old
                du = gamma * (y_new - y_old)
                if pair != _NONE:
                    du += _pair_change(xr, yr, 0, i, x_old, y_old, x_new, y_new, pair, cutoff2)
                    du += _pair_change(xr, yr, i + 1, n, x_old, y_old, x_new, y_new, pair, cutoff2)
                ok = du <= 0.0 or uniform(state) < math.exp(-du / temperature)
                if ok:
                    xr[i], yr[i] = x_new, y_new
                    u += du
                    n_accepted += 1
                    resync |= abs(du) > RESYNC_ENERGY
                if record:
                    move_du[r, move] = du
                    move_accepted[r, move] = ok
                    move += 1
            if resync:
                u = _total_energy(xr, yr, gamma, pair, cutoff2)
        energies[r] = u
        accepted[r] = n_accepted
    return energies, accepted


# ---------------------------------------------------------------- public interface

def _pair_code(system: LJSystem) -> int:
    return POTENTIALS.index(system.potential)


def _check_positions(system: LJSystem, positions: np.ndarray) -> np.ndarray:
    positions = np.asarray(positions, dtype=np.float64)
    if positions.ndim != 3 or positions.shape[1:] != (system.n_particles, 2):
        raise ValueError(f"positions must have shape (replicas, {system.n_particles}, 2), got {positions.shape}")
    if not np.all((positions > 0) & (positions < system.box)):
        raise ValueError(f"positions must lie inside the open box (0, {system.box})")
    return positions


def _kernel(system: LJSystem, x, y, states, start, sweeps, step, move_du, move_accepted):
    return _run_replicas(x, y, states, start, sweeps, float(step), float(system.gamma), _pair_code(system),
                         float(system.cutoff) ** 2, float(system.box), float(system.temperature),
                         move_du, move_accepted)


def run_chains(system: LJSystem, positions: np.ndarray, sweeps: int, step: float, seed: int,
               trace: bool = False) -> dict[str, np.ndarray]:
    """Runs one chain per replica from the given positions (R, N, 2) for `sweeps` sweeps.

    Returns "positions" (R, N, 2), the running "energy" (R,) and "accepted" move counts (R,);
    with trace=True also "move_du" and "move_accepted", (R, sweeps * N), for every proposed move.
    """
    positions = _check_positions(system, positions)
    _check_count("sweeps", sweeps, 0)
    n_replicas = positions.shape[0]
    x, y = np.ascontiguousarray(positions[..., 0]), np.ascontiguousarray(positions[..., 1])
    n_moves = sweeps * system.n_particles if trace else 0
    move_du = np.zeros((n_replicas, n_moves))
    move_accepted = np.zeros((n_replicas, n_moves), dtype=np.bool_)
    states = seed_states(seed, n_replicas, "chains", *_system_key(system), f"step{step:g}")
    energies, accepted = _kernel(system, x, y, states, _GIVEN, sweeps, step,
                                 move_du, move_accepted)
    out = {"positions": np.stack([x, y], axis=-1), "energy": energies, "accepted": accepted}
    if trace:
        out |= {"move_du": move_du, "move_accepted": move_accepted}
    return out


def sample(system: LJSystem, protocol: Protocol | str, n_samples: int, seed: int, sweeps: int | None = None,
           progress: Callable[[int, int], None] | None = None) -> dict[str, np.ndarray]:
    """Draws n_samples independent configurations, each the end of its own chain.

    `protocol` is a Protocol or a name in PROTOCOLS; `sweeps` overrides its sweep count. Sample r
    depends only on (seed, r), so the first samples of a larger draw equal a smaller draw's, and the
    same seed run for fewer sweeps gives earlier states of the same chains. Returns "positions"
    (n_samples, N, 2), the running "energy" and the "acceptance" fraction, each (n_samples,).
    `progress(done, total)` is called after every chunk of replicas.
    """
    if isinstance(protocol, str):
        if protocol not in PROTOCOLS:
            raise ValueError(f"protocol must be one of {tuple(PROTOCOLS)}, got {protocol!r}")
        protocol = PROTOCOLS[protocol]
    sweeps = protocol.sweeps if sweeps is None else sweeps
    _check_count("sweeps", sweeps, 0)
    _check_count("n_samples", n_samples, 1)
    n = system.n_particles
    states = seed_states(seed, n_samples, *_system_key(system), protocol.start, f"step{protocol.step:g}")
    start = _UNIFORM if protocol.start == "uniform" else _SEDIMENTED
    no_trace = np.zeros((0, 0)), np.zeros((0, 0), dtype=np.bool_)
    positions = np.empty((n_samples, n, 2))
    energies = np.empty(n_samples)
    accepted = np.empty(n_samples, dtype=np.int64)
    for lo in range(0, n_samples, CHUNK):
        hi = min(lo + CHUNK, n_samples)
        x, y = np.empty((hi - lo, n)), np.empty((hi - lo, n))
        energies[lo:hi], accepted[lo:hi] = _kernel(system, x, y, states[lo:hi], start, sweeps, protocol.step,
                                                   *no_trace)
        positions[lo:hi] = np.stack([x, y], axis=-1)
        if progress is not None:
            progress(hi, n_samples)
    acceptance = accepted / (sweeps * n) if sweeps else np.full(n_samples, np.nan)
    return {"positions": positions, "energy": energies, "acceptance": acceptance}


def pair_energy(potential: str, r2: np.ndarray, cutoff: float = 3.0) -> np.ndarray:
    """The pair potential as a function of the squared distance, vectorised over numpy arrays."""
    if potential == "lj":
        inv6 = 1.0 / r2**3
        return np.where(r2 <= cutoff**2, 4.0 * inv6 * (inv6 - 1.0), 0.0)
    if potential == "fake":
        return 4.0 * (1.0 / r2**2 - 1.0 / r2)
    return np.zeros_like(r2)


def energy(system: LJSystem, positions: np.ndarray) -> np.ndarray:
    """Total energy of each configuration (R, N, 2), recomputed from scratch (R,)."""
    positions = _check_positions(system, positions)
    i, j = np.triu_indices(system.n_particles, 1)
    out = np.empty(positions.shape[0])
    for lo in range(0, positions.shape[0], CHUNK):
        p = positions[lo:lo + CHUNK]
        r2 = np.sum((p[:, i] - p[:, j]) ** 2, axis=-1)
        pairs = pair_energy(system.potential, r2, system.cutoff).sum(axis=1)
        out[lo:lo + CHUNK] = system.gamma * p[..., 1].sum(axis=1) + pairs
    return out
