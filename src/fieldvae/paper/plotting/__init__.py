"""Figures of the paper, one module each, sharing the style of `fieldvae.core.style`."""
