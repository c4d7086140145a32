"""Result files: written atomically, with their provenance inside.

A result appears under its final name only once completely written (written to a hidden temporary
file in the same folder, then renamed), so an interrupted job never leaves a file that looks done.
"""

from __future__ import annotations

import contextlib
import csv
import json
import os
import tempfile
from pathlib import Path
from typing import Iterator

import numpy as np


@contextlib.contextmanager
def atomic_path(path: str | os.PathLike) -> Iterator[Path]:
    """Yield a temporary path beside `path`; rename it to `path` only if the block succeeds."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".part")
    os.close(fd)
    os.chmod(tmp, 0o666 & ~_umask())  # mkstemp makes it private; results get the usual mode
    try:
        yield Path(tmp)
        os.replace(tmp, path)
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
            rows.extend({k: _parse(v) for k, v in row.items()} for row in csv.DictReader(fh))
    return rows


def load_columns(path: str | os.PathLike) -> dict[str, np.ndarray]:
    """A CSV file of numbers (a training history, say) as one array per column."""
    rows = load_rows([path])
    if not rows:
        raise ValueError(f"{path} has no rows")
    return {k: np.array([r[k] for r in rows], dtype=np.float64) for k in rows[0]}


def _parse(value: str):
    if value in ("True", "False"):
        return value == "True"
    try:
        return float(value)
    except ValueError:
        return None if value == "" else value


def load_arrays(path: str | os.PathLike) -> tuple[dict[str, np.ndarray], dict]:
    """Read a file written by save_arrays: (arrays, provenance)."""
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"no result file at {path}")
    with np.load(path, allow_pickle=False) as data:
        arrays = {k: data[k] for k in data.files if k != "provenance"}
        if "provenance" not in data.files:
            raise ValueError(f"{path} has no provenance record: not written by fieldvae")
        return arrays, json.loads(str(data["provenance"]))
