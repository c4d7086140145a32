"""DCI (Eastwood and Williams 2018), regression variant for continuous factors.

One gradient-boosted regression-tree ensemble per factor (scikit-learn, 100 trees of depth 3, fixed
random state) predicts the factor from all latents on the training codes; its feature importances
form the importance matrix R (latents x factors).
- disentanglement: sum_i rho_i (1 - H_s(P_i.)), P_ij = R_ij / sum_j R_ij, rho_i = sum_j R_ij / sum R,
  H_s the entropy in base s (number of factors);
- completeness: sum_j rho_j (1 - H_L(P~_.j)), P~_ij = R_ij / sum_i R_ij, base L (number of latents);
- informativeness: mean coefficient of determination R^2 of the regressors on the test codes
  (1: factors predicted exactly; the original reports the prediction error instead).
All three are 1 for a perfect, axis-aligned code. With no informative latent at all, D = C = 0.
"""

from __future__ import annotations

import numpy as np
from sklearn.ensemble import GradientBoostingRegressor

from fieldvae.core.metrics.checks import paired


def _entropy(p: np.ndarray, base: int) -> np.ndarray:
    """Entropy of each row of p, rows summing to 1, in the given base; base 1 gives 0."""
    if base < 2:
        return np.zeros(len(p))
    with np.errstate(divide="ignore", invalid="ignore"):
        terms = np.where(p > 0, p * np.log(p), 0.0)
    return -terms.sum(1) / np.log(base)


def importance_matrix(z_train, theta_train, z_test, theta_test) -> tuple[np.ndarray, float]:
    """R (latents x factors) and the mean test R^2."""
    r = np.zeros((z_train.shape[1], theta_train.shape[1]))
    scores = []
    for j in range(theta_train.shape[1]):
        model = GradientBoostingRegressor(n_estimators=100, max_depth=3, random_state=0)
        model.fit(z_train, theta_train[:, j])
        r[:, j] = model.feature_importances_
        scores.append(model.score(z_test, theta_test[:, j]))
    return r, float(np.mean(scores))


def dci(z_train, theta_train, z_test, theta_test) -> dict:
    z_train, theta_train = paired(z_train, theta_train)
    z_test, theta_test = paired(z_test, theta_test)
    r, informativeness = importance_matrix(z_train, theta_train, z_test, theta_test)
    total = r.sum()
    if total == 0:
        return {"disentanglement": 0.0, "completeness": 0.0, "informativeness": informativeness}
    n_latents, n_factors = r.shape
    rows, cols = r.sum(1), r.sum(0)
    p_rows = np.divide(r, rows[:, None], out=np.zeros_like(r), where=rows[:, None] > 0)
    p_cols = np.divide(r, cols[None, :], out=np.zeros_like(r), where=cols[None, :] > 0)
    d = np.sum(rows / total * (1 - _entropy(p_rows, n_factors)))
    c = np.sum(cols / total * (1 - _entropy(p_cols.T, n_latents)))
    return {"disentanglement": float(d), "completeness": float(c), "informativeness": informativeness}
