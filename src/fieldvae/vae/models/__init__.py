"""DenseVAE and its priors (SPEC B); configurations live in `fieldvae.vae.models.config`."""
