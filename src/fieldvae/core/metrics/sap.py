"""SAP score (Kumar et al. 2018) for continuous factors.

S_ij = R^2 of predicting factor j linearly from latent i alone, i.e. the squared correlation (0 for
a constant latent). SAP = mean over factors of the gap between the two largest S_ij over latents
(with one latent, the largest itself). In [0, 1].
"""

from __future__ import annotations

import numpy as np

from fieldvae.core.metrics.checks import paired


def sap(z, theta) -> float:
    z, theta = paired(z, theta)
    zc, tc = z - z.mean(0), theta - theta.mean(0)
    norms = np.outer(np.linalg.norm(zc, axis=0), np.linalg.norm(tc, axis=0))
    if np.any(norms[0] == 0) and np.all(np.linalg.norm(tc, axis=0) == 0):
        raise ValueError("SAP: every factor is constant")
    r2 = np.divide((zc.T @ tc) ** 2, norms**2, out=np.zeros(norms.shape), where=norms > 0)
    top = np.sort(r2, axis=0)[::-1]
    gaps = top[0] - (top[1] if len(top) > 1 else 0.0)
    return float(gaps.mean())
