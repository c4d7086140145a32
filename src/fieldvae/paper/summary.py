"""Per-experiment tables: the runs of each experiment and variant summarised, next to what the paper claims.

A run counts as disentangled by `fieldvae.core.metrics.disentangled`: not over-regularised, and its
code angle is at most MAX_CODE_ANGLE degrees.
Every fraction comes with its count and 95% Wilson interval, and the disentangled fraction is also
given at each of THRESHOLDS, so no verdict hangs on one cut. The verdicts themselves are in
`fieldvae.paper.claims`.
"""

from __future__ import annotations

import math

import numpy as np

from fieldvae.core.io import atomic_path, save_rows
from fieldvae.core.metrics.disentangled import (MAX_CODE_ANGLE, THRESHOLDS,
                                                disentangled)
from fieldvae.core.stats import wilson
from fieldvae.paper.run_ids import variant

SCORES = ("s_d", "s_d_factors", "code_angle", "s_kl", "mig", "dci_disentanglement",
          "dci_completeness", "dci_informativeness", "sap", "rate", "distortion")
FRACTIONS = ("over_regularised", "disentangled", "diverged")
TABLES = {
    "summary": {
        "experiments": None,  # all
        "title": "Every experiment and variant",
        "claim": "mixture data, 50 trials each: without the hierarchical prior 10% of runs over-regularise and none "
                 "disentangle; with it none over-regularise and roughly half disentangle (the others sit near a 45 "
                 "degree rotation). shifted data: never disentangled without the hierarchical prior, good with it.",
    },
    "labels": {
        "experiments": ("semi_supervised",),
        "title": "Semi-supervised label sweep",
        "claim": "about 1% labels gives consistently good disentanglement; 3-8% gives nearly identical "
                 "representations across trials; the training losses do not depend on the label count.",
    },
    "betas": {
        "experiments": ("beta_sweep",),
        "title": "Fixed-beta sweep",
        "claim": "many beta between 5 and 100 end over-regularised.",
    },
}


def own_table(experiment: str, factors: bool = True) -> dict:
    """The table of an experiment on a user's own fields: every variant of it, and no paper claim."""
    return {"experiments": (experiment,), "title": f"Experiment `{experiment}` on your own fields",
            "claim": "nothing: these are your fields. The rows say how often the runs disentangle your factors "
                     "and how often they over-regularise, with intervals" if factors else
                     "nothing: these are your fields, and without factors only over-regularisation and the training "
                     "terms are scored"}


RULE = (f"Disentangled: not over-regularised and code angle <= MAX_CODE_ANGLE = {MAX_CODE_ANGLE:g} degrees, i.e. "
        "under the best assignment of distinct latents to factors, each factor's latent tracks it (a monotone "
        "function, noise aside; squared Spearman correlation >= 0.5) along a direction of the standardised "
        f"factors within {MAX_CODE_ANGLE:g} degrees of the factor's axis, and carries little of the other factors "
        "in any form (exclusive) (latent means on the test set; a code "
        "rotated by a has angle a on every data set and at every noise level; a code without a latent of its own "
        "for some factor has no angle). Columns disentangled_at_t give the fraction at an angle of at most t "
        "instead. Fractions are k/n [95% Wilson interval]; means and standard deviations over the "
        "runs (S_KL and the code angle over the runs that have one). A run whose training diverged (column "
        "diverged) counts in the runs as not disentangled and not over-regularised, and has no scores.")


def summarise(rows: list[dict]) -> list[dict]:
    """One row per (experiment, variant): run count; count, fraction and 95% Wilson interval of the runs
    over-regularised and disentangled; the fraction disentangled at each threshold; mean and standard
    deviation of every score over the runs where it is finite."""
    groups: dict[tuple, list[dict]] = {}
    for row in rows:
        groups.setdefault((row["experiment"], variant(row)), []).append(row)
    out = []
    for (experiment, var), members in groups.items():
        summary = {"experiment": experiment, "variant": var, "runs": len(members)}
        scored = any(m.get("factor_scores_reason") is None for m in members)  # else the data has no factors
        flags = {"over_regularised": [bool(m["over_regularised"]) for m in members],
                 "disentangled": [_disentangled(m) for m in members] if scored else None,
                 "diverged": [bool(m.get("diverged")) for m in members]}
        for name, values in flags.items():
            summary.update(_count(name, values))
        for t in THRESHOLDS:
            summary[f"disentangled_at_{t}"] = float(np.mean([_disentangled(m, t) for m in members])) if scored else None
        for score in SCORES:
            values = [m[score] for m in members if _finite(m.get(score))]
            summary[f"{score}_mean"] = float(np.mean(values)) if values else math.nan
            summary[f"{score}_std"] = float(np.std(values)) if values else math.nan
        out.append(summary)
    return out


def _count(name: str, values: list[bool] | None) -> dict:
    """Count, fraction and Wilson interval of the true values; all None when not scored (None)."""
    if values is None:
        return dict.fromkeys((f"{name}_count", name, f"{name}_low", f"{name}_high"))
    k = sum(values)
    low, high = wilson(k, len(values))
    return {f"{name}_count": k, name: k / len(values), f"{name}_low": low, f"{name}_high": high}


def select(rows: list[dict], spec: dict) -> list[dict]:
    wanted = spec["experiments"]
    return [r for r in rows if wanted is None or r["experiment"] in wanted]


def write(csv_path, md_path, rows: list[dict], spec: dict, scale: str) -> None:
    """The table (a spec of TABLES or `own_table`) as CSV, and as markdown with its title, scale, the
    rule for 'disentangled' and the paper's claim."""
    if not rows:
        raise ValueError(f"table {spec['title']!r}: no runs of its experiments")
    save_rows(csv_path, rows)
    scores = ["s_d_mean", "s_d_std", "code_angle_mean", "s_kl_mean", "mig_mean",
              "dci_disentanglement_mean", "sap_mean"]
    shown = ["experiment", "variant", "runs", *FRACTIONS, *(f"disentangled_at_{t}" for t in THRESHOLDS), *scores]
    lines = [f"# {spec['title']} (scale `{scale}`)", "",
             f"**The paper claims:** {spec['claim']}", "",
             RULE, "",
             "| " + " | ".join(shown) + " |", "|" + "---|" * len(shown)]
    for row in rows:
        cells = [_fraction(row, c) if c in FRACTIONS else _cell(row[c]) for c in shown]
        lines.append("| " + " | ".join(cells) + " |")
    with atomic_path(md_path) as tmp:
        tmp.write_text("\n".join(lines) + "\n")


def _disentangled(run: dict, max_angle: float = MAX_CODE_ANGLE) -> bool:
    """A diverged run has no scores and is not disentangled."""
    return not run.get("diverged") and disentangled(run["code_angle"], bool(run.get("exclusive")),
                                                    run["over_regularised"], max_angle)


def _finite(value) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)


def _fraction(row: dict, name: str) -> str:
    if row[f"{name}_count"] is None:
        return "n/a (no factors)"
    return f"{row[f'{name}_count']}/{row['runs']} [{row[f'{name}_low']:.2f}, {row[f'{name}_high']:.2f}]"


def _cell(value) -> str:
    return f"{value:.3g}" if isinstance(value, float) else "-" if value is None else str(value) or "-"
