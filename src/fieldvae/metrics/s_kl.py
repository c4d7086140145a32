"""S_KL, the paper's distribution-matching disentanglement score (its Eq. 7 was lost in extraction).

The formula implemented here:

    S_KL = min over P, S, a > 0, b of  D_kNN( { a * (S P zhat_i) + b }_i  ||  { theta_j }_j )

zhat: samples of the aggregated posterior q(z), each latent standardised; P: a permutation of the
latents; S: a diagonal of signs; a, b: per-axis scale and shift; D_kNN: the k-NN estimate of the KL
divergence (fieldvae.metrics.knn_kl). (a, b) are found by Nelder-Mead from the moment-matched start
for every (P, S). Lower is more disentangled: 0 (up to estimator noise) when q(z) is p(theta) up to
an axis-aligned affine map. Needs as many latents as factors.
"""

from __future__ import annotations

import itertools

import numpy as np
from scipy.optimize import minimize

from fieldvae.metrics.checks import as_samples
from fieldvae.metrics.knn_kl import knn_kl_divergence


def s_kl(z, theta, k: int = 1, max_evaluations: int = 200) -> dict:
    """Score and the best map: {'score', 'permutation', 'signs', 'scale', 'shift'}.

    z: samples of the aggregated posterior (n, s); theta: samples of p(theta) (m, s), drawn
    independently of the data behind z (identical points would make the estimate degenerate).
    """
    z, theta = as_samples(z, "codes", k + 1), as_samples(theta, "factors", k)
    s = theta.shape[1]
    if z.shape[1] != s:
        raise ValueError(f"S_KL needs one latent per factor: {z.shape[1]} latents, {s} factors")
    spread = z.std(0)
    if np.any(spread == 0):
        raise ValueError("S_KL: a latent is constant over the samples (collapsed code)")
    zhat = (z - z.mean(0)) / spread
    start = np.concatenate([np.log(theta.std(0)), theta.mean(0)])
    best = None
    for perm in itertools.permutations(range(s)):
        for signs in itertools.product((1.0, -1.0), repeat=s):
            mapped = zhat[:, perm] * np.array(signs)

            def divergence(params):
                return knn_kl_divergence(np.exp(params[:s]) * mapped + params[s:], theta, k)

            fit = minimize(divergence, start, method="Nelder-Mead",
                           options={"maxfev": max_evaluations, "xatol": 1e-3, "fatol": 1e-4})
            if best is None or fit.fun < best["score"]:
                best = {"score": float(fit.fun), "permutation": list(perm), "signs": list(signs),
                        "scale": (np.exp(fit.x[:s]) / spread[list(perm)]).tolist(), "shift": fit.x[s:].tolist()}
    return best
