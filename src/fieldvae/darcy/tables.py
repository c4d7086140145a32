"""Tables gathering the metrics files of an experiment's runs, one row per run."""

from __future__ import annotations

import json
from pathlib import Path


def gather(paths) -> list[dict]:
    """One row per metrics file; the run is the file's folder, the experiment the folder above."""
    rows = []
    for path in map(Path, paths):
        record = json.loads(path.read_text())
        rows.append({"experiment": path.parent.parent.name, "run": path.parent.name, **record["scores"]})
    return rows

