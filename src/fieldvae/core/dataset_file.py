"""The dataset file every VAE run reads: fields (N, C, H, W), factors theta (N, s) and three disjoint
splits, as the Darcy generator (fieldvae.darcy.dataset) and the import of a user's file
(fieldvae.core.field_file) write it; read and checked here, once, for every command."""

from __future__ import annotations

import numpy as np

from fieldvae.core.io import load_arrays, require_keys

DARCY_CHANNELS = ("p", "u_x", "u_y")  # a Darcy dataset's channels, which its file does not name
KEYS = ("fields", "theta", "train_index", "test_index", "labelled_index")
SPLITS = ("train_index", "test_index", "labelled_index")  # disjoint: labels never come from the test set


def load_dataset(path) -> tuple[dict[str, np.ndarray], dict]:
    """Arrays and provenance of a dataset file, checked as `generate` (Darcy: with log_k) or
    `fieldvae.core.field_file.import_fields` (a user's file: any channels and size, theta possibly (N, 0),
    with channel_mean, channel_std and factor_names) write them, so every command that reads a dataset
    refuses a damaged or foreign one the same way, naming the file and the key."""
    arrays, prov = load_arrays(path)
    require_keys(path, arrays, KEYS, "a dataset file")
    fields, theta = arrays["fields"], arrays["theta"]
    _expect(path, "fields", fields.ndim == 4, f"shape {fields.shape}", "(N, C, H, W): samples, channels, rows, columns")
    n, channels, height, width = fields.shape
    _expect(path, "fields", min(fields.shape) > 0, f"shape {fields.shape}", "at least one sample, channel, row and column")
    _expect(path, "theta", theta.ndim == 2 and len(theta) == n, f"shape {theta.shape}", f"({n}, s): a row per sample")
    shapes = {"log_k": (n, height, width), "channel_mean": (channels,), "channel_std": (channels,),
              "factor_names": (theta.shape[1],), "channel_names": (channels,)}
    for key, shape in shapes.items():
        if key in arrays:
            _expect(path, key, arrays[key].shape == shape, f"shape {arrays[key].shape}", str(shape))
    _expect(path, "fields", fields.dtype == np.float32, f"dtype {fields.dtype}", "float32, as the model takes it")
    numbers = [k for k in ("theta", "log_k", "channel_mean", "channel_std") if k in arrays]
    for key in numbers:
        _expect(path, key, np.issubdtype(arrays[key].dtype, np.floating), f"dtype {arrays[key].dtype}", "floating point")
    for key in ("fields", *numbers):
        bad = np.count_nonzero(~np.isfinite(arrays[key]))
        _expect(path, key, bad == 0, f"non-finite values ({bad} of {arrays[key].size})", "finite values")
    for key in SPLITS:
        index = arrays[key]
        _expect(path, key, index.ndim == 1 and np.issubdtype(index.dtype, np.integer),
                f"dtype {index.dtype}, shape {index.shape}", "a 1-d integer array")
        outside = index[(index < 0) | (index >= n)]
        _expect(path, key, outside.size == 0, f"indices out of range: {outside[:5].tolist()}", f"indices in [0, {n})")
        values, counts = np.unique(index, return_counts=True)
        _expect(path, key, counts.max(initial=1) == 1, f"samples listed more than once: {values[counts > 1][:5].tolist()}",
                "each sample once")
    for key in ("train_index", "test_index"):
        _expect(path, key, arrays[key].size > 0, "no samples", "at least one sample")
    for i, a in enumerate(SPLITS):
        for b in SPLITS[i + 1:]:
            shared = np.intersect1d(arrays[a], arrays[b])
            _expect(path, a, shared.size == 0, f"{shared.size} sample(s) also in {b}: {shared[:5].tolist()}",
                    f"no sample in two of {', '.join(SPLITS)}")
    return arrays, prov


def _expect(path, key: str, ok: bool, found: str, expected: str) -> None:
    if not ok:
        raise ValueError(f"{path}: key {key!r} has {found}; expected {expected}")


def names(arrays: dict) -> tuple[list[str], list[str]]:
    """Names of the channels and of the factors: a file dataset's own, else Darcy's."""
    channels = arrays["channel_names"].tolist() if "channel_names" in arrays else list(DARCY_CHANNELS)
    factors = (arrays["factor_names"].tolist() if "factor_names" in arrays
               else [f"theta_{j + 1}" for j in range(arrays["theta"].shape[1])])
    return channels, factors


def held_out_set(arrays: dict) -> tuple[np.ndarray, np.ndarray]:
    """The held-out test samples: fields (n, C, H, W) and their factors theta (n, s), which every
    score of a trained model is taken on."""
    test = arrays["test_index"]
    return arrays["fields"][test], arrays["theta"][test]


def physical_units(fields: np.ndarray, arrays: dict) -> np.ndarray:
    """Standardised fields (..., C, H, W) back in the file's units (the identity for generated data)."""
    if "channel_mean" not in arrays:
        return fields
    return fields * arrays["channel_std"][:, None, None] + arrays["channel_mean"][:, None, None]


def channel_moments(fields: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Mean and standard deviation of each channel of (N, C, H, W) finite fields, computed on the
    fields scaled by their largest magnitude, so that no square overflows (values near 1e200 would
    give an infinite deviation and standardise to zeros). A constant channel gets deviation 1: it is
    only centred."""
    scale = np.abs(fields).max(axis=(0, 2, 3))
    scale[scale == 0] = 1.0
    scaled = fields / scale[:, None, None]
    mean, std = scaled.mean(axis=(0, 2, 3)) * scale, scaled.std(axis=(0, 2, 3)) * scale
    std[std == 0] = 1.0
    if not (np.isfinite(mean).all() and np.isfinite(std).all()):
        raise ValueError(f"channel moments {mean.tolist()}, {std.tolist()} are not finite; expected fields whose "
                         "mean and standard deviation are below 1.8e308")
    return mean, std
