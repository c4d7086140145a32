"""Tables gathering the metrics files of an experiment's runs, one row per run."""

from __future__ import annotations

import csv
import json
from pathlib import Path

from fieldvae.io import atomic_path


def gather(paths) -> list[dict]:
    """One row per metrics file; the run is the file's folder, the experiment the folder above."""
    rows = []
    for path in map(Path, paths):
        record = json.loads(path.read_text())
        rows.append({"experiment": path.parent.parent.name, "run": path.parent.name, **record["scores"]})
    return rows


def write_csv(path, rows: list[dict]) -> None:
    if not rows:
        raise ValueError("no runs to tabulate")
    columns = list(rows[0])
    with atomic_path(path) as tmp, open(tmp, "w", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=columns)
        writer.writeheader()
        writer.writerows(rows)
