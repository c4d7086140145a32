"""Objectives that add a penalty on the code to the paper's loss (issue 32): beta-TCVAE, FactorVAE,
InfoVAE-MMD and DIP-VAE-II, each in its own module, loaded by name (so a run's code fingerprint
covers only its own objective). A module defines `make(n_latent, seed)`, returning a Penalty
(fieldvae.vae.objectives.base): `penalty(z, mu, logvar)`, one number for the batch, and hooks for what it trains besides the VAE, whose state goes into the run's checkpoint.
The paper's objective ("paper") adds nothing.
"""

from __future__ import annotations

import importlib

OBJECTIVES = {
    "paper": None,
    "tcvae": "fieldvae.vae.objectives.tcvae",
    "factorvae": "fieldvae.vae.objectives.factorvae",
    "mmd": "fieldvae.vae.objectives.mmd",
    "dip2": "fieldvae.vae.objectives.dip",
}


def objective_module(name: str) -> str | None:
    """The module that implements the objective `name` (None: the paper's, no penalty)."""
    if name not in OBJECTIVES:
        raise ValueError(f"objective: expected one of {', '.join(OBJECTIVES)}, got {name!r}")
    return OBJECTIVES[name]


def make_penalty(name: str, n_latent: int, seed: int):
    """The objective's Penalty for a run (None for the paper's objective)."""
    module = objective_module(name)
    return None if module is None else importlib.import_module(module).make(n_latent, seed)
