"""Anomaly scores of the distance-matrix VAE beyond its reconstruction error, one per module: pure functions of arrays."""
