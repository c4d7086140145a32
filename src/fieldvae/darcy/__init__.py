"""Darcy flow of the paper: the finite-volume solver, KLE permeabilities, the distributions of the
generative factors theta, and the datasets built from them."""
