"""All scores of one trained run, from its latents and history (what the metrics rule writes)."""

from __future__ import annotations

from typing import Callable

import numpy as np

from fieldvae.core.metrics.aggregate import aggregate_samples, rate_distortion
from fieldvae.core.metrics.code_angle import code_geometry
from fieldvae.core.metrics.dci import dci
from fieldvae.core.metrics.disentangled import diagonal_share, disentangled
from fieldvae.core.metrics.mig import mig
from fieldvae.core.metrics.overregularisation import (final_rate,
                                                      over_regularised)
from fieldvae.core.metrics.s_d import s_d, s_d_of_factors
from fieldvae.core.metrics.s_kl import s_kl
from fieldvae.core.metrics.sap import sap
from fieldvae.core.streams import rng

FINAL_EPOCHS = 10  # training terms are reported as means over the last epochs
SCORES = ("s_d", "s_d_factors", "diagonal_share", "code_angle", "exclusive", "s_kl", "s_kl_reason", "mig", "sap",
          "dci_disentanglement", "dci_completeness", "dci_informativeness", "rate", "distortion", "loss",
          "nll_per_pixel", "label_nll", "factor_scores_reason")


NO_FACTORS = "the dataset has no generating factors"
FactorSampler = Callable[[int, int, np.random.Generator], np.ndarray]  # (n, s, rng) -> n draws of p(theta)


def run_settings(path, latents_provenance: dict) -> dict:
    """What made the run, as its training command stored it (the latents' provenance holds the model's):
    seed, prior, fixed beta and label count (None where the run has none). Tables and figures read
    these, never the run's folder name."""
    try:
        params = latents_provenance["params"]["model_provenance"]["params"]
        training, model, seed = params["training"], params["model"], params["seed"]
    except (KeyError, TypeError):
        raise ValueError(f"{path}: no training settings in its provenance; expected latents from "
                         "`fieldvae encode` of a model from `fieldvae train`") from None
    return {"seed": seed, "prior": model.get("prior"), "beta": training.get("fixed_beta"),
            "labels": training.get("labels")}


def evaluate(latents: dict, history: dict, seed: int, sample_factors: FactorSampler | None = None) -> dict:
    """Scores on the test set (encoder means; DCI fits on the training codes). S_KL compares samples
    of the aggregated posterior (their own stream) with a fresh sample of the dataset's p(theta),
    `sample_factors(n, s, rng)` (another stream), never with theta the model was scored on; a dataset
    from a file has no sampler (None), and its training split's factors are the reference sample. A diverged
    run has no scores: it is neither disentangled nor over-regularised, and `diverged`. Without factors,
    only the training terms and over-regularisation are scored, with the reason in `factor_scores_reason`."""
    if "diverged_epoch" in latents:
        return {**dict.fromkeys(SCORES), "over_regularised": False, "disentangled": False, "diverged": True,
                "diverged_epoch": int(latents["diverged_epoch"])}
    mu, logvar, theta = latents["mu_test"], latents["logvar_test"], latents["theta_test"]
    rate, distortion = rate_distortion(history, FINAL_EPOCHS)
    collapsed = over_regularised(final_rate(history["rate"], FINAL_EPOCHS), mu, logvar)
    training = {"rate": rate, "distortion": distortion,
                **{key: float(np.mean(history[key][-FINAL_EPOCHS:])) for key in ("loss", "nll_per_pixel", "label_nll")},
                "over_regularised": collapsed, "diverged": False, "diverged_epoch": None}
    if theta.shape[1] == 0:
        return {**dict.fromkeys(SCORES), "disentangled": None, **training, "factor_scores_reason": NO_FACTORS}
    angle, exclusive = code_geometry(mu, theta)
    z = aggregate_samples(mu, logvar, rng("s_kl_posterior_noise", seed))
    reference = (latents["theta_train"] if sample_factors is None
                 else sample_factors(2 * len(z), theta.shape[1], rng("s_kl_reference", seed)))
    kl = s_kl(z, reference, rng("s_kl_split", seed))
    scores = {
        "s_d": s_d(mu, theta),
        "s_d_factors": s_d_of_factors(theta),
        "diagonal_share": diagonal_share(mu, theta),
        "code_angle": angle if np.isfinite(angle) else None,  # None: no latent of its own for some factor
        "exclusive": exclusive,
        "disentangled": disentangled(angle, exclusive, collapsed),
        "s_kl": kl["score"],
        "s_kl_reason": kl["reason"],
        "mig": mig(mu, theta),
        "sap": sap(mu, theta),
        **{f"dci_{k}": v for k, v in dci(latents["mu_train"], latents["theta_train"], mu, theta).items()},
    }
    return {**scores, **training, "factor_scores_reason": None}
