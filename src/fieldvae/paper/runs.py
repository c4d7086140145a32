"""Reading finished runs: the one reader of run folders (results/<scale>/runs/<experiment>/<run>/)
and of the per-experiment tables made from them."""

from __future__ import annotations

import json
import math
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
    return {"experiment": run_dir.parent.name, "run": run_dir.name, **_settings(path, record["run"]),
            **record["scores"]}


def _settings(path, run: dict) -> dict:
    """A run's stored settings, checked: they decide which sweep value a run counts for."""
    kinds = {"seed": (int,), "prior": (str, type(None)), "beta": (int, float, type(None)), "labels": (int, type(None))}
    if set(run) != set(kinds):
        raise ValueError(f"{path}: key 'run' has {sorted(run)}; expected exactly {sorted(kinds)}")
    for key, types in kinds.items():
        value = run[key]
        number = isinstance(value, (int, float)) and not isinstance(value, bool)
        bad = not isinstance(value, types) or isinstance(value, bool) or (number and not (math.isfinite(value) and value >= 0))
        if bad:
            raise ValueError(f"{path}: key 'run.{key}' is {value!r}; expected "
                             + {"seed": "a count", "prior": "a prior's name or null", "beta": "a number >= 0 or null",
                                "labels": "a count or null"}[key])
    return run


def run_folder(run_dir) -> dict:
    """A run's settings (seed, prior, beta, labels), scores and training history."""
    run_dir = Path(run_dir)
    return {**scores(run_dir), "history": load_columns(run_dir / "history.csv")}


def gather(metrics_paths) -> list[dict]:
    """One table row per metrics file: its run's scores."""
    return [scores(Path(path).parent) for path in metrics_paths]
