"""Reproducible pipeline for 'Disentangling Generative Factors of Physical Fields Using VAEs'."""
