"""A user's own fields from a file: NumPy .npz or HDF5, fields (N, C, H, W), optionally the generating
factors (N, s), their names and the split.

`problems` checks a `datasets:` entry against the file when the configuration is checked, before any
job: it reads the arrays' headers (shape, dtype) and the small split arrays, never the fields.
`import_fields` reads the data, refuses non-finite values, draws or takes the split and standardises
each channel by the training split's mean and standard deviation (recorded, so figures undo it): the
beta update's threshold "NLL per pixel < 0" means something only in standardised units.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from fieldvae.core.dataset_file import channel_moments
from fieldvae.core.io import check_memory, npz_header, printable
from fieldvae.core.streams import rng

READERS = {".npz": "NumPy .npz", ".h5": "HDF5", ".hdf5": "HDF5"}
SPLIT_KEYS = {"train": "train_index", "test": "test_index", "labelled": "labelled_index"}
DEFAULT_SHARES = {"test": 0.2, "labelled": 0.1}  # of N, when the entry gives no split


def header(path) -> dict[str, tuple[tuple[int, ...], np.dtype]]:
    """Shape and dtype of every array in the file, without reading the data."""
    path = Path(path)
    if path.suffix not in READERS:
        raise ValueError(f"{path}: expected a file ending in {', '.join(READERS)}")
    if not path.is_file():
        raise FileNotFoundError(f"{path}: no such file")
    if path.suffix == ".npz":
        return npz_header(path)
    import h5py

    out = {}
    try:
        with h5py.File(path, "r") as f:
            f.visititems(lambda name, item: out.update({_text(path, name): (item.shape, item.dtype)})
                         if isinstance(item, h5py.Dataset) else None)
    except OSError as err:
        raise ValueError(f"{path}: not a readable HDF5 file ({err})") from err
    for key, (shape, dtype) in out.items():
        if shape is None:
            raise ValueError(f"{path}: array {key!r} has no shape (an empty HDF5 dataset); expected an array")
        check_memory(int(np.prod(shape, dtype=object)) * dtype.itemsize, f"{path}: array {key!r}")
    return out


def _text(path, name) -> str:
    """An array name as text: HDF5 gives names that are not UTF-8 as bytes."""
    if isinstance(name, bytes):
        raise ValueError(f"{path}: array name {name!r} is not UTF-8 text; expected names in UTF-8")
    return name


def read(path, key: str) -> np.ndarray:
    """One array of the file."""
    path = Path(path)
    if path.suffix == ".npz":
        with np.load(path, allow_pickle=False) as arrays:
            return arrays[key]
    import h5py

    with h5py.File(path, "r") as f:
        return f[key][()]


def problems(entry: dict, where: str, n_latent: int | None = None) -> list[str]:
    """Everything wrong with a file entry, each naming the entry's key (`where` + key, e.g.
    "config key 'datasets.mine." + "factors'"), the file, the array's key and what was expected.
    n_latent: the latents of a semi-supervised experiment on it, which must equal the factor count."""
    found = _entry_problems(entry, where)
    if found:
        return found
    path = entry["file"]
    try:
        arrays = header(path)
    except (OSError, ValueError) as err:
        return [f"{where}file': {err}"]
    found, shape = _fields_problems(entry, where, path, arrays)
    if shape is None:
        return found
    n = shape[0]
    factors, more = _factor_problems(entry, where, path, arrays, n)
    found += more + _name_problems(entry, where, path, shape[1], factors)
    split = entry.get("split", {})
    if any(k in split for k in SPLIT_KEYS):
        found += _index_problems(where, path, split, arrays, n)
    else:
        counts = _counts(split, n, factors)
        if sum(counts.values()) > n or min(counts["train"], counts["test"]) < 1:
            found.append(f"{where}split': {counts['train']} + {counts['test']} + {counts['labelled']} samples "
                         f"(train + test + labelled) asked, {path} has {n}; expected at least one training and one "
                         f"test sample within them")
    factors_key = entry.get("factors")
    if n_latent is not None and factors_key is None:
        found.append(f"{where}factors': none given for {path}; a semi-supervised experiment needs the factors "
                     "as labels")
    elif n_latent is not None and factors and factors != n_latent:
        found.append(f"{where}factors': {path}:{factors_key} has {factors} factors; the semi-supervised "
                     f"experiment has n_latent {n_latent}, and needs one latent per factor")
    return found


def _fields_problems(entry: dict, where: str, path, arrays: dict) -> tuple[list[str], tuple | None]:
    """The fields array's problems, and its shape (None where nothing further can be checked)."""
    key = entry.get("fields", "fields")
    listing = ", ".join(map(printable, arrays)) or "none"
    if key not in arrays:
        return [f"{where}fields': {path}: no array {key!r}; the file has {listing}"], None
    shape, dtype = arrays[key]
    if len(shape) != 4:
        return [f"{where}fields': {path}: array {key!r} has shape {shape}; expected (N, C, H, W): samples, channels, "
                "rows, columns"], None
    found = [] if np.issubdtype(dtype, np.floating) or np.issubdtype(dtype, np.integer) else [
        f"{where}fields': {path}: array {key!r} has dtype {dtype}; expected numbers"]
    if min(shape) <= 0:
        return found + [f"{where}fields': {path}: array {key!r} has shape {shape}; expected at least one sample, "
                        "channel, row and column"], None
    try:  # importing holds the fields in float64 about three times over (all, training split, result)
        check_memory(3 * 8 * int(np.prod(shape, dtype=object)), f"importing array {key!r} of shape {shape}")
    except ValueError as err:
        return found + [f"{where}fields': {path}: {err}"], None
    return found, shape


def _factor_problems(entry: dict, where: str, path, arrays: dict, n: int) -> tuple[int, list[str]]:
    """The factor count (0 where there are none or they are unusable), and the factors' problems."""
    key = entry.get("factors")
    if key is None:
        return 0, []
    if key not in arrays:
        return 0, [f"{where}factors': {path}: no array {key!r}; the file has {', '.join(map(printable, arrays)) or 'none'}"]
    shape, dtype = arrays[key]
    found, factors = [], 0
    if len(shape) == 2 and shape[0] == n and shape[1] >= 1:
        factors = shape[1]
    else:
        found.append(f"{where}factors': {path}: array {key!r} has shape {shape}; expected ({n}, s): a row of factors "
                     f"for each of the {n} fields")
    if not np.issubdtype(dtype, np.number):
        found.append(f"{where}factors': {path}: array {key!r} has dtype {dtype}; expected numbers")
    return factors, found


def _name_problems(entry: dict, where: str, path, channels: int, factors: int) -> list[str]:
    """Channel and factor names: UTF-8, one per channel, one per factor."""
    found = [f"{where}{key}': name {name!r} is not UTF-8 text; expected names in UTF-8"
             for key in ("channel_names", "factor_names") for name in entry.get(key) or [] if not _utf8(name)]
    channel_names, names = entry.get("channel_names"), entry.get("factor_names")
    if channel_names is not None and len(channel_names) != channels:
        found.append(f"{where}channel_names': {len(channel_names)} names for the {channels} channels of "
                     f"{path}:{entry.get('fields', 'fields')}")
    if names is not None and entry.get("factors") is None:
        found.append(f"{where}factor_names': names given, but no 'factors' key")
    elif names is not None and factors and len(names) != factors:
        found.append(f"{where}factor_names': {len(names)} names for the {factors} factors of "
                     f"{path}:{entry['factors']}")
    return found


# The keys of a file entry and their types (the configuration's schema checks the same; an entry
# given to `fieldvae import-fields --entry` is checked here).
ENTRY_TYPES = {"file": str, "fields": str, "factors": str, "factor_names": list, "channel_names": list, "split": dict,
               "standardise": bool, "seed": int}
SPLIT_TYPES = {"n_train": int, "n_test": int, "n_labelled": int, "train": str, "test": str, "labelled": str}


def _entry_problems(entry: dict, where: str) -> list[str]:
    """Unknown keys and values of the wrong type in a file entry, each named."""
    if "file" not in entry:
        return [f"{where}file': missing; expected the path of a .npz or HDF5 file"]
    found = []
    for name, value, types in [*((k, v, ENTRY_TYPES) for k, v in entry.items()),
                               *((f"split.{k}", v, SPLIT_TYPES) for k, v in (entry.get("split") or {}).items()
                                 if isinstance(entry.get("split"), dict))]:
        wanted = types.get(name.removeprefix("split."))
        if wanted is None:
            found.append(f"{where}{name}': unknown key; expected only {', '.join(types)}")
        elif not isinstance(value, wanted) or (wanted is int and (isinstance(value, bool) or value < 0)):
            found.append(f"{where}{name}': expected {_TYPE_WORDS[wanted]}, got {value!r}")
        elif wanted is list and not all(isinstance(v, str) for v in value):
            found.append(f"{where}{name}': expected a list of names, got {value!r}")
    return found


_TYPE_WORDS = {str: "text", list: "a list of names", dict: "a mapping", bool: "true or false",
               int: "a count (an integer >= 0)"}


def split_sizes(entry: dict) -> dict[str, int]:
    """Sizes of the training, test and labelled sets of a checked file entry (read from the header
    and the index arrays)."""
    arrays = header(entry["file"])
    split = entry.get("split", {})
    if any(k in split for k in SPLIT_KEYS):
        return {part: arrays[split[part]][0][0] if part in split else 0 for part in SPLIT_KEYS}
    factors = arrays[entry["factors"]][0][1] if entry.get("factors") else 0
    return _counts(split, arrays[entry.get("fields", "fields")][0][0], factors)


def _counts(split: dict, n: int, factors: int) -> dict[str, int]:
    """Split sizes from counts in the entry, else the default shares (no labelled pool without factors)."""
    test = split.get("n_test", max(1, round(DEFAULT_SHARES["test"] * n)))
    labelled = split.get("n_labelled", round(DEFAULT_SHARES["labelled"] * n) if factors else 0)
    return {"train": split.get("n_train", n - test - labelled), "test": test, "labelled": labelled}


def _index_problems(where: str, path, split: dict, arrays: dict, n: int) -> list[str]:
    found, indices = [], {}
    for part in SPLIT_KEYS:
        key = split.get(part)
        if key is None:
            if part != "labelled":
                found.append(f"{where}split.{part}': missing; with index arrays, give train and test")
            continue
        if key not in arrays:
            found.append(f"{where}split.{part}': {path}: no array {key!r}")
            continue
        shape, dtype = arrays[key]
        if len(shape) != 1 or not np.issubdtype(dtype, np.integer) or shape[0] > n:
            found.append(f"{where}split.{part}': {path}:{key} has dtype {dtype}, shape {shape}; expected a 1-d "
                         f"integer array of at most the {n} samples")
            continue
        index = read(path, key)
        outside = index[(index < 0) | (index >= n)]
        if outside.size:
            found.append(f"{where}split.{part}': {path}:{key} has indices outside [0, {n}): {outside[:5].tolist()}")
        repeated = np.unique(index, return_counts=True)
        repeated = repeated[0][repeated[1] > 1]
        if repeated.size:
            found.append(f"{where}split.{part}': {path}:{key} lists {repeated.size} sample(s) more than once: "
                         f"{repeated[:5].tolist()}; expected each sample once")
        if part != "labelled" and index.size == 0:
            found.append(f"{where}split.{part}': {path}:{key} is empty; expected at least one sample")
        indices[part] = index
    parts = list(indices)
    for i, a in enumerate(parts):
        for b in parts[i + 1:]:
            shared = np.intersect1d(indices[a], indices[b])
            if shared.size:
                found.append(f"{where}split.{b}': {path}:{split[b]} shares {shared.size} sample(s) with "
                             f"{split[a]}: {shared[:5].tolist()}; expected disjoint splits")
    return found


def import_fields(entry: dict, seed: int) -> dict[str, np.ndarray]:
    """The arrays of a pipeline dataset file (see fieldvae.core.dataset_file.load_dataset) from the file
    entry: fields standardised per channel (float32) unless `standardise: false`, with channel_mean and
    channel_std; theta (N, s), or (N, 0) without factors; factor_names; the split, from the file's index
    arrays or as counts of one permutation drawn from the dataset's own stream."""
    path, fields_key, factors_key = entry["file"], entry.get("fields", "fields"), entry.get("factors")
    fields = read(path, fields_key).astype(np.float64)
    bad = np.argwhere(~np.isfinite(fields))
    if bad.size:
        raise ValueError(f"{path}: array {fields_key!r} has {len(bad)} non-finite values, the first at "
                         f"index {tuple(int(i) for i in bad[0])}; expected finite fields")
    n = len(fields)
    theta = read(path, factors_key).astype(np.float64) if factors_key else np.zeros((n, 0))
    bad = np.argwhere(~np.isfinite(theta))
    if bad.size:
        raise ValueError(f"{path}: array {factors_key!r} has {len(bad)} non-finite values, the first at "
                         f"index {tuple(int(i) for i in bad[0])}; expected finite factors")
    split = entry.get("split", {})
    if any(k in split for k in SPLIT_KEYS):
        indices = {SPLIT_KEYS[p]: read(path, split[p]).astype(np.int64) if p in split else np.zeros(0, np.int64)
                   for p in SPLIT_KEYS}
    else:
        counts = _counts(split, n, theta.shape[1])
        order = rng("dataset_split", seed).permutation(n)
        bounds = np.cumsum([0, counts["train"], counts["test"], counts["labelled"]])
        indices = {key: np.sort(order[bounds[i]:bounds[i + 1]]) for i, key in enumerate(SPLIT_KEYS.values())}
    if entry.get("standardise", True):
        mean, std = channel_moments(fields[indices["train_index"]])
    else:
        mean, std = np.zeros(fields.shape[1]), np.ones(fields.shape[1])
    names = entry.get("factor_names") or [f"theta_{j + 1}" for j in range(theta.shape[1])]
    channels = entry.get("channel_names") or [f"channel {c + 1}" for c in range(fields.shape[1])]
    standardised = ((fields - mean[:, None, None]) / std[:, None, None]).astype(np.float32)
    if not np.isfinite(standardised).all():
        raise ValueError(f"{path}: array {fields_key!r} has values beyond float32's range (3.4e38) after "
                         f"{'standardising' if entry.get('standardise', True) else 'import'}; expected fields the "
                         "model can hold (set `standardise: true`)")
    return {"fields": standardised, "theta": theta,
            "channel_mean": mean, "channel_std": std, "factor_names": np.array(names, dtype=str),
            "channel_names": np.array(channels, dtype=str), **indices}


def _utf8(name: str) -> bool:
    try:
        name.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True
