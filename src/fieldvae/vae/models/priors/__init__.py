"""Priors p(z), each in its own module, and the regulariser each contributes per sample (nats,
summed over latents). A prior module defines `make(model_config)`, returning a module with
`regulariser(z, mu, logvar, generator)`, `neg_log_prior(z, generator)` and `sample(n, generator)`.

The modules are loaded by name, not imported here: so the code fingerprint of a run covers only its
own prior, and editing one prior retrains only the runs that use it.
"""

from __future__ import annotations

import importlib

PRIORS = {
    "standard": "fieldvae.vae.models.priors.gaussian",
    "scaled": "fieldvae.vae.models.priors.gaussian",
    "hierarchical": "fieldvae.vae.models.priors.hierarchical",
}


def prior_module(name: str) -> str:
    """The module that implements the prior `name`."""
    if name not in PRIORS:
        raise ValueError(f"prior: expected one of {', '.join(PRIORS)}, got {name!r}")
    return PRIORS[name]


def make_prior(cfg):
    return importlib.import_module(prior_module(cfg.prior)).make(cfg)
