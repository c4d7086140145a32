"""DenseVAE and its priors (SPEC B); configurations live in `fieldvae.darcy.models.config`."""
