"""Reading finished runs: the one reader of run folders (results/<scale>/runs/<experiment>/<run>/)
and of the per-experiment tables made from them."""

from __future__ import annotations

import json
from pathlib import Path

from fieldvae.core.io import load_columns
from fieldvae.paper.run_ids import parse


def run_name(path) -> str:
    """`<experiment>/<run>` of a file inside a run folder, as figures and tables name runs."""
    path = Path(path)
    return f"{path.parent.parent.name}/{path.parent.name}"


def scores(run_dir) -> dict:
    """A run's experiment, name and scores (its metrics.json)."""
    run_dir = Path(run_dir)
    path = run_dir / "metrics.json"
    expected = "scores from `fieldvae metrics`"
    try:
        record = json.loads(path.read_text())
    except (json.JSONDecodeError, UnicodeDecodeError) as err:
        raise ValueError(f"{path}: not a readable JSON file ({err}); expected {expected}") from err
    if not isinstance(record, dict) or not isinstance(record.get("scores"), dict):
        raise ValueError(f"{path}: key 'scores' missing; expected {expected}")
    return {"experiment": run_dir.parent.name, "run": run_dir.name, **record["scores"]}


def run_folder(run_dir) -> dict:
    """A run's scores, training history and sweep values (from its name, e.g. beta10_seed0)."""
    run_dir = Path(run_dir)
    run = parse(run_dir.name)
    return {**scores(run_dir), "history": load_columns(run_dir / "history.csv"), "beta": run.beta, "labels": run.labels}


def gather(metrics_paths) -> list[dict]:
    """One table row per metrics file: its run's scores."""
    return [scores(Path(path).parent) for path in metrics_paths]
