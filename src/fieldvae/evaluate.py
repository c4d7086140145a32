"""All scores of one trained run, from its latents and history (what the metrics rule writes)."""

from __future__ import annotations

from fieldvae.metrics.aggregate import aggregate_samples, rate_distortion
from fieldvae.metrics.dci import dci
from fieldvae.metrics.mig import mig
from fieldvae.metrics.overregularisation import final_rate, over_regularised
from fieldvae.metrics.s_d import ceiling, s_d
from fieldvae.metrics.s_kl import s_kl
from fieldvae.metrics.sap import sap


def evaluate(latents: dict, history: dict, seed: int = 0) -> dict:
    """Scores on the test set (encoder means; S_KL on samples of the aggregated posterior against
    the training set's theta, an independent sample of p(theta)); DCI fits on the training codes."""
    mu, logvar, theta = latents["mu_test"], latents["logvar_test"], latents["theta_test"]
    rate, distortion = rate_distortion(history)
    run_rate = final_rate(history["rate"])
    scores = {
        "s_d": s_d(mu, theta),
        "s_d_ceiling": ceiling(theta),
        "mig": mig(mu, theta),
        "sap": sap(mu, theta),
        **{f"dci_{k}": v for k, v in dci(latents["mu_train"], latents["theta_train"], mu, theta).items()},
        "rate": rate,
        "distortion": distortion,
        "over_regularised": over_regularised(run_rate, mu, logvar),
        "s_kl": None,
    }
    if mu.shape[1] == theta.shape[1]:
        scores["s_kl"] = s_kl(aggregate_samples(mu, logvar, seed=seed), latents["theta_train"])["score"]
    return scores
