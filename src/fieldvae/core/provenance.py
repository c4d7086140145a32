"""What made a result: the parameters, the code version and the time, stored with every output."""

from __future__ import annotations

import datetime
import hashlib
import importlib.util
import platform
import subprocess
from importlib import metadata
from pathlib import Path

import numpy as np
import scipy


def code_version() -> dict:
    """Package version and, when run from a git checkout, its commit and whether it had edits."""
    src = Path(__file__).resolve().parent

    def git(*args: str) -> str | None:
        try:
            out = subprocess.run(["git", "-C", str(src), *args], capture_output=True, text=True, timeout=10)
        except (OSError, subprocess.TimeoutExpired):
            return None
        return out.stdout.strip() if out.returncode == 0 else None

    try:
        version = metadata.version("fieldvae")
    except metadata.PackageNotFoundError:
        version = "unknown"
    commit = git("rev-parse", "HEAD")
    return {
        "package_version": version,
        "git_commit": commit or "unknown",
        "git_dirty": bool(git("status", "--porcelain", "--untracked-files=no")) if commit else None,
    }


def code_fingerprint(*modules: str) -> str:
    """Short hash of the source of the given fieldvae modules or subpackages (all their .py files).

    Rules take it as a parameter, so editing the code a step runs reruns that step and what depends
    on it, and nothing else.
    """
    digest = hashlib.sha256()
    for name in sorted(modules):
        spec = importlib.util.find_spec(name)
        if spec is None or spec.origin is None:
            raise ValueError(f"no module {name!r} to fingerprint")
        origin = Path(spec.origin)
        files = sorted(origin.parent.rglob("*.py")) if origin.name == "__init__.py" else [origin]
        for path in files:
            digest.update(path.name.encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def provenance(params: dict) -> dict:
    """The record stored with a result file: its resolved parameters and the code that used them."""
    return {
        "params": params,
        **code_version(),
        "created_utc": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
        "python": platform.python_version(),
        "numpy": np.__version__,
        "scipy": scipy.__version__,
    }
