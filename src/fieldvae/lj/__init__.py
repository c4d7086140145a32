"""Second study: a 2-D Lennard-Jones fluid under gravity, sampled by Metropolis Monte Carlo."""
