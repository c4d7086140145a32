"""xoshiro256** (Blackman and Vigna), the generator each Monte Carlo replica carries inside the numba
kernel of fieldvae.lj.sampler: four 64-bit words of state per replica, seeded from the named stream
lj_configurations of fieldvae.core.streams, so a seed fixes every sample whatever the thread count."""

from __future__ import annotations

import numpy as np
from numba import njit

from fieldvae.core.streams import seed_sequence


@njit(inline="always")
def _rotl(x, k):
    return (x << np.uint64(k)) | (x >> np.uint64(64 - k))


@njit(inline="always")
def next_uint64(state):
    """One xoshiro256** output; `state` is the generator's four words, updated in place."""
    result = _rotl(state[1] * np.uint64(5), 7) * np.uint64(9)
    t = state[1] << np.uint64(17)
    state[2] ^= state[0]
    state[3] ^= state[1]
    state[1] ^= state[2]
    state[0] ^= state[3]
    state[2] ^= t
    state[3] = _rotl(state[3], 45)
    return result


@njit(inline="always")
def uniform(state):
    """A double in [0, 1) from the top 53 bits."""
    return float(next_uint64(state) >> np.uint64(11)) * (1.0 / 9007199254740992.0)


def seed_states(seed: int, n_replicas: int, *key: str) -> np.ndarray:
    """Generator states, one row of four words per replica. Row r depends only on (seed, key, r)."""
    words = seed_sequence("lj_configurations", seed, *key).generate_state(4 * n_replicas, np.uint64)
    return words.reshape(n_replicas, 4)
