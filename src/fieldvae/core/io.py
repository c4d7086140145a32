"""Result files: written atomically, with their provenance inside.

A result appears under its final name only once completely written (written to a hidden temporary
file in the same folder, then renamed), so an interrupted job never leaves a file that looks done.
"""

from __future__ import annotations

import contextlib
import csv
import errno
import glob
import json
import os
import pickle
import tempfile
import zipfile
from pathlib import Path
from typing import Iterator

import numpy as np


@contextlib.contextmanager
def atomic_path(path: str | os.PathLike) -> Iterator[Path]:
    """Yield a temporary path beside `path`; rename it to `path` only if the block succeeds. A full
    disk is reported against `path` (not the temporary name the writer saw). Temporary files of
    `path` left by a writer that was killed (SIGKILL skips every cleanup) are removed first: one
    writer per output, as in a workflow, so none of them is still being written."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    prefix = f".{path.name}."
    for stale in path.parent.glob(f"{glob.escape(prefix)}*.part"):
        if "." not in stale.name[len(prefix):-len(".part")]:  # mkstemp's random part; not another output's
            stale.unlink(missing_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=prefix, suffix=".part")
    os.close(fd)
    os.chmod(tmp, 0o666 & ~_umask())  # mkstemp makes it private; results get the usual mode
    try:
        yield Path(tmp)
        os.replace(tmp, path)
    except OSError as err:
        if err.errno != errno.ENOSPC:
            raise
        raise OSError(errno.ENOSPC, f"{path}: no space left on device; nothing written") from err
    finally:
        if os.path.exists(tmp):
            os.remove(tmp)


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def save_arrays(path: str | os.PathLike, arrays: dict[str, np.ndarray], provenance: dict) -> None:
    """Write arrays and their provenance (as JSON) to one .npz file, atomically."""
    if "provenance" in arrays:
        raise ValueError("'provenance' is reserved for the provenance record")
    with atomic_path(path) as tmp, open(tmp, "wb") as fh:
        np.savez(fh, provenance=np.array(json.dumps(provenance, sort_keys=True)), **arrays)


def save_json(path: str | os.PathLike, record: dict) -> None:
    """Write a JSON record (with its provenance inside), atomically."""
    with atomic_path(path) as tmp:
        Path(tmp).write_text(json.dumps(record, indent=1, sort_keys=True) + "\n")


def save_rows(path: str | os.PathLike, rows: list[dict]) -> None:
    """Write rows as CSV, the header from the first row's keys, atomically."""
    if not rows:
        raise ValueError(f"no rows to write to {path}")
    with atomic_path(path) as tmp, open(tmp, "w", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)


def load_rows(paths) -> list[dict]:
    """Rows of CSV files written by save_rows, values parsed: numbers as float, True/False as bool,
    empty cells as None, anything else as text."""
    rows = []
    for path in paths:
        with open(path, newline="") as fh:
            try:
                rows.extend({k: _parse(v) for k, v in row.items()} for row in csv.DictReader(fh))
            except (UnicodeDecodeError, csv.Error) as err:  # a binary file given as a table
                raise ValueError(f"{path}: not a readable CSV file ({err})") from err
    return rows


def load_columns(path: str | os.PathLike) -> dict[str, np.ndarray]:
    """A CSV file of numbers (a training history, say) as one array per column."""
    rows = load_rows([path])
    if not rows:
        raise ValueError(f"{path}: no rows; expected a header line and at least one row of numbers")
    columns = {}
    for key in rows[0]:
        try:
            columns[key] = np.array([r[key] for r in rows], dtype=np.float64)
        except (TypeError, ValueError) as err:  # text, or a short row's missing cell
            raise ValueError(f"{path}: column {key!r} is not all numbers ({err}); expected a table of numbers") from err
    return columns


def _parse(value: str):
    if value in ("True", "False"):
        return value == "True"
    try:
        return float(value)
    except ValueError:
        return None if value == "" else value


def load_arrays(path: str | os.PathLike) -> tuple[dict[str, np.ndarray], dict]:
    """Read a file written by save_arrays: (arrays, provenance). Every array is read here, so a
    truncated or foreign file fails now, naming itself, rather than later in whatever reads it."""
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"no result file at {path}")
    try:
        with np.load(path, allow_pickle=False) as data:
            arrays = {k: data[k] for k in data.files}
    except (zipfile.BadZipFile, EOFError, ValueError, OSError) as err:
        raise ValueError(f"{path}: not a readable .npz file ({_reason(err)})") from err
    if not all(isinstance(a, np.ndarray) for a in arrays.values()):  # np.load gives other members as bytes
        raise ValueError(f"{path}: not a readable .npz file (it is a zip archive of other files: a torch file?)")
    if "provenance" not in arrays:
        raise ValueError(f"{path} has no provenance record: not written by fieldvae")
    return arrays, json.loads(str(arrays.pop("provenance")))


def load_torch(path: str | os.PathLike, expected: str) -> dict:
    """The record in a torch file written by fieldvae (a dict), or an error naming the file and
    `expected`, what it should have been."""
    import torch  # here, so the steps that read no model never import it

    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"no model file at {path}")
    try:
        record = torch.load(path, map_location="cpu", weights_only=False)
    except (RuntimeError, EOFError, OSError, ValueError, pickle.UnpicklingError) as err:
        raise ValueError(f"{path}: not a readable torch file ({_reason(err)}); expected {expected}") from err
    if not isinstance(record, dict):
        raise ValueError(f"{path}: holds a {type(record).__name__}, not a record; expected {expected}")
    return record


def _reason(err: Exception) -> str:
    return str(err).split("\n")[0] or type(err).__name__


# A key only one kind of result file has, and the kind: to say what a file given in the wrong place is.
KINDS = (("gammas", "a model from `fieldvae lj train`"), ("state_dict", "a model from `fieldvae train`"),
         ("diverged_epoch", "a model from `fieldvae train`"), ("mu_train", "latents from `fieldvae encode`"),
         ("train_latents", "latents from `fieldvae lj encode`"), ("positions", "samples from `fieldvae lj sample`"),
         ("fields", "a dataset from `fieldvae dataset`"), ("modes", "eigenpairs from `fieldvae kle`"))


def require_keys(path, found, required, expected: str) -> None:
    """Refuse a file that lacks a key it must have, naming the key, what the file should be and
    what it holds instead (so a latents file given as a dataset says so)."""
    missing = [key for key in required if key not in found]
    if not missing:
        return
    holds = sorted(found)
    listing = ", ".join(holds[:6]) + (", ..." if len(holds) > 6 else "") if holds else "nothing"
    kind = next((kind for key, kind in KINDS if key in found), None)
    raise ValueError(f"{path}: not {expected}: key {missing[0]!r} missing (it needs {', '.join(required)}); "
                     f"it holds {listing}{f' ({kind}?)' if kind else ''}")
