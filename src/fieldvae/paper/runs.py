"""Reading finished runs: the one reader of run folders (results/<scale>/runs/<experiment>/<run>/)
and of the per-experiment tables made from them."""

from __future__ import annotations

import json
from pathlib import Path

from fieldvae.core.io import load_columns


def run_name(path) -> str:
    """`<experiment>/<run>` of a file inside a run folder, as figures and tables name runs."""
    path = Path(path)
    return f"{path.parent.parent.name}/{path.parent.name}"


def scores(run_dir) -> dict:
    """A run's experiment and name (its folder's), and the settings it trained with and its scores
    (its metrics.json)."""
    run_dir = Path(run_dir)
    path = run_dir / "metrics.json"
    expected = "scores from `fieldvae metrics`"
    try:
        record = json.loads(path.read_text())
    except (json.JSONDecodeError, UnicodeDecodeError) as err:
        raise ValueError(f"{path}: not a readable JSON file ({err}); expected {expected}") from err
    for key in ("scores", "run"):
        if not isinstance(record, dict) or not isinstance(record.get(key), dict):
            raise ValueError(f"{path}: key {key!r} missing; expected {expected}")
    return {"experiment": run_dir.parent.name, "run": run_dir.name, **record["run"], **record["scores"]}


def run_folder(run_dir) -> dict:
    """A run's settings (seed, prior, beta, labels), scores and training history."""
    run_dir = Path(run_dir)
    return {**scores(run_dir), "history": load_columns(run_dir / "history.csv")}


def gather(metrics_paths) -> list[dict]:
    """One table row per metrics file: its run's scores."""
    return [scores(Path(path).parent) for path in metrics_paths]
