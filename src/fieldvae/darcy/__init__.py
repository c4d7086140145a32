"""The paper's study: Darcy flow from KLE permeabilities, the DenseVAE and its priors, the paper's protocols."""
