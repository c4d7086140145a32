"""Disentanglement scores and training diagnostics, one per module, each a pure function of arrays
(codes z of shape (n, latents), factors theta of shape (n, factors)), after disentanglement_lib."""
