"""What made a result: the parameters, the code version and the time, stored with every output."""

from __future__ import annotations

import datetime
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
