"""The study-agnostic core: random streams, io, provenance, the trainer, metrics, statistics, plot style."""
