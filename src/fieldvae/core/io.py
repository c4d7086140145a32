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
import socket
import tempfile
import zipfile
from pathlib import Path
from typing import Iterator

import numpy as np


@contextlib.contextmanager
def atomic_path(path: str | os.PathLike) -> Iterator[Path]:
    """Yield a temporary path beside `path`; rename it to `path` only if the block succeeds. A full
    disk is reported against `path` (not the temporary name the writer saw). Each writer removes only
    its own temporary file, and those of writers on this host that are gone (a SIGKILL skips every
    cleanup): the process id is in the name, so two writers to one output both finish, the last
    rename wins and the file is always whole."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    prefix = f".{path.name}.{socket.gethostname()}-"
    for stale in path.parent.glob(f"{glob.escape(prefix)}*.part"):
        if not _alive(stale.name[len(prefix):].split(".")[0]):
            stale.unlink(missing_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f"{prefix}{os.getpid()}.", suffix=".part")
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


def _alive(pid: str) -> bool:
    """Whether the process `pid` (of this host) still runs; a name that is no process id counts as
    alive, so a file this code did not name is never removed."""
    if not pid.isdigit():
        return True
    try:
        os.kill(int(pid), 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # another user's process
        return True
    return True


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


def npz_header(path: str | os.PathLike) -> dict[str, tuple[tuple[int, ...], np.dtype]]:
    """Shape and dtype of every array of an .npz file, read from the members' headers, not their
    data. A member whose header claims more bytes than it holds (a crafted or damaged file that
    would make NumPy allocate what it claims), an array of Python objects and an array too large for
    this machine's memory are refused here, so nothing is allocated for them."""
    path = Path(path)
    out = {}
    try:
        with zipfile.ZipFile(path) as archive:
            for info in archive.infolist():
                name = info.filename
                if not name.endswith(".npy"):
                    raise ValueError(f"it holds {name!r}, not a NumPy array"
                                     f"{': a torch file?' if name.endswith('data.pkl') else ''}")
                with archive.open(info) as fh:
                    version = np.lib.format.read_magic(fh)
                    read = (np.lib.format.read_array_header_1_0 if version == (1, 0)
                            else np.lib.format.read_array_header_2_0)
                    shape, _, dtype = read(fh)
                    offset = fh.tell()
                if dtype.hasobject:
                    raise ValueError(f"array {name!r} holds Python objects, which only code could rebuild")
                claimed = int(np.prod(shape, dtype=object)) * dtype.itemsize
                if claimed != info.file_size - offset:
                    raise ValueError(f"array {name!r} claims shape {tuple(shape)} of {dtype} ({_size(claimed)}) "
                                     f"but holds {_size(info.file_size - offset)}")
                check_memory(claimed, f"array {name!r}")
                out[name.removesuffix(".npy")] = (tuple(shape), dtype)
    except Exception as err:  # NumPy's header parser raises ValueError, SyntaxError, TokenError...
        raise ValueError(f"{path}: not a readable .npz file ({_reason(err)})") from err
    return out


def check_memory(nbytes: int, what: str) -> None:
    """Refuse, before allocating, an array of `nbytes` that cannot fit in this machine's memory."""
    total = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    if nbytes > total // 2:
        raise ValueError(f"{what} needs {_size(nbytes)}; expected at most half of this machine's "
                         f"{_size(total)} of memory")


def _size(nbytes: float) -> str:
    for unit in ("bytes", "KiB", "MiB", "GiB", "TiB"):
        if nbytes < 1024:
            break
        nbytes /= 1024
    return f"{nbytes:.0f} {unit}" if unit == "bytes" else f"{nbytes:.1f} {unit}"


def load_arrays(path: str | os.PathLike) -> tuple[dict[str, np.ndarray], dict]:
    """Read a file written by save_arrays: (arrays, provenance). Every array is read here, so a
    truncated or foreign file fails now, naming itself, rather than later in whatever reads it."""
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"no result file at {path}")
    npz_header(path)  # refuses what np.load would misread or allocate without need
    try:
        with np.load(path, allow_pickle=False) as data:
            arrays = {k: data[k] for k in data.files}
    except (zipfile.BadZipFile, EOFError, ValueError, OSError) as err:
        raise ValueError(f"{path}: not a readable .npz file ({_reason(err)})") from err
    if "provenance" not in arrays:
        raise ValueError(f"{path} has no provenance record: not written by fieldvae")
    try:
        return arrays, json.loads(str(arrays.pop("provenance")))
    except ValueError as err:
        raise ValueError(f"{path}: its provenance record is not JSON ({_reason(err)}): not written by fieldvae") from err


def load_torch(path: str | os.PathLike, expected: str, source=None) -> dict:
    """The record in a torch file written by fieldvae (a dict), or an error naming the file and
    `expected`, what it should have been. Only tensors and plain containers are read (PyTorch's
    weights_only unpickler): a file that asks to import or call anything is refused, never run.
    `source`: the bytes to read instead of the file (a member of a checkpoint), still named `path`."""
    import torch  # here, so the steps that read no model never import it

    path = Path(path)
    if source is None and not path.is_file():
        raise FileNotFoundError(f"no model file at {path}")
    try:
        record = torch.load(source if source is not None else path, map_location="cpu", weights_only=True)
    except pickle.UnpicklingError as err:
        raise ValueError(f"{path}: not a readable torch file (it holds objects other than tensors and plain "
                         f"containers, which only code could rebuild: not written by this version of fieldvae); "
                         f"expected {expected}") from err
    except Exception as err:  # torch raises RuntimeError, EOFError, ValueError, KeyError... for a damaged file
        raise ValueError(f"{path}: not a readable torch file ({_reason(err)}); expected {expected}") from err
    if not isinstance(record, dict):
        raise ValueError(f"{path}: holds a {type(record).__name__}, not a record; expected {expected}")
    return record


def load_weights(model, weights) -> None:
    """Load a state dict read by load_torch into `model`, or a ValueError saying what is wrong with
    it (the caller names the file): not a mapping, non-finite weights, another architecture's shapes."""
    import torch

    if not isinstance(weights, dict):
        raise ValueError(f"its weights are a {type(weights).__name__}, not a mapping of tensors")
    bad = [k for k, v in weights.items() if isinstance(v, torch.Tensor) and not torch.isfinite(v).all()]
    if bad:
        raise ValueError(f"weights {bad[0]!r} have non-finite values")
    try:
        model.load_state_dict(weights)
    except (RuntimeError, TypeError, AttributeError) as err:
        raise ValueError(f"its weights do not fit the model ({str(err).splitlines()[0]})") from err


def printable(name) -> str:
    """A key as an error message shows it: as it is when it is plain text, else quoted (a key with a
    line break would otherwise split the message's one line)."""
    return name if isinstance(name, str) and name.isprintable() else repr(name)


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
    holds = sorted(map(printable, found))
    listing = ", ".join(holds[:6]) + (", ..." if len(holds) > 6 else "") if holds else "nothing"
    kind = next((kind for key, kind in KINDS if key in found), None)
    raise ValueError(f"{path}: not {expected}: key {missing[0]!r} missing (it needs {', '.join(required)}); "
                     f"it holds {listing}{f' ({kind}?)' if kind else ''}")
